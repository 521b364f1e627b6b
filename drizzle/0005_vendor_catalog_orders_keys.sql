CREATE TYPE "public"."order_status" AS ENUM('pending', 'processing', 'completed', 'failed');--> statement-breakpoint
CREATE TABLE "mock_vendor_accounts" (
	"id" integer PRIMARY KEY NOT NULL,
	"currency" text NOT NULL,
	"balance" numeric(19, 4) NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mock_vendor_brands" (
	"internal_id" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"country_code" text NOT NULL,
	"currency_code" text NOT NULL,
	"description" text,
	"disclaimer" text,
	"redemption_instructions" text,
	"terms" text,
	"logo_url" text,
	"modified_date" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mock_vendor_checkout_attempts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mock_vendor_checkout_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"request_id" text NOT NULL,
	"client_id" text NOT NULL,
	"answer_status" integer,
	"at" timestamp (6) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mock_vendor_orders" (
	"order_id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mock_vendor_orders_order_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 700001 CACHE 1),
	"request_id" text NOT NULL,
	"client_id" text NOT NULL,
	"account_id" integer NOT NULL,
	"items" jsonb NOT NULL,
	"currency" text NOT NULL,
	"total" numeric(19, 4) NOT NULL,
	"outcome" text NOT NULL,
	"fulfil_ms" integer NOT NULL,
	"malformed" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mock_vendor_orders_request_id_unique" UNIQUE("request_id")
);
--> statement-breakpoint
CREATE TABLE "mock_vendor_products" (
	"id" integer PRIMARY KEY NOT NULL,
	"brand_id" text NOT NULL,
	"name" text NOT NULL,
	"min_face_value" numeric(19, 4) NOT NULL,
	"max_face_value" numeric(19, 4) NOT NULL,
	"cost_factor" numeric(12, 8) NOT NULL,
	"price_currency" text NOT NULL,
	"modified_date" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mock_vendor_rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"updated_at" timestamp (6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vendor_calls" (
	"id" text PRIMARY KEY NOT NULL,
	"vendor" text NOT NULL,
	"account" text NOT NULL,
	"kind" text NOT NULL,
	"method" text NOT NULL,
	"endpoint" text NOT NULL,
	"attempt" integer NOT NULL,
	"status" integer,
	"duration_ms" integer NOT NULL,
	"order_id" text,
	"request_id" text,
	"request_body" text,
	"response_body" text,
	"error_kind" text,
	"error" text,
	"started_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vendor_rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"next_at" timestamp (6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_brands" (
	"id" text PRIMARY KEY NOT NULL,
	"vendor_brand_id" text NOT NULL,
	"name" text NOT NULL,
	"country_code" text NOT NULL,
	"currency" text NOT NULL,
	"description" text,
	"logo_url" text,
	"active" boolean DEFAULT true NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_products" (
	"id" text PRIMARY KEY NOT NULL,
	"sku" text NOT NULL,
	"vendor_product_id" text NOT NULL,
	"brand_id" text NOT NULL,
	"name" text NOT NULL,
	"country_code" text NOT NULL,
	"currency" text NOT NULL,
	"min_face_value" numeric(19, 4) NOT NULL,
	"max_face_value" numeric(19, 4) NOT NULL,
	"cost_currency" text NOT NULL,
	"cost_rate" numeric(12, 8) NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	CONSTRAINT "catalog_products_range_ck" CHECK ("catalog_products"."min_face_value" > 0 and "catalog_products"."max_face_value" >= "catalog_products"."min_face_value"),
	CONSTRAINT "catalog_products_cost_ck" CHECK ("catalog_products"."cost_rate" > 0)
);
--> statement-breakpoint
CREATE TABLE "catalog_sync_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"brands" integer DEFAULT 0 NOT NULL,
	"products" integer DEFAULT 0 NOT NULL,
	"deactivated" integer DEFAULT 0 NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "partner_product_prices" (
	"partner_id" text NOT NULL,
	"product_id" text NOT NULL,
	"markup_bps" integer NOT NULL,
	"approved_by" text NOT NULL,
	"approved_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partner_product_prices_partner_id_product_id_pk" PRIMARY KEY("partner_id","product_id"),
	CONSTRAINT "partner_product_prices_markup_ck" CHECK ("partner_product_prices"."markup_bps" >= 0 and "partner_product_prices"."markup_bps" <= 10000)
);
--> statement-breakpoint
CREATE TABLE "consistency_checks" (
	"id" text PRIMARY KEY NOT NULL,
	"ok" boolean NOT NULL,
	"drift_accounts" integer NOT NULL,
	"report" jsonb NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_cards" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"partner_id" text NOT NULL,
	"position" integer NOT NULL,
	"vendor_card_id" text,
	"code_encrypted" text NOT NULL,
	"pin_encrypted" text,
	"serial_number" text,
	"face_value" numeric(19, 4) NOT NULL,
	"currency" text NOT NULL,
	"expires_at" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"environment" "ledger_environment" NOT NULL,
	"reference_id" text NOT NULL,
	"request_hash" text NOT NULL,
	"product_id" text NOT NULL,
	"sku" text NOT NULL,
	"face_value" numeric(19, 4) NOT NULL,
	"quantity" integer NOT NULL,
	"face_currency" text NOT NULL,
	"currency" text NOT NULL,
	"unit_price" numeric(19, 4) NOT NULL,
	"total_price" numeric(19, 4) NOT NULL,
	"vendor_cost" numeric(19, 4) NOT NULL,
	"status" "order_status" DEFAULT 'pending' NOT NULL,
	"vendor_request_id" text NOT NULL,
	"vendor_order_id" text,
	"vendor_status" text,
	"cards_delivered" integer DEFAULT 0 NOT NULL,
	"refunded_amount" numeric(19, 4) DEFAULT '0' NOT NULL,
	"failure_code" text,
	"failure_message" text,
	"poll_count" integer DEFAULT 0 NOT NULL,
	"source" text DEFAULT 'api' NOT NULL,
	"created_by" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"placed_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "orders_quantity_ck" CHECK ("orders"."quantity" between 1 and 500),
	CONSTRAINT "orders_amounts_ck" CHECK ("orders"."face_value" > 0 and "orders"."unit_price" > 0 and "orders"."total_price" > 0),
	CONSTRAINT "orders_refund_ck" CHECK ("orders"."refunded_amount" >= 0 and "orders"."refunded_amount" <= "orders"."total_price"),
	CONSTRAINT "orders_cards_ck" CHECK ("orders"."cards_delivered" between 0 and "orders"."quantity")
);
--> statement-breakpoint
CREATE TABLE "reconciliation_issues" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text,
	"vendor_request_id" text,
	"kind" text NOT NULL,
	"our_status" text,
	"vendor_status" text,
	"detail" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"environment" "ledger_environment" NOT NULL,
	"name" text,
	"start" text NOT NULL,
	"hash" text NOT NULL,
	"ip_allowlist" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"rotated_to_id" text
);
--> statement-breakpoint
CREATE TABLE "rate_limit_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" numeric(12, 4) NOT NULL,
	"updated_at" timestamp (6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "request_logs" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text,
	"environment" text,
	"key_start" text,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"status" integer NOT NULL,
	"latency_ms" integer NOT NULL,
	"ip" text NOT NULL,
	"request_id" text NOT NULL,
	"error_code" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mock_vendor_products" ADD CONSTRAINT "mock_vendor_products_brand_id_mock_vendor_brands_internal_id_fk" FOREIGN KEY ("brand_id") REFERENCES "public"."mock_vendor_brands"("internal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_products" ADD CONSTRAINT "catalog_products_brand_id_catalog_brands_id_fk" FOREIGN KEY ("brand_id") REFERENCES "public"."catalog_brands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_product_prices" ADD CONSTRAINT "partner_product_prices_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_product_prices" ADD CONSTRAINT "partner_product_prices_product_id_catalog_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."catalog_products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_cards" ADD CONSTRAINT "order_cards_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_product_id_catalog_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."catalog_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mock_vendor_brands_position_idx" ON "mock_vendor_brands" USING btree ("position");--> statement-breakpoint
CREATE INDEX "mock_vendor_checkout_attempts_request_idx" ON "mock_vendor_checkout_attempts" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "mock_vendor_products_brand_idx" ON "mock_vendor_products" USING btree ("brand_id");--> statement-breakpoint
CREATE INDEX "vendor_calls_order_idx" ON "vendor_calls" USING btree ("order_id","started_at");--> statement-breakpoint
CREATE INDEX "vendor_calls_request_idx" ON "vendor_calls" USING btree ("request_id","started_at");--> statement-breakpoint
CREATE INDEX "vendor_calls_started_idx" ON "vendor_calls" USING btree ("started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_brands_vendor_uq" ON "catalog_brands" USING btree ("vendor_brand_id");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_products_sku_uq" ON "catalog_products" USING btree ("sku");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_products_vendor_uq" ON "catalog_products" USING btree ("vendor_product_id");--> statement-breakpoint
CREATE INDEX "catalog_products_brand_idx" ON "catalog_products" USING btree ("brand_id");--> statement-breakpoint
CREATE INDEX "partner_product_prices_product_idx" ON "partner_product_prices" USING btree ("product_id");--> statement-breakpoint
CREATE UNIQUE INDEX "order_cards_position_uq" ON "order_cards" USING btree ("order_id","position");--> statement-breakpoint
CREATE INDEX "order_cards_partner_idx" ON "order_cards" USING btree ("partner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_reference_uq" ON "orders" USING btree ("partner_id","environment","reference_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_vendor_request_uq" ON "orders" USING btree ("vendor_request_id");--> statement-breakpoint
CREATE INDEX "orders_partner_created_idx" ON "orders" USING btree ("partner_id","environment","created_at");--> statement-breakpoint
CREATE INDEX "orders_status_updated_idx" ON "orders" USING btree ("status","updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliation_issues_open_uq" ON "reconciliation_issues" USING btree ("order_id","kind") WHERE "reconciliation_issues"."resolved_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_uq" ON "api_keys" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "api_keys_partner_idx" ON "api_keys" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "request_logs_partner_created_idx" ON "request_logs" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE INDEX "request_logs_created_idx" ON "request_logs" USING btree ("created_at");