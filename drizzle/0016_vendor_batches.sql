CREATE TYPE "public"."vendor_batch_status" AS ENUM('open', 'placing', 'placed', 'settled', 'failed', 'empty');--> statement-breakpoint
CREATE TABLE "vendor_batches" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" "ledger_environment" NOT NULL,
	"account" text NOT NULL,
	"product_id" text NOT NULL,
	"vendor_product_id" text NOT NULL,
	"face_value" numeric(19, 4) NOT NULL,
	"face_currency" text NOT NULL,
	"vendor_request_id" text NOT NULL,
	"status" "vendor_batch_status" DEFAULT 'open' NOT NULL,
	"quantity" integer DEFAULT 0 NOT NULL,
	"members" integer DEFAULT 0 NOT NULL,
	"close_at" timestamp (3) with time zone NOT NULL,
	"vendor_order_id" text,
	"vendor_status" text,
	"failure_code" text,
	"next_poll_at" timestamp (3) with time zone,
	"poll_count" integer DEFAULT 0 NOT NULL,
	"last_polled_at" timestamp (3) with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"placed_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "vendor_batches_quantity_ck" CHECK ("vendor_batches"."quantity" between 0 and 500)
);
--> statement-breakpoint
ALTER TABLE "order_cards" ADD COLUMN "batch_id" text;--> statement-breakpoint
ALTER TABLE "order_cards" ADD COLUMN "batch_position" integer;--> statement-breakpoint
-- Orders made before batching keep their own placement (their request id may be at the vendor already): false for every existing row, true from now on.
ALTER TABLE "orders" ADD COLUMN "batched" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "batched" SET DEFAULT true;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "batch_id" text;--> statement-breakpoint
ALTER TABLE "vendor_batches" ADD CONSTRAINT "vendor_batches_product_id_catalog_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."catalog_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "vendor_batches_request_uq" ON "vendor_batches" USING btree ("vendor_request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "vendor_batches_open_uq" ON "vendor_batches" USING btree ("environment","account","vendor_product_id","face_value","face_currency") WHERE "vendor_batches"."status" = 'open';--> statement-breakpoint
CREATE INDEX "vendor_batches_status_updated_idx" ON "vendor_batches" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "vendor_batches_next_poll_idx" ON "vendor_batches" USING btree ("next_poll_at") WHERE "vendor_batches"."status" in ('placing', 'placed');--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_batch_id_vendor_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."vendor_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "order_cards_batch_position_uq" ON "order_cards" USING btree ("batch_id","batch_position");--> statement-breakpoint
CREATE INDEX "orders_batch_idx" ON "orders" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "orders_batch_pool_idx" ON "orders" USING btree ("environment","product_id","face_value","created_at") WHERE "orders"."status" = 'pending' and "orders"."batched" and "orders"."batch_id" is null;