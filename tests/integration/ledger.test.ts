import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";
import { addAmounts } from "@/lib/money";
import {
  AccountNotFoundError,
  CurrencyMismatchError,
  EnvironmentMismatchError,
  InsufficientFundsError,
  InvalidLedgerRequestError,
  LedgerConflictError,
  OrderDebitNotFoundError,
  RefundExceedsDebitError,
  adminAdjust,
  adminCredit,
  checkInvariants,
  debitForOrder,
  getBalance,
  getOrCreateWallet,
  getSystemAccount,
  grantSandboxFunds,
  listEntries,
  refundOrder,
  transfer,
} from "@/server/ledger";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(20);
});
afterAll(async () => t.close());

const admin = "usr_admin";

async function fundedWallet(amount: string, currency = "USD") {
  const partnerId = await makePartner(t.db);
  await adminCredit(t.db, { partnerId, currency, amount, reason: "opening balance", actor: admin });
  const wallet = await getOrCreateWallet(t.db, partnerId, "live", currency);
  return { partnerId, wallet };
}

async function sumOfEntries(accountId: string) {
  const [row] = await t.sql<{ total: string }[]>`
    select coalesce(sum(amount), 0)::numeric(19,4)::text as total from ledger_entries where account_id = ${accountId}`;
  return row!.total;
}

describe("transfers", () => {
  it("moves money between two accounts with one entry per side and updates both balances", async () => {
    const { partnerId, wallet } = await fundedWallet("100.00");
    const settlement = await getSystemAccount(t.db, "vendor_settlement", "USD", "live");
    const before = await getBalance(t.db, settlement.id);
    const { transfer: trf, created } = await transfer(t.db, {
      kind: "order_debit",
      amount: "25.5",
      currency: "USD",
      debitAccountId: wallet.id,
      creditAccountId: settlement.id,
      reference: newId("ord"),
      actor: partnerId,
    });
    expect(created).toBe(true);
    expect(trf.id).toMatch(/^trf_/);
    expect(trf.amount).toBe("25.5000");
    expect(await getBalance(t.db, wallet.id)).toBe("74.5000");
    const entries = await t.sql`select account_id, amount::text from ledger_entries where transfer_id = ${trf.id} order by amount`;
    expect(entries.map((e) => [e.account_id, e.amount])).toEqual([
      [wallet.id, "-25.5000"],
      [settlement.id, "25.5000"],
    ]);
    expect(await sumOfEntries(wallet.id)).toBe("74.5000");
    expect(await getBalance(t.db, settlement.id)).toBe(addAmounts(before, "25.5"));
  });

  it("replays a referenced transfer without moving money again and refuses a different replay", async () => {
    const { wallet } = await fundedWallet("50.00");
    const settlement = await getSystemAccount(t.db, "vendor_settlement", "USD");
    const input = {
      kind: "order_debit" as const,
      amount: "10.00",
      currency: "USD",
      debitAccountId: wallet.id,
      creditAccountId: settlement.id,
      reference: newId("ord"),
      actor: admin,
    };
    const first = await transfer(t.db, input);
    const again = await transfer(t.db, { ...input, amount: "10.0000" });
    expect(again).toEqual({ transfer: first.transfer, created: false });
    await expect(transfer(t.db, { ...input, amount: "11.00" })).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await getBalance(t.db, wallet.id)).toBe("40.0000");
  });

  it("refuses an overdraft, a currency mismatch, mixed environments and unknown accounts with typed errors", async () => {
    const { partnerId, wallet } = await fundedWallet("5.00");
    const settlement = await getSystemAccount(t.db, "vendor_settlement", "USD");
    const eur = await getSystemAccount(t.db, "vendor_settlement", "EUR");
    const sandbox = await getSystemAccount(t.db, "vendor_settlement", "USD", "sandbox");
    const base = { kind: "admin_adjustment" as const, currency: "USD", actor: admin, debitAccountId: wallet.id };
    await expect(transfer(t.db, { ...base, amount: "5.0001", creditAccountId: settlement.id })).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(transfer(t.db, { ...base, amount: "1", creditAccountId: eur.id })).rejects.toBeInstanceOf(CurrencyMismatchError);
    await expect(transfer(t.db, { ...base, amount: "1", creditAccountId: sandbox.id })).rejects.toBeInstanceOf(EnvironmentMismatchError);
    await expect(transfer(t.db, { ...base, amount: "1", creditAccountId: "acc_nope" })).rejects.toBeInstanceOf(AccountNotFoundError);
    await expect(transfer(t.db, { ...base, amount: "0", creditAccountId: settlement.id })).rejects.toThrow(/zero/);
    await expect(transfer(t.db, { ...base, amount: "1", creditAccountId: wallet.id })).rejects.toBeInstanceOf(InvalidLedgerRequestError);
    await expect(transfer(t.db, { ...base, kind: "order_debit", amount: "1", creditAccountId: settlement.id })).rejects.toBeInstanceOf(
      InvalidLedgerRequestError,
    );
    expect(await getBalance(t.db, wallet.id)).toBe("5.0000");
    expect(partnerId).toMatch(/^ptn_/);
  });

  it("rolls back only its own savepoint when it fails inside the caller's transaction", async () => {
    const { partnerId, wallet } = await fundedWallet("3.00");
    const orderId = newId("ord");
    await t.db.transaction(async (tx) => {
      await expect(debitForOrder(tx, { partnerId, environment: "live", currency: "USD", amount: "4.00", orderId })).rejects.toBeInstanceOf(
        InsufficientFundsError,
      );
      await debitForOrder(tx, { partnerId, environment: "live", currency: "USD", amount: "3.00", orderId });
    });
    expect(await getBalance(t.db, wallet.id)).toBe("0.0000");
  });

  it("never deadlocks when opposite transfers between the same two accounts run concurrently", async () => {
    const a = await fundedWallet("100.00");
    const b = await fundedWallet("100.00");
    const moves = Array.from({ length: 60 }, (_, i) =>
      transfer(t.db, {
        kind: "admin_adjustment",
        amount: "1.00",
        currency: "USD",
        debitAccountId: i % 2 ? a.wallet.id : b.wallet.id,
        creditAccountId: i % 2 ? b.wallet.id : a.wallet.id,
        actor: admin,
      }),
    );
    await Promise.all(moves);
    expect(await getBalance(t.db, a.wallet.id)).toBe("100.0000");
    expect(await getBalance(t.db, b.wallet.id)).toBe("100.0000");
  });
});

