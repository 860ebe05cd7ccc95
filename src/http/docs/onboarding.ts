export const BOOKING_RULES = 'Refused with 403 subscription-inactive when the subscription is not current; 409 onboarding-entitlement-exhausted ' +
  '(with entitled, scheduled, used, remaining) when no credit is left in the term; 422 scheduled-in-past, 422 outside-subscription-term ' +
  '(the start must lie in the current term) or 422 outside-business-hours (naming the local time and that day\'s windows) when the whole ' +
  'call does not lie inside the plan\'s business calendar (Mon–Fri 06:00–18:00 America/Los_Angeles; with US federal holidays for Basic).'
