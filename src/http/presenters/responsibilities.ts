import type { ChecklistItem } from '../../domain/checklists/checklist.js'
import type { TechnicalRepresentative } from '../../application/responsibilities.js'
import { iso } from '../../domain/time.js'

export const presentItem = (i: ChecklistItem) => ({
  key: i.key,
  title: i.definition.title,
  description: i.definition.description,
  clause: i.definition.clause,
  ongoing: i.definition.ongoing,
  status: i.status,
  dueAt: i.dueAt === null ? null : iso(i.dueAt),
  overdue: i.overdue,
  note: i.note,
  evidenceUrl: i.evidenceUrl,
  version: i.version,
  updatedBy: i.updatedBy === null ? null : { id: i.updatedBy.id, role: i.updatedBy.role },
  updatedAt: i.updatedAt === null ? null : iso(i.updatedAt)
})

export const presentRepresentative = (r: TechnicalRepresentative) => ({
  organizationId: r.organizationId,
  name: r.name ?? '',
  email: r.email ?? '',
  phone: r.phone,
  userId: r.userId,
  version: r.version,
  updatedBy: r.updatedBy,
  updatedAt: iso(r.updatedAt)
})
