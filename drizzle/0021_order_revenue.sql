-- Revenue in the ledger (issue 17 item 9): the order_revenue transfer kind (an order's margin,
-- vendor settlement -> platform revenue, once per order) and orders.settled_cost (what the vendor
-- charged for the delivered cards). The reference check compares kind as text: the enum value
-- added here cannot be used as one inside this migration's transaction.
ALTER TYPE "public"."ledger_transfer_kind" ADD VALUE 'order_revenue';--> statement-breakpoint
ALTER TABLE "ledger_transfers" DROP CONSTRAINT "ledger_transfers_reference_required_ck";--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "settled_cost" numeric(19, 4);--> statement-breakpoint
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_reference_required_ck" CHECK ("ledger_transfers"."kind"::text not in ('order_debit', 'order_refund', 'topup_approval', 'sandbox_grant', 'order_revenue') or "ledger_transfers"."reference" is not null);--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_settled_cost_ck" CHECK ("orders"."settled_cost" is null or "orders"."settled_cost" >= 0);