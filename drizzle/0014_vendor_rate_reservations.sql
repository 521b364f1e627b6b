CREATE TABLE "vendor_rate_reservations" (
	"key" text NOT NULL,
	"holder" text NOT NULL,
	"slot_at" timestamp (6) with time zone NOT NULL,
	CONSTRAINT "vendor_rate_reservations_key_holder_pk" PRIMARY KEY("key","holder")
);
--> statement-breakpoint
CREATE INDEX "vendor_rate_reservations_slot_idx" ON "vendor_rate_reservations" USING btree ("slot_at");