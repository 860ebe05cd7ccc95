CREATE TABLE "ticket_external_refs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"system" text NOT NULL,
	"external_id" text NOT NULL,
	"url" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ticket_external_refs" ADD CONSTRAINT "ticket_external_refs_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_external_refs_org_system_external_idx" ON "ticket_external_refs" USING btree ("organization_id","system","external_id");--> statement-breakpoint
CREATE INDEX "ticket_external_refs_system_external_idx" ON "ticket_external_refs" USING btree ("system","external_id");--> statement-breakpoint
CREATE INDEX "ticket_external_refs_ticket_idx" ON "ticket_external_refs" USING btree ("ticket_id");