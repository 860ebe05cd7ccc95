/**
 * Message templates: one per kind in the templates folder (EMAIL_TEMPLATES_DIR, default templates/email), a vendor
 * edits them without touching code. `<kind>.txt` starts with a `Subject:` line, then the plain-text body;
 * `<kind>.html` is the HTML body. `{{name}}` inserts a value (HTML-escaped in .html), `{{#name}}…{{/name}}` keeps its
 * content only when the value is non-empty.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const EMAIL_KINDS = ['acknowledgement', 'agent_comment', 'contact_attempt', 'closed', 'reopen_decided'] as const
export type EmailKind = (typeof EMAIL_KINDS)[number]

export type TemplateVars = Record<string, string | number | boolean | null | undefined>

export interface Rendered { subject: string; text: string; html: string }

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

function fill (template: string, vars: TemplateVars, html: boolean): string {
  const sections = template.replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_m, name: string, inner: string) => {
    const v = vars[name]
    return v === undefined || v === null || v === false || v === '' ? '' : inner
  })
  return sections.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
    const v = vars[name]
    const s = v === undefined || v === null ? '' : String(v)
    return html ? escapeHtml(s) : s
  })
}

export class EmailTemplates {
  private readonly sources = new Map<EmailKind, { subject: string; text: string; html: string }>()

  /** reads (and checks) every template at start, so a broken folder stops the service instead of a send */
  constructor (dir: string) {
    for (const kind of EMAIL_KINDS) {
      const txt = readFileSync(join(dir, `${kind}.txt`), 'utf8').replace(/\r\n/g, '\n')
      const html = readFileSync(join(dir, `${kind}.html`), 'utf8')
      const m = /^Subject:[ \t]*(.*)\n/.exec(txt)
      if (m === null) throw new Error(`email template ${kind}.txt must start with a "Subject:" line`)
      this.sources.set(kind, { subject: m[1] ?? '', text: txt.slice(m[0].length), html })
    }
  }

  render (kind: EmailKind, vars: TemplateVars): Rendered {
    const t = this.sources.get(kind)
    if (t === undefined) throw new Error(`no email template ${kind}`)
    return {
      subject: fill(t.subject, vars, false).replace(/[\r\n]+/g, ' ').trim(),
      text: fill(t.text, vars, false),
      html: fill(t.html, vars, true)
    }
  }
}
