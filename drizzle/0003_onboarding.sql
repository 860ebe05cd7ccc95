CREATE TABLE "onboarding_calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"duration_minutes" integer NOT NULL,
	"attendees" jsonb NOT NULL,
	"agenda" text,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"calendar_id" text NOT NULL,
	"created_by_id" text NOT NULL,
	"created_by_role" text NOT NULL,
	"updated_by_id" text NOT NULL,
	"updated_by_role" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "responsibility_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"key" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"note" text,
	"evidence_url" text,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_by_id" text,
	"updated_by_role" text,
	"updated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "technical_representatives" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"is_set" boolean NOT NULL,
	"name" text,
	"email" text,
	"phone" text,
	"user_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_by_id" text NOT NULL,
	"updated_by_role" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "onboarding_calls" ADD CONSTRAINT "onboarding_calls_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "responsibility_items" ADD CONSTRAINT "responsibility_items_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technical_representatives" ADD CONSTRAINT "technical_representatives_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "onboarding_calls_org_scheduled_idx" ON "onboarding_calls" USING btree ("organization_id","scheduled_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "responsibility_items_org_key_idx" ON "responsibility_items" USING btree ("organization_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "technical_representatives_org_idx" ON "technical_representatives" USING btree ("organization_id");