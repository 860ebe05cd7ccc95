-- The tag "null" used to be written as an unquoted element of a text[] literal, which PostgreSQL reads as an SQL null
-- (src/db/repositories/tickets.ts tagsLiteral now quotes every element). Tags are [a-z0-9._-] only, so a null element
-- can only have been that tag: put it back.
UPDATE "tickets" SET "tags" = array_replace("tags", NULL, 'null') WHERE array_position("tags", NULL) IS NOT NULL;
