CREATE TABLE "supplier_notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"vendor" text NOT NULL,
	"request_id" text NOT NULL,
	"claimed_status" text,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"handled_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "supplier_pollers" (
	"key" text PRIMARY KEY NOT NULL,
	"holder" text,
	"lease_until" timestamp (3) with time zone,
	"poked" boolean DEFAULT false NOT NULL,
	"wake_at" timestamp (3) with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mock_vendor_orders" ADD COLUMN "notified_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "supplier_notifications_pending_idx" ON "supplier_notifications" USING btree ("request_id") WHERE "supplier_notifications"."handled_at" is null;