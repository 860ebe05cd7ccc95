export const HOLIDAY_RULE = 'Changing holidays never rewrites deadlines already issued (a ticket keeps the dueAt it got when its clock started); ' +
  'the change applies to deadlines computed afterwards. Each change bumps the calendar\'s version (its ETag), so If-Match takes the ' +
  'calendar\'s ETag (from GET /v1/calendars/{calendarId} or the holiday list); a stale tag is 412 and changes nothing.'
