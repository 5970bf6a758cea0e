-- 0004 calendar feeds: a person's calendar (ICS URL, CalDAV free/busy) the core reads to turn
-- busy and out-of-office time into absences (source 'calendar').
ALTER TABLE users
  ADD COLUMN calendar_url text
  CHECK (calendar_url ~ '^(https?|webcal)://' AND char_length(calendar_url) <= 2000);
