-- The three built-in calendars of the support terms (custom data migration).
INSERT INTO "calendars" ("id", "name", "time_zone", "windows", "observes_holidays") VALUES
('business-hours-with-holidays', 'Business Hours – M-F 6am-6pm PT, excluding holidays', 'America/Los_Angeles',
 '[{"weekday":1,"startMinute":360,"endMinute":1080},{"weekday":2,"startMinute":360,"endMinute":1080},{"weekday":3,"startMinute":360,"endMinute":1080},{"weekday":4,"startMinute":360,"endMinute":1080},{"weekday":5,"startMinute":360,"endMinute":1080}]', true),
('business-hours', 'Business Hours – M-F 6am-6pm PT', 'America/Los_Angeles',
 '[{"weekday":1,"startMinute":360,"endMinute":1080},{"weekday":2,"startMinute":360,"endMinute":1080},{"weekday":3,"startMinute":360,"endMinute":1080},{"weekday":4,"startMinute":360,"endMinute":1080},{"weekday":5,"startMinute":360,"endMinute":1080}]', false),
('always', '24/7/365', 'UTC',
 '[{"weekday":1,"startMinute":0,"endMinute":1440},{"weekday":2,"startMinute":0,"endMinute":1440},{"weekday":3,"startMinute":0,"endMinute":1440},{"weekday":4,"startMinute":0,"endMinute":1440},{"weekday":5,"startMinute":0,"endMinute":1440},{"weekday":6,"startMinute":0,"endMinute":1440},{"weekday":7,"startMinute":0,"endMinute":1440}]', false)
ON CONFLICT ("id") DO NOTHING;
