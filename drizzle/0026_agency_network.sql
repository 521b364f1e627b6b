CREATE TYPE "public"."partner_kind" AS ENUM('direct', 'agent', 'sub_agent');--> statement-breakpoint
CREATE TYPE "public"."agency_event_kind" AS ENUM('converted_to_agent', 'created_sub_agent', 'moved', 'share_changed');--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'agent_commission';--> statement-breakpoint
ALTER TYPE "public"."ledger_transfer_kind" ADD VALUE 'agent_funding';--> statement-breakpoint
ALTER TYPE "public"."ledger_transfer_kind" ADD VALUE 'agent_recall';--> statement-breakpoint
ALTER TYPE "public"."ledger_transfer_kind" ADD VALUE 'agent_commission';--> statement-breakpoint
ALTER TYPE "public"."ledger_transfer_kind" ADD VALUE 'agent_commission_reversal';--> statement-breakpoint
ALTER TYPE "public"."ledger_transfer_kind" ADD VALUE 'commission_payout';--> statement-breakpoint
CREATE TABLE "agency_agents" (
	"partner_id" text PRIMARY KEY NOT NULL,
	"revenue_share_bps" integer NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agency_agents_share_ck" CHECK ("agency_agents"."revenue_share_bps" between 0 and 10000)
);
--> statement-breakpoint
CREATE TABLE "agency_hierarchy_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "agency_hierarchy_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"partner_id" text NOT NULL,
	"event" "agency_event_kind" NOT NULL,
	"from_kind" "partner_kind",
	"to_kind" "partner_kind",
	"from_parent_id" text,
	"to_parent_id" text,
	"from_share_bps" integer,
	"to_share_bps" integer,
	"actor" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agency_limits" (
	"partner_id" text NOT NULL,
	"currency" text NOT NULL,
	"daily_cap" numeric(19, 4),
	"per_order_cap" numeric(19, 4),
	"low_balance_threshold" numeric(19, 4),
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agency_limits_pk" PRIMARY KEY("partner_id","currency"),
	CONSTRAINT "agency_limits_currency_ck" CHECK ("agency_limits"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "agency_limits_daily_ck" CHECK ("agency_limits"."daily_cap" is null or "agency_limits"."daily_cap" > 0),
	CONSTRAINT "agency_limits_per_order_ck" CHECK ("agency_limits"."per_order_cap" is null or "agency_limits"."per_order_cap" > 0),
	CONSTRAINT "agency_limits_low_ck" CHECK ("agency_limits"."low_balance_threshold" is null or "agency_limits"."low_balance_threshold" >= 0)
);
--> statement-breakpoint
ALTER TABLE "ledger_accounts" DROP CONSTRAINT "ledger_accounts_wallet_owner_ck";--> statement-breakpoint
ALTER TABLE "ledger_transfers" DROP CONSTRAINT "ledger_transfers_reference_required_ck";--> statement-breakpoint
DROP INDEX "ledger_accounts_system_uq";--> statement-breakpoint
ALTER TABLE "partners" ADD COLUMN "kind" "partner_kind" DEFAULT 'direct' NOT NULL;--> statement-breakpoint
ALTER TABLE "partners" ADD COLUMN "parent_id" text;--> statement-breakpoint
ALTER TABLE "agency_agents" ADD CONSTRAINT "agency_agents_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_hierarchy_events" ADD CONSTRAINT "agency_hierarchy_events_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_limits" ADD CONSTRAINT "agency_limits_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agency_hierarchy_events_partner_idx" ON "agency_hierarchy_events" USING btree ("partner_id","at");--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_parent_id_partners_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partners_parent_idx" ON "partners" USING btree ("parent_id") WHERE "partners"."parent_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_commission_uq" ON "ledger_accounts" USING btree ("partner_id","environment","currency") WHERE "ledger_accounts"."kind" <> 'partner_wallet' and "ledger_accounts"."partner_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_system_uq" ON "ledger_accounts" USING btree ("kind","currency","environment","shard") WHERE "ledger_accounts"."partner_id" is null;--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_sub_agent_parent_ck" CHECK ("partners"."kind" <> 'sub_agent' or "partners"."parent_id" is not null);--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_parent_not_self_ck" CHECK ("partners"."parent_id" is null or "partners"."parent_id" <> "partners"."id");--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_wallet_owner_ck" CHECK (("ledger_accounts"."kind"::text in ('partner_wallet', 'agent_commission')) = ("ledger_accounts"."partner_id" is not null));--> statement-breakpoint
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_reference_required_ck" CHECK ("ledger_transfers"."kind"::text not in ('order_debit', 'order_refund', 'topup_approval', 'sandbox_grant', 'order_revenue', 'agent_funding', 'agent_recall', 'agent_commission', 'agent_commission_reversal', 'commission_payout') or "ledger_transfers"."reference" is not null);