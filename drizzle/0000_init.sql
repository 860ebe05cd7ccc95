CREATE TABLE "calendar_holiday_seeds" (
	"calendar_id" text NOT NULL,
	"year" integer NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_holiday_seeds_calendar_id_year_pk" PRIMARY KEY("calendar_id","year")
);
--> statement-breakpoint
CREATE TABLE "calendar_holidays" (
	"calendar_id" text NOT NULL,
	"date" date NOT NULL,
	"name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_holidays_calendar_id_date_pk" PRIMARY KEY("calendar_id","date")
);
--> statement-breakpoint
CREATE TABLE "calendars" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"time_zone" text NOT NULL,
	"windows" jsonb NOT NULL,
	"observes_holidays" boolean NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"type" text NOT NULL,
	"organization_id" uuid,
	"resource_type" text NOT NULL,
	"resource_id" uuid NOT NULL,
	"resource_version" integer,
	"ticket_id" uuid,
	"visibility" text DEFAULT 'public' NOT NULL,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"plan" text NOT NULL,
	"subscription_status" text NOT NULL,
	"term_start" timestamp with time zone NOT NULL,
	"term_end" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "calendar_holiday_seeds" ADD CONSTRAINT "calendar_holiday_seeds_calendar_id_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_holidays" ADD CONSTRAINT "calendar_holidays_calendar_id_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_feed_idx" ON "events" USING btree ("txid","id");--> statement-breakpoint
CREATE INDEX "events_org_feed_idx" ON "events" USING btree ("organization_id","txid","id");--> statement-breakpoint
CREATE INDEX "events_resource_idx" ON "events" USING btree ("resource_id","id");--> statement-breakpoint
CREATE INDEX "events_ticket_idx" ON "events" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE INDEX "organizations_created_id_idx" ON "organizations" USING btree ("created_at","id");