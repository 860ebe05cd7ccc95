-- hand-written (issue 15): the two covering indexes of GET /v1/tickets/counts are folded into the list indexes that lead
-- with the same column, so every ticket write (an insert, and every update that moves updated_at) maintains two index
-- entries fewer. The counts stay index-only scans (the INCLUDE columns are the keys a count groups by and the SLA
-- instants slaStatus needs); the lists keep their keyset order. drizzle-kit has no INCLUDE: the schema declares the key
-- columns only.
DROP INDEX "tickets_counts_status_idx";--> statement-breakpoint
DROP INDEX "tickets_counts_org_idx";--> statement-breakpoint
DROP INDEX "tickets_status_created_idx";--> statement-breakpoint
DROP INDEX "tickets_org_status_created_idx";--> statement-breakpoint
CREATE INDEX "tickets_status_created_idx" ON "tickets" USING btree ("status","created_at","id") INCLUDE ("organization_id","priority","assignee_id","sla_phase","sla_due_at","sla_at_risk_at");--> statement-breakpoint
CREATE INDEX "tickets_org_status_created_idx" ON "tickets" USING btree ("organization_id","status","created_at","id") INCLUDE ("priority","assignee_id","sla_phase","sla_due_at","sla_at_risk_at");
