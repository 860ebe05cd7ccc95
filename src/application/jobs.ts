/**
 * Every queue and handler of the durable job engine (docs/jobs.md), registered once per app instance before the
 * engine starts. Each feature adds its one line here.
 */
import type { AppContext } from './context.js'
import { registerSlaTimers } from './sla-timers.js'
import { registerEmailJobs } from './email-outbound.js'
import { registerAttachmentJobs } from './attachments.js'

export function registerJobHandlers (ctx: AppContext): void {
  registerSlaTimers(ctx)
  registerEmailJobs(ctx)
  registerAttachmentJobs(ctx)
}
