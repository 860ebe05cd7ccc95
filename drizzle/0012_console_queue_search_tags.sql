DROP INDEX "tickets_updated_idx";--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_public_comments" "tsvector" DEFAULT ''::tsvector NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_internal_comments" "tsvector" DEFAULT ''::tsvector NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_customer" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', subject), 'A') || setweight(to_tsvector('english', description), 'B') || search_public_comments) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_staff" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', subject), 'A') || setweight(to_tsvector('english', description), 'B') || search_public_comments || search_internal_comments) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "tickets_updated_id_idx" ON "tickets" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_org_updated_idx" ON "tickets" USING btree ("organization_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_status_updated_idx" ON "tickets" USING btree ("status","updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_priority_updated_idx" ON "tickets" USING btree ("priority","updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_assignee_updated_idx" ON "tickets" USING btree ("assignee_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_sla_phase_updated_idx" ON "tickets" USING btree ("sla_phase","updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_due_idx" ON "tickets" USING btree ("sla_due_at","id") WHERE sla_phase = 'pending';--> statement-breakpoint
CREATE INDEX "tickets_org_due_idx" ON "tickets" USING btree ("organization_id","sla_due_at","id") WHERE sla_phase = 'pending';--> statement-breakpoint
CREATE INDEX "tickets_status_due_idx" ON "tickets" USING btree ("status","sla_due_at","id") WHERE sla_phase = 'pending';--> statement-breakpoint
CREATE INDEX "tickets_priority_due_idx" ON "tickets" USING btree ("priority","sla_due_at","id") WHERE sla_phase = 'pending';--> statement-breakpoint
CREATE INDEX "tickets_assignee_due_idx" ON "tickets" USING btree ("assignee_id","sla_due_at","id") WHERE sla_phase = 'pending';--> statement-breakpoint
CREATE INDEX "tickets_tags_idx" ON "tickets" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "tickets_search_customer_idx" ON "tickets" USING gin ("search_customer");--> statement-breakpoint
CREATE INDEX "tickets_search_staff_idx" ON "tickets" USING gin ("search_staff");--> statement-breakpoint
-- hand-written: backfill the comment text of existing tickets into their search documents
UPDATE "tickets" t SET "search_public_comments" = c.doc FROM (SELECT ticket_id, setweight(to_tsvector('english', string_agg(body, ' ' ORDER BY created_at, id)), 'C') AS doc FROM ticket_comments WHERE visibility = 'public' GROUP BY ticket_id) c WHERE t.id = c.ticket_id;--> statement-breakpoint
-- hand-written: backfill the comment text of existing tickets into their search documents
UPDATE "tickets" t SET "search_internal_comments" = c.doc FROM (SELECT ticket_id, setweight(to_tsvector('english', string_agg(body, ' ' ORDER BY created_at, id)), 'C') AS doc FROM ticket_comments WHERE visibility = 'internal' GROUP BY ticket_id) c WHERE t.id = c.ticket_id;
--> statement-breakpoint
-- hand-written: covering indexes for GET /v1/tickets/counts (drizzle-kit has no INCLUDE): a status or organization filter grouped by any key is an index-only scan
CREATE INDEX "tickets_counts_status_idx" ON "tickets" USING btree ("status","organization_id") INCLUDE ("priority","assignee_id","sla_phase","sla_due_at","sla_at_risk_at");--> statement-breakpoint
-- hand-written: covering indexes for GET /v1/tickets/counts (drizzle-kit has no INCLUDE)
CREATE INDEX "tickets_counts_org_idx" ON "tickets" USING btree ("organization_id","status") INCLUDE ("priority","assignee_id","sla_phase","sla_due_at","sla_at_risk_at");
