/**
 * Knowledge-base rules, pure: who may see which article, slugs, what a change changed.
 */
import type { Principal } from '../access.js'
import { isStaff } from '../access.js'
import type { PlanId } from '../policy/policy.js'

export const ARTICLE_STATUSES = ['draft', 'published', 'archived'] as const
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number]

/** the fields a revision keeps and a restore brings back */
export interface ArticleContent {
  slug: string
  title: string
  summary: string
  bodyMarkdown: string
  categoryId: string | null
  tags: string[]
  status: ArticleStatus
  /** null: every plan and anonymous visitors; a list: only customers on these plans (and staff) */
  audiencePlans: PlanId[] | null
}

export interface Article extends ArticleContent {
  id: string
  bodyHtml: string
  bodyText: string
  publishedAt: Date | null
  version: number
  createdBy: { id: string; role: string }
  updatedBy: { id: string; role: string }
  createdAt: Date
  updatedAt: Date
}

/**
 * What a reader may see:
 * - staff (agent, admin): everything, any status;
 * - a customer: published articles for all plans or whose audience includes their organization's plan — the plan
 *   counts only while the subscription is current (otherwise they see what an anonymous visitor sees);
 * - anonymous (no token): published articles for all plans.
 */
export type Reader =
  | { kind: 'staff' }
  | { kind: 'customer'; plan: PlanId | null }
  | { kind: 'anonymous' }

export function readerOf (p: Principal | null, customerPlan: PlanId | null): Reader {
  if (p === null) return { kind: 'anonymous' }
  if (isStaff(p)) return { kind: 'staff' }
  return { kind: 'customer', plan: customerPlan }
}

export function canRead (reader: Reader, a: Pick<ArticleContent, 'status' | 'audiencePlans'>): boolean {
  if (reader.kind === 'staff') return true
  if (a.status !== 'published') return false
  if (a.audiencePlans === null) return true
  return reader.kind === 'customer' && reader.plan !== null && a.audiencePlans.includes(reader.plan)
}

/** a URL-safe slug from a title: lower-case ASCII words joined by hyphens */
export function slugify (title: string): string {
  const s = title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100).replace(/-+$/g, '')
  return s === '' ? 'article' : s
}

export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$'

const CONTENT_FIELDS = ['slug', 'title', 'summary', 'bodyMarkdown', 'categoryId', 'tags', 'status', 'audiencePlans'] as const
export type ContentField = (typeof CONTENT_FIELDS)[number]

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** the content fields whose value differs (in a fixed order) */
export function changedFields (before: ArticleContent, after: ArticleContent): ContentField[] {
  return CONTENT_FIELDS.filter((f) => !same(before[f], after[f]))
}

/** tags: trimmed, lower-case, unique, in first-seen order */
export const normalizeTags = (tags: readonly string[]): string[] => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))]

/** publishedAt: set the first time an article becomes published, kept afterwards (also when archived) */
export const nextPublishedAt = (current: Date | null, status: ArticleStatus, now: Date): Date | null =>
  current ?? (status === 'published' ? now : null)
