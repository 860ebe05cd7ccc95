CREATE TABLE "ticket_search" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"customer" "tsvector" NOT NULL,
	"staff" "tsvector" NOT NULL
);
--> statement-breakpoint
-- hand-written: the documents as they stand (the generated columns) move to the new table before those go
INSERT INTO "ticket_search" ("ticket_id", "customer", "staff") SELECT "id", "search_customer", "search_staff" FROM "tickets";--> statement-breakpoint
DROP INDEX "tickets_search_customer_idx";--> statement-breakpoint
DROP INDEX "tickets_search_staff_idx";--> statement-breakpoint
ALTER TABLE "ticket_search" ADD CONSTRAINT "ticket_search_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_search_customer_idx" ON "ticket_search" USING gin ("customer");--> statement-breakpoint
CREATE INDEX "ticket_search_staff_idx" ON "ticket_search" USING gin ("staff");--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "search_customer";--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "search_staff";--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "search_public_comments";--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "search_internal_comments";--> statement-breakpoint
-- hand-written (drizzle-kit has no triggers): the database keeps the documents. Subject (weight A) and description (B)
-- of a new ticket; both again, with every comment so far (C), when the subject or description changes; a new comment's
-- text appended (customers' document: public comments only). The text-search configuration is 'english'
-- (SEARCH_CONFIG in src/db/schema/tickets.ts).
CREATE FUNCTION "ticket_search_base"("subject" text, "description" text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('english', subject), 'A') || setweight(to_tsvector('english', description), 'B') $$;--> statement-breakpoint
CREATE FUNCTION "ticket_search_on_ticket_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_search (ticket_id, customer, staff)
  SELECT d.id, d.doc, d.doc FROM (SELECT id, ticket_search_base(subject, description) AS doc FROM inserted) d;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "ticket_search_ticket_insert" AFTER INSERT ON "tickets" REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_on_ticket_insert();--> statement-breakpoint
CREATE FUNCTION "ticket_search_on_ticket_text"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  base tsvector := ticket_search_base(NEW.subject, NEW.description);
BEGIN
  UPDATE ticket_search s SET
    customer = base || coalesce(c.public_doc, ''::tsvector),
    staff = base || coalesce(c.all_doc, ''::tsvector)
  FROM (SELECT setweight(to_tsvector('english', string_agg(body, ' ' ORDER BY created_at, id) FILTER (WHERE visibility = 'public')), 'C') AS public_doc,
               setweight(to_tsvector('english', string_agg(body, ' ' ORDER BY created_at, id)), 'C') AS all_doc
        FROM ticket_comments WHERE ticket_id = NEW.id) c
  WHERE s.ticket_id = NEW.id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "ticket_search_ticket_text" AFTER UPDATE OF "subject", "description" ON "tickets"
  FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.description IS DISTINCT FROM NEW.description)
  EXECUTE FUNCTION ticket_search_on_ticket_text();--> statement-breakpoint
CREATE FUNCTION "ticket_search_on_comment_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ticket_search s SET
    customer = CASE WHEN c.public_doc IS NULL THEN s.customer ELSE s.customer || c.public_doc END,
    staff = s.staff || c.all_doc
  FROM (SELECT ticket_id,
               setweight(to_tsvector('english', string_agg(body, ' ' ORDER BY created_at, id) FILTER (WHERE visibility = 'public')), 'C') AS public_doc,
               setweight(to_tsvector('english', string_agg(body, ' ' ORDER BY created_at, id)), 'C') AS all_doc
        FROM inserted GROUP BY ticket_id) c
  WHERE s.ticket_id = c.ticket_id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "ticket_search_comment_insert" AFTER INSERT ON "ticket_comments" REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_on_comment_insert();
