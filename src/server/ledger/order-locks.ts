import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db/client";

/**
 * Locks, in the caller's transaction, every ledger account that settling these orders may move
 * money in, all in one statement and in account id order, the one global lock order of the
 * ledger. Call it before the first transfer of a transaction that moves money for several orders,
 * or several times for one (a batch failing its members, a settlement that refunds then
 * recognises margins): the transfers after it find their accounts already locked and take no
 * lock of their own, so two such transactions queue on their first common account instead of
 * each holding one that the other waits for (`deadlock detected` in `ledger_transfer`).
 *
 * The lock is `ledger_transfer`'s own (FOR NO KEY UPDATE, drizzle/0011): the same row locks the
 * transfers would take, taken earlier. A single transfer locks its two accounts in id order too,
 * so it cannot close a cycle with a transaction that holds all of its accounts in id order; and
 * `recognizeOrderRevenue`'s order (settlement shard, then order) only orders its transfers, whose
 * accounts are all held by then.
 *
 * - `refunding`: both sides of every transfer already made for the order: its `order_debit` (the
 *   partner's wallet and the order's settlement shard) and, for an order that completed, its
 *   revenue and commission transfers, which a refund reverses.
 * - `completing`: what recognising the order's margin moves: its settlement shard, the platform
 *   revenue account of that shard (same currency and environment) and, for a sub-agent's order,
 *   its agent's commission account (when they exist; one created later in the transaction is new,
 *   so nobody else holds it).
 */
export async function lockOrderAccounts(tx: DbOrTx, orders: { refunding?: readonly string[]; completing?: readonly string[] }): Promise<void> {
  const parts: SQL[] = [];
  if (orders.refunding?.length) {
    const ids = idList(orders.refunding);
    parts.push(sql`select t.debit_account_id as id from ledger_transfers t where t.kind in ${ORDER_KINDS} and t.reference in (${ids})`);
    parts.push(sql`select t.credit_account_id from ledger_transfers t where t.kind in ${ORDER_KINDS} and t.reference in (${ids})`);
  }
  if (orders.completing?.length) {
    const ids = idList(orders.completing);
    parts.push(sql`select d.credit_account_id from ledger_transfers d where d.kind = 'order_debit' and d.reference in (${ids})`);
    parts.push(sql`select r.id from ledger_transfers d
      join ledger_accounts s on s.id = d.credit_account_id
      join ledger_accounts r on r.kind = 'platform_revenue' and r.partner_id is null
        and r.currency = s.currency and r.environment = s.environment and r.shard = s.shard
      where d.kind = 'order_debit' and d.reference in (${ids})`);
    parts.push(sql`select c.id from orders o
      join partners p on p.id = o.partner_id and p.kind = 'sub_agent'
      join ledger_accounts c on c.kind = 'agent_commission' and c.partner_id = p.parent_id
        and c.currency = o.currency and c.environment::text = o.environment::text
      where o.id in (${ids})`);
  }
  if (parts.length === 0) return;
  await tx.execute(sql`select a.id from ledger_accounts a where a.id in (${sql.join(parts, sql` union `)}) order by a.id for no key update`);
}

const idList = (ids: readonly string[]) =>
  sql.join(
    [...new Set(ids)].map((id) => sql`${id}`),
    sql`, `,
  );

/** The transfer kinds whose reference is an order id. */
const ORDER_KINDS = sql.raw(
  `('${["order_debit", "order_refund", "order_revenue", "order_revenue_reversal", "agent_commission", "agent_commission_reversal"].join("', '")}')`,
);
