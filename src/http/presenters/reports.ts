import type { Static } from '@sinclair/typebox'
import { iso } from '../../domain/time.js'
import type { SlaAttainmentReportSchema } from '../schemas/reports.js'
import type { SlaAttainmentReport } from '../../application/reports.js'
import type { AttainmentGroup, AttainmentRow } from '../../domain/sla/attainment.js'

export const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return ''
  const s = String(v)
  // RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet never runs it as a formula
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export const presentSlaAttainmentReport = (r: SlaAttainmentReport): Static<typeof SlaAttainmentReportSchema> => ({ ...r, generatedAt: iso(r.generatedAt) })

export const FIGURE_COLUMNS = ['cycles', 'tickets', 'met', 'breached', 'owed', 'attainmentPercent', 'medianFirstResponseBusinessSeconds', 'p90FirstResponseBusinessSeconds'] as const

export const KEY_COLUMNS: Record<AttainmentGroup, Array<keyof AttainmentRow>> = { plan: ['plan'], priority: ['priority'], organization: ['organizationId', 'organizationName'], month: ['month'] }

/** the rows as CSV (RFC 4180, CRLF): the group columns, then the figures; without groupBy, the one total row */
export function attainmentCsv (r: SlaAttainmentReport): string {
  const keys = r.groupBy.flatMap((g) => KEY_COLUMNS[g])
  const header = [...keys, ...FIGURE_COLUMNS]
  const rows: Array<Record<string, unknown>> = r.groupBy.length === 0 ? [r.total as unknown as Record<string, unknown>] : r.rows as unknown as Array<Record<string, unknown>>
  return [header, ...rows.map((row) => header.map((h) => row[h]))].map((line) => line.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
