import { PRIORITIES, SEVERITY_LEVELS, type SupportPlan } from '../../domain/policy/policy.js'
import { isoDuration } from '../../domain/sla/first-response.js'

export const presentPlan = (plan: SupportPlan) => ({
  id: plan.id,
  name: plan.name,
  channels: [...plan.channels],
  onboardingCalls: plan.onboardingCalls,
  workingHours: plan.workingHours,
  responseTargets: PRIORITIES.map((priority) => {
    const t = plan.responseTargets[priority]
    return {
      priority,
      severities: SEVERITY_LEVELS.filter((s) => s.priority === priority).map((s) => s.id),
      targetSeconds: t.targetSeconds,
      targetDuration: isoDuration(t.targetSeconds),
      calendarId: t.calendarId,
      businessHours: t.calendarId !== 'always',
      label: t.label
    }
  })
})

export const presentSeverityLevel = (s: (typeof SEVERITY_LEVELS)[number]) => ({ id: s.id, name: s.name, priority: s.priority, definition: s.definition })
