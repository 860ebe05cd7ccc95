-- hand-written: existing tickets were opened when they were received, so received_at = created_at before NOT NULL
ALTER TABLE "tickets" ADD COLUMN "received_at" timestamp with time zone;--> statement-breakpoint
UPDATE "tickets" SET "received_at" = "created_at";--> statement-breakpoint
ALTER TABLE "tickets" ALTER COLUMN "received_at" SET NOT NULL;