describe("concurrent wallet debits", () => {
  it("lets exactly 150 of 200 concurrent debits through when the balance covers 150", async () => {
    const { partnerId, wallet } = await fundedWallet("1500.00");
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => debitForOrder(t.db, { partnerId, environment: "live", currency: "USD", amount: "10.00", orderId: newId("ord") })),
    );
    const ms = performance.now() - started;
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(150);
    expect(failed).toHaveLength(50);
    for (const f of failed) expect(f.reason).toBeInstanceOf(InsufficientFundsError);
    expect(await getBalance(t.db, wallet.id)).toBe("0.0000");
    expect(await sumOfEntries(wallet.id)).toBe("0.0000");
    console.info(`200 concurrent debits on one wallet: ${ms.toFixed(0)} ms`);
  });
});

describe("refunds", () => {
  it("moves money once when the same refund is requested 20 times concurrently", async () => {
    const { partnerId, wallet } = await fundedWallet("30.00");
    const orderId = newId("ord");
    await debitForOrder(t.db, { partnerId, environment: "live", currency: "USD", amount: "30.00", orderId });
    const results = await Promise.all(Array.from({ length: 20 }, () => refundOrder(t.db, { orderId })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.transfer.id)).size).toBe(1);
    expect(await getBalance(t.db, wallet.id)).toBe("30.0000");
    const [row] = await t.sql`select count(*)::int as n from ledger_transfers where kind = 'order_refund' and reference = ${orderId}`;
    expect(row!.n).toBe(1);
  });

  it("refuses a refund larger than the debit and allows a partial one only once", async () => {
    const { partnerId, wallet } = await fundedWallet("20.00");
    const orderId = newId("ord");
    await debitForOrder(t.db, { partnerId, environment: "live", currency: "USD", amount: "12.50", orderId });
    await expect(refundOrder(t.db, { orderId, amount: "12.5001" })).rejects.toBeInstanceOf(RefundExceedsDebitError);
    await refundOrder(t.db, { orderId, amount: "2.50" });
    await expect(refundOrder(t.db, { orderId, amount: "10.00" })).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await getBalance(t.db, wallet.id)).toBe("10.0000");
    await expect(refundOrder(t.db, { orderId: newId("ord") })).rejects.toBeInstanceOf(OrderDebitNotFoundError);
  });
});

