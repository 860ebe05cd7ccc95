/**
 * Markdown → safe HTML for knowledge-base articles. markdown-it renders (CommonMark, raw HTML allowed so authors can
 * use e.g. <details> or <kbd>), then sanitize-html keeps only an allow-list of tags and attributes: no script, style,
 * iframe, object, SVG or MathML, no event-handler or style attribute, and URLs only with http(s)/mailto schemes (links)
 * or http(s) (images) — `javascript:`, `vbscript:` and `data:` URLs are dropped. Rendering happens on write; readers
 * get `bodyHtml` as stored.
 */
import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'

const md = new MarkdownIt({ html: true, linkify: true, typographer: false })

const ALLOWED_TAGS = [
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code', 'kbd', 'samp', 'var',
  'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins', 'mark', 'sub', 'sup', 'small', 'abbr',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'details', 'summary'
]

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    code: ['class'],
    th: ['align', 'colspan', 'rowspan'],
    td: ['align', 'colspan', 'rowspan'],
    ol: ['start'],
    abbr: ['title']
  },
  allowedClasses: { code: [/^language-[a-z0-9_+-]{1,30}$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // the content of these is dropped with the tag (not shown as text)
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'svg', 'math', 'iframe', 'object', 'template'],
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow' } })
  }
}
// rel is added by the transform; allow it through for <a>
;(SANITIZE.allowedAttributes as Record<string, string[]>).a?.push('rel')

export interface RenderedMarkdown {
  /** sanitised HTML */
  html: string
  /** the visible text (for search and snippets) */
  text: string
}

/** sanitises any HTML with the article allow-list (exported for tests) */
export const sanitizeArticleHtml = (html: string): string => sanitizeHtml(html, SANITIZE)

export function renderMarkdown (markdown: string): RenderedMarkdown {
  const html = sanitizeArticleHtml(md.render(markdown))
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ').trim()
  return { html, text }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)

/** the highlight markers ts_headline is asked to use (control characters never in article text) */
export const HIGHLIGHT_START = '\u0002'
export const HIGHLIGHT_STOP = '\u0003'

/** a ts_headline fragment of plain text → HTML: everything escaped, then the markers become <mark> */
export function highlightToHtml (fragment: string): string {
  return escapeHtml(fragment)
    .split(HIGHLIGHT_START).join('<mark>')
    .split(HIGHLIGHT_STOP).join('</mark>')
}
