CREATE TYPE "public"."ledger_account_kind" AS ENUM('partner_wallet', 'platform_revenue', 'vendor_settlement', 'sandbox_mint', 'external_funding');--> statement-breakpoint
CREATE TYPE "public"."ledger_environment" AS ENUM('sandbox', 'live');--> statement-breakpoint
CREATE TYPE "public"."ledger_transfer_kind" AS ENUM('order_debit', 'order_refund', 'topup_approval', 'sandbox_grant', 'admin_credit', 'admin_adjustment');--> statement-breakpoint
CREATE TYPE "public"."topup_status" AS ENUM('pending', 'approved', 'rejected');--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "ledger_account_kind" NOT NULL,
	"partner_id" text,
	"environment" "ledger_environment" NOT NULL,
	"currency" text NOT NULL,
	"balance" numeric(19, 4) DEFAULT '0' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_accounts_id_currency_env_uq" UNIQUE("id","currency","environment"),
	CONSTRAINT "ledger_accounts_currency_ck" CHECK ("ledger_accounts"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "ledger_accounts_wallet_owner_ck" CHECK (("ledger_accounts"."kind" = 'partner_wallet') = ("ledger_accounts"."partner_id" is not null)),
	CONSTRAINT "ledger_accounts_wallet_non_negative_ck" CHECK ("ledger_accounts"."kind" <> 'partner_wallet' or "ledger_accounts"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "ledger_entries_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"transfer_id" text NOT NULL,
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"environment" "ledger_environment" NOT NULL,
	"amount" numeric(19, 4) NOT NULL,
	"balance_after" numeric(19, 4) NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "ledger_entries_amount_nonzero_ck" CHECK ("ledger_entries"."amount" <> 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_transfers" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "ledger_transfer_kind" NOT NULL,
	"amount" numeric(19, 4) NOT NULL,
	"currency" text NOT NULL,
	"environment" "ledger_environment" NOT NULL,
	"debit_account_id" text NOT NULL,
	"credit_account_id" text NOT NULL,
	"reference" text,
	"actor" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_transfers_amount_positive_ck" CHECK ("ledger_transfers"."amount" > 0),
	CONSTRAINT "ledger_transfers_distinct_accounts_ck" CHECK ("ledger_transfers"."debit_account_id" <> "ledger_transfers"."credit_account_id"),
	CONSTRAINT "ledger_transfers_reference_required_ck" CHECK ("ledger_transfers"."kind" not in ('order_debit', 'order_refund', 'topup_approval', 'sandbox_grant') or "ledger_transfers"."reference" is not null)
);
--> statement-breakpoint
CREATE TABLE "topup_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"environment" "ledger_environment" DEFAULT 'live' NOT NULL,
	"currency" text NOT NULL,
	"amount" numeric(19, 4) NOT NULL,
	"status" "topup_status" DEFAULT 'pending' NOT NULL,
	"note" text,
	"requested_by" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decision_reason" text,
	"transfer_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "topup_requests_amount_positive_ck" CHECK ("topup_requests"."amount" > 0),
	CONSTRAINT "topup_requests_currency_ck" CHECK ("topup_requests"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "topup_requests_approved_has_transfer_ck" CHECK (("topup_requests"."status" = 'approved') = ("topup_requests"."transfer_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_transfer_id_ledger_transfers_id_fk" FOREIGN KEY ("transfer_id") REFERENCES "public"."ledger_transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_fk" FOREIGN KEY ("account_id","currency","environment") REFERENCES "public"."ledger_accounts"("id","currency","environment") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_debit_fk" FOREIGN KEY ("debit_account_id","currency","environment") REFERENCES "public"."ledger_accounts"("id","currency","environment") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_credit_fk" FOREIGN KEY ("credit_account_id","currency","environment") REFERENCES "public"."ledger_accounts"("id","currency","environment") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topup_requests" ADD CONSTRAINT "topup_requests_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topup_requests" ADD CONSTRAINT "topup_requests_transfer_id_ledger_transfers_id_fk" FOREIGN KEY ("transfer_id") REFERENCES "public"."ledger_transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_wallet_uq" ON "ledger_accounts" USING btree ("partner_id","environment","currency") WHERE "ledger_accounts"."kind" = 'partner_wallet';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_system_uq" ON "ledger_accounts" USING btree ("kind","currency","environment") WHERE "ledger_accounts"."kind" <> 'partner_wallet';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_account_seq_uq" ON "ledger_entries" USING btree ("account_id","seq");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_created_idx" ON "ledger_entries" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_transfer_idx" ON "ledger_entries" USING btree ("transfer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_transfers_kind_reference_uq" ON "ledger_transfers" USING btree ("kind","reference") WHERE "ledger_transfers"."reference" is not null;--> statement-breakpoint
CREATE INDEX "ledger_transfers_debit_idx" ON "ledger_transfers" USING btree ("debit_account_id");--> statement-breakpoint
CREATE INDEX "ledger_transfers_credit_idx" ON "ledger_transfers" USING btree ("credit_account_id");--> statement-breakpoint
CREATE INDEX "topup_requests_partner_created_idx" ON "topup_requests" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE INDEX "topup_requests_status_idx" ON "topup_requests" USING btree ("status","created_at");