describe("wallet operations", () => {
  it("grants sandbox funds once per partner, in the sandbox wallet only", async () => {
    const partnerId = await makePartner(t.db);
    const results = await Promise.all([grantSandboxFunds(t.db, partnerId), grantSandboxFunds(t.db, partnerId)]);
    await grantSandboxFunds(t.db, partnerId);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const sandbox = await getOrCreateWallet(t.db, partnerId, "sandbox", "USD");
    const live = await getOrCreateWallet(t.db, partnerId, "live", "USD");
    expect(sandbox.balance).toBe("1000.0000");
    expect(live.balance).toBe("0.0000");
  });

  it("requires a reason for admin credits and adjustments and adjusts in both directions", async () => {
    const partnerId = await makePartner(t.db);
    await expect(adminCredit(t.db, { partnerId, currency: "USD", amount: "5", reason: "  ", actor: admin })).rejects.toBeInstanceOf(InvalidLedgerRequestError);
    await adminCredit(t.db, { partnerId, currency: "USD", amount: "5", reason: "wire 123", actor: admin });
    await adminAdjust(t.db, { partnerId, currency: "USD", amount: "-1.25", reason: "fee correction", actor: admin });
    await adminAdjust(t.db, { partnerId, currency: "USD", amount: "0.25", reason: "goodwill", actor: admin });
    await expect(adminAdjust(t.db, { partnerId, currency: "USD", amount: "-4.0001", reason: "too much", actor: admin })).rejects.toBeInstanceOf(
      InsufficientFundsError,
    );
    const wallet = await getOrCreateWallet(t.db, partnerId, "live", "USD");
    expect(wallet.balance).toBe("4.0000");
  });

  it("lists a wallet's entries newest first by cursor", async () => {
    const { partnerId, wallet } = await fundedWallet("10.00");
    for (let i = 1; i <= 4; i++) {
      await debitForOrder(t.db, { partnerId, environment: "live", currency: "USD", amount: `${i}.00`, orderId: newId("ord") });
    }
    const page1 = await listEntries(t.db, wallet.id, { limit: 3, partnerId });
    expect(page1.data.map((e) => e.amount)).toEqual(["-4.0000", "-3.0000", "-2.0000"]);
    expect(page1.hasMore).toBe(true);
    const page2 = await listEntries(t.db, wallet.id, { limit: 3, startingAfter: page1.nextCursor });
    expect(page2.data.map((e) => [e.amount, e.kind])).toEqual([
      ["-1.0000", "order_debit"],
      ["10.0000", "admin_credit"],
    ]);
    expect(page2).toMatchObject({ hasMore: false, nextCursor: null });
    const other = await makePartner(t.db);
    await expect(listEntries(t.db, wallet.id, { partnerId: other })).rejects.toBeInstanceOf(AccountNotFoundError);
  });
});

