CREATE TABLE "sla_notices" (
	"ticket_id" uuid NOT NULL,
	"cycle" integer NOT NULL,
	"kind" text NOT NULL,
	"moment" timestamp with time zone NOT NULL,
	"noticed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sla_notices_ticket_id_cycle_kind_pk" PRIMARY KEY("ticket_id","cycle","kind")
);
--> statement-breakpoint
ALTER TABLE "sla_notices" ADD CONSTRAINT "sla_notices_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;