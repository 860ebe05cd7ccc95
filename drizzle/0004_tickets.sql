CREATE TABLE "reopen_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"reason" text NOT NULL,
	"requested_by_id" text NOT NULL,
	"requested_by_role" text NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by_id" text,
	"decided_by_role" text,
	"decision_note" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "severity_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"from_severity" text NOT NULL,
	"to_severity" text NOT NULL,
	"direction" text NOT NULL,
	"reason" text NOT NULL,
	"sla_effect" text NOT NULL,
	"sla_before" jsonb NOT NULL,
	"sla_after" jsonb NOT NULL,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"body" text NOT NULL,
	"visibility" text NOT NULL,
	"awaiting_customer" boolean DEFAULT false NOT NULL,
	"first_response" boolean DEFAULT false NOT NULL,
	"sla_cycle" integer NOT NULL,
	"author_id" text NOT NULL,
	"author_role" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"description" text NOT NULL,
	"severity" text NOT NULL,
	"priority" text NOT NULL,
	"channel" text NOT NULL,
	"requester_name" text NOT NULL,
	"requester_email" text NOT NULL,
	"category" text,
	"assignee_id" text,
	"status" text NOT NULL,
	"closed_reason" text,
	"close_note" text,
	"closed_at" timestamp with time zone,
	"closed_by_id" text,
	"closed_by_role" text,
	"contact_attempts" integer DEFAULT 0 NOT NULL,
	"sla_cycle" integer DEFAULT 1 NOT NULL,
	"sla_plan" text NOT NULL,
	"sla_priority" text NOT NULL,
	"sla_target_seconds" integer NOT NULL,
	"sla_calendar_id" text NOT NULL,
	"sla_clock_started_at" timestamp with time zone NOT NULL,
	"sla_due_at" timestamp with time zone NOT NULL,
	"sla_at_risk_at" timestamp with time zone NOT NULL,
	"first_responded_at" timestamp with time zone,
	"sla_phase" text NOT NULL,
	"sla_history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by_id" text NOT NULL,
	"created_by_role" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reopen_requests" ADD CONSTRAINT "reopen_requests_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "severity_changes" ADD CONSTRAINT "severity_changes_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reopen_requests_ticket_created_idx" ON "reopen_requests" USING btree ("ticket_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reopen_requests_status_created_idx" ON "reopen_requests" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "reopen_requests_org_status_created_idx" ON "reopen_requests" USING btree ("organization_id","status","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "reopen_requests_one_pending_idx" ON "reopen_requests" USING btree ("ticket_id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "severity_changes_ticket_changed_idx" ON "severity_changes" USING btree ("ticket_id","changed_at","id");--> statement-breakpoint
CREATE INDEX "ticket_comments_ticket_created_idx" ON "ticket_comments" USING btree ("ticket_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_created_idx" ON "tickets" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_org_created_idx" ON "tickets" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_org_status_created_idx" ON "tickets" USING btree ("organization_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_status_created_idx" ON "tickets" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_severity_created_idx" ON "tickets" USING btree ("severity","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_priority_created_idx" ON "tickets" USING btree ("priority","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_channel_created_idx" ON "tickets" USING btree ("channel","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_assignee_created_idx" ON "tickets" USING btree ("assignee_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_sla_phase_created_idx" ON "tickets" USING btree ("sla_phase","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_updated_idx" ON "tickets" USING btree ("updated_at");