describe("database guards", () => {
  it("refuses UPDATE and DELETE on entries and transfers", async () => {
    const { wallet } = await fundedWallet("1.00");
    const [entry] = await t.sql`select id, transfer_id from ledger_entries where account_id = ${wallet.id} limit 1`;
    await expect(t.sql`update ledger_entries set amount = 1000 where id = ${entry!.id}`).rejects.toThrow(/immutable/);
    await expect(t.sql`delete from ledger_entries where id = ${entry!.id}`).rejects.toThrow(/immutable/);
    await expect(t.sql`update ledger_transfers set amount = 1000 where id = ${entry!.transfer_id}`).rejects.toThrow(/immutable/);
    await expect(t.sql`delete from ledger_transfers where id = ${entry!.transfer_id}`).rejects.toThrow(/immutable/);
    await expect(t.sql`truncate ledger_entries cascade`).rejects.toThrow(/immutable/);
    expect(await sumOfEntries(wallet.id)).toBe("1.0000");
  });

  it("refuses a negative wallet, a non-positive transfer, a duplicate reference and a cross-currency entry", async () => {
    const { wallet } = await fundedWallet("1.00");
    const funding = await getSystemAccount(t.db, "external_funding", "USD");
    const eurFunding = await getSystemAccount(t.db, "external_funding", "EUR");
    await expect(t.sql`update ledger_accounts set balance = -0.0001 where id = ${wallet.id}`).rejects.toThrow(/ledger_accounts_wallet_non_negative_ck/);
    const insert = (id: string, amount: string, currency: string, debit: string, reference: string | null) =>
      t.sql`insert into ledger_transfers (id, kind, amount, currency, environment, debit_account_id, credit_account_id, reference, actor)
            values (${id}, 'order_debit', ${amount}, ${currency}, 'live', ${debit}, ${wallet.id}, ${reference}, 'test')`;
    await expect(insert(newId("trf"), "0", "USD", funding.id, "r1")).rejects.toThrow(/amount_positive/);
    await expect(insert(newId("trf"), "-1", "USD", funding.id, "r1")).rejects.toThrow(/amount_positive/);
    await expect(insert(newId("trf"), "1", "EUR", eurFunding.id, "r1")).rejects.toThrow(/ledger_transfers_credit_fk/);
    await expect(insert(newId("trf"), "1", "USD", funding.id, null)).rejects.toThrow(/reference_required/);
    await t.sql
      .begin(async (sql) => {
        const id = newId("trf");
        await sql`insert into ledger_transfers (id, kind, amount, currency, environment, debit_account_id, credit_account_id, reference, actor)
                values (${id}, 'order_debit', 1, 'USD', 'live', ${funding.id}, ${wallet.id}, 'dup-ref', 'test')`;
        await expect(
          sql`insert into ledger_transfers (id, kind, amount, currency, environment, debit_account_id, credit_account_id, reference, actor)
            values (${newId("trf")}, 'order_debit', 1, 'USD', 'live', ${funding.id}, ${wallet.id}, 'dup-ref', 'test')`,
        ).rejects.toThrow(/ledger_transfers_kind_reference_uq/);
        throw new Error("rollback");
      })
      .catch((e: Error) => expect(e.message).toBe("rollback"));
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });
});

describe("vendor settlement shards", () => {
  it("spreads order debits over the settlement shards and keeps each refund on its order's shard", async () => {
    const { debitForOrder, refundOrder, SETTLEMENT_SHARDS } = await import("@/server/ledger");
    const { partnerId } = await fundedWallet("1000.00");
    const orderIds = Array.from({ length: 40 }, () => newId("ord"));
    await Promise.all(orderIds.map((orderId) => debitForOrder(t.db, { partnerId, environment: "live", currency: "USD", amount: "1.00", orderId })));
    await refundOrder(t.db, { orderId: orderIds[0]! });
    const shards = await t.sql<{ shard: number; balance: string }[]>`
      select shard, balance::text from ledger_accounts where kind = 'vendor_settlement' and currency = 'USD' and environment = 'live' order by shard`;
    expect(shards.length).toBeGreaterThan(1);
    expect(shards.length).toBeLessThanOrEqual(SETTLEMENT_SHARDS);
    const [{ refundSide }] = (await t.sql`
      select (select debit_account_id from ledger_transfers where kind = 'order_refund' and reference = ${orderIds[0]!}) =
             (select credit_account_id from ledger_transfers where kind = 'order_debit' and reference = ${orderIds[0]!}) as "refundSide"`) as unknown as [
      { refundSide: boolean },
    ];
    expect(refundSide).toBe(true);
    expect((await checkInvariants(t.db)).ok).toBe(true);
  });
});
