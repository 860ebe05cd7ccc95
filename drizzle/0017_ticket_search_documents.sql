-- hand-written: one definition of a ticket's whole search documents, from its subject, description and every comment so
-- far: customers' = subject (A), description (B), public comments (C); staff's = the same with all comments. The trigger
-- that rebuilds them when the subject or description changes (0016) calls it; so does the benchmark's clean-up
-- (bench/lib/db.ts), which rebuilds documents with the triggers off (bench/seed.sql builds them all at once with the
-- set-based form of the same expression). The comment-insert trigger of 0016 keeps appending a new comment's text
-- instead (it needs no other comment). Declared as a table function (one row) so that a LATERAL call is inlined into
-- the calling query.
CREATE FUNCTION "ticket_search_documents"("p_ticket_id" uuid, "p_subject" text, "p_description" text)
  RETURNS TABLE ("customer" tsvector, "staff" tsvector) LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    -- the subject and description's document is a column of the aggregate's one row, so it is computed once for both
    SELECT d.base || coalesce(d.public_doc, ''::tsvector), d.base || coalesce(d.all_doc, ''::tsvector)
    FROM (SELECT ticket_search_base(p_subject, p_description) AS base,
                 setweight(to_tsvector('english', string_agg(c.body, ' ' ORDER BY c.created_at, c.id) FILTER (WHERE c.visibility = 'public')), 'C') AS public_doc,
                 setweight(to_tsvector('english', string_agg(c.body, ' ' ORDER BY c.created_at, c.id)), 'C') AS all_doc
          FROM ticket_comments c WHERE c.ticket_id = p_ticket_id) d
  $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "ticket_search_on_ticket_text"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ticket_search s SET customer = d.customer, staff = d.staff
  FROM ticket_search_documents(NEW.id, NEW.subject, NEW.description) d
  WHERE s.ticket_id = NEW.id;
  RETURN NULL;
END $$;
