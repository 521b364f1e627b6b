import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAmounts, formatAmount, subAmounts, sumAmounts } from "@/lib/money";
import {
  adminCredit,
  checkInvariants,
  csvCell,
  getOrCreateWallet,
  getStatement,
  getStatementSummary,
  getSystemAccount,
  statementCsvStream,
  streamStatementCsv,
  type StatementSummary,
} from "@/server/ledger";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";

let t: TestDatabase;
let partnerId: string;
let walletId: string;
const from = new Date("2026-10-01T00:00:00Z");
const to = new Date("2026-11-01T00:00:00Z");
const ENTRIES = 10_000;

/**
 * 10,000 transfers in October (alternating credits and order debits) after a 1,000,000 GBP
 * opening credit in September, written in bulk by SQL with correct running balances (the
 * per-call API would spend most of this file's time on fsyncs); checkInvariants vouches for it.
 */
async function seedStatement() {
  partnerId = await makePartner(t.db, "Statement Partner");
  walletId = (await getOrCreateWallet(t.db, partnerId, "live", "GBP")).id;
  const funding = (await getSystemAccount(t.db, "external_funding", "GBP")).id;
  const settlement = (await getSystemAccount(t.db, "vendor_settlement", "GBP")).id;
  await t.sql.begin(async (sql) => {
    await sql`
      insert into ledger_transfers (id, kind, amount, currency, environment, debit_account_id, credit_account_id, reference, actor, created_at)
      select 'trf_bulk_' || lpad(i::text, 6, '0'),
             (case when i = 0 or i % 2 = 1 then 'admin_credit' else 'order_debit' end)::ledger_transfer_kind,
             case when i = 0 then 1000000 when i % 2 = 1 then (i % 97) + 0.1234 else (i % 89) + 0.0001 end,
             'GBP', 'live',
             case when i = 0 or i % 2 = 1 then ${funding} else ${walletId} end,
             case when i = 0 or i % 2 = 1 then ${walletId} else ${settlement} end,
             case when i = 2 then 'ord,"two"' when i = 4 then '=HYPERLINK("x")' when i % 2 = 0 and i > 0 then 'ord_bulk_' || i end,
             'bulk',
             case when i = 0 then timestamptz '2026-09-15T12:00:00Z' else ${from.toISOString()}::timestamptz + i * interval '1 second' end
      from generate_series(0, ${ENTRIES}) i`;
    await sql`
      insert into ledger_entries (id, transfer_id, account_id, currency, environment, amount, balance_after, created_at)
      select 'ent_bulk_' || s.side || '_' || s.transfer_id, s.transfer_id, s.account_id, 'GBP', 'live', s.amount,
             sum(s.amount) over (partition by s.account_id order by s.created_at, s.transfer_id), s.created_at
      from (
        select id as transfer_id, debit_account_id as account_id, -amount as amount, created_at, 'd' as side
        from ledger_transfers where actor = 'bulk'
        union all
        select id, credit_account_id, amount, created_at, 'c' from ledger_transfers where actor = 'bulk'
      ) s
      order by s.created_at, s.transfer_id, s.side`;
    await sql`
      update ledger_accounts a set balance = e.total
      from (select account_id, sum(amount) as total from ledger_entries group by account_id) e
      where a.id = e.account_id and a.id in (${walletId}, ${funding}, ${settlement})`;
  });
  // After the period: must not count.
  await adminCredit(t.db, { partnerId, currency: "GBP", amount: "5.00", reason: "late wire", actor: "usr_admin" });
}

beforeAll(async () => {
  t = await createTestDatabase(10);
  await seedStatement();
});
afterAll(async () => t.close());

function parseCsv(text: string) {
  // Enough for this file's data: quoted cells may hold commas and doubled quotes, no newlines.
  return text
    .split("\r\n")
    .filter((l) => l.length > 0)
    .map((line) => {
      const cells: string[] = [];
      const re = /("((?:[^"]|"")*)"|[^,]*)(,|$)/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(line)) && m[0].length > 0) {
        cells.push(m[2] !== undefined ? m[2].replace(/""/g, '"') : m[1]!);
        if (m[3] === "") break;
      }
      return cells;
    });
}

describe("statements", () => {
  it("gives the opening and closing balance of a period, ignoring entries outside it", async () => {
    expect((await checkInvariants(t.db)).ok).toBe(true);
    const s = await getStatementSummary(t.db, { accountId: walletId, from, to, partnerId });
    expect(s.openingBalance).toBe("1000000.0000");
    expect(s.entryCount).toBe(ENTRIES);
    const [last] = await t.sql`
      select balance_after::text from ledger_entries where account_id = ${walletId} and created_at < ${to.toISOString()}::timestamptz order by seq desc limit 1`;
    expect(s.closingBalance).toBe(last!.balance_after);
    expect(s.closingBalance).toBe(subAmounts(addAmounts(s.openingBalance, s.totalCredits), s.totalDebits));
    const wallet = await getOrCreateWallet(t.db, partnerId, "live", "GBP");
    expect(wallet.balance).toBe(addAmounts(s.closingBalance, "5"));
  });

  it("streams a 10,000-entry statement as CSV in cursor-sized chunks whose totals match the balances", async () => {
    let summary: StatementSummary | undefined;
    const chunks: string[] = [];
    for await (const chunk of streamStatementCsv(t, { accountId: walletId, from, to, partnerId }, { onSummary: (x) => (summary = x) })) {
      chunks.push(chunk);
    }
    expect(chunks.length).toBe(1 + ENTRIES / 500);
    for (const c of chunks.slice(1)) expect(c.split("\r\n").length - 1).toBe(500);
    const [header, ...rows] = parseCsv(chunks.join(""));
    expect(header).toEqual(["date", "entry_id", "transfer_id", "kind", "reference", "debit", "credit", "balance", "currency"]);
    expect(rows).toHaveLength(ENTRIES);
    expect(rows[0]![0]).toBe("2026-10-01T00:00:01.000Z");
    expect(rows[1]!.slice(3, 6)).toEqual(["order_debit", 'ord,"two"', "2.0001"]);
    expect(rows[3]![4]).toBe(`'=HYPERLINK("x")`);
    const credits = sumAmounts(rows.map((r) => r[6] || "0"));
    const debits = sumAmounts(rows.map((r) => r[5] || "0"));
    expect(summary!.openingBalance).toBe("1000000.0000");
    expect(credits).toBe(summary!.totalCredits);
    expect(debits).toBe(summary!.totalDebits);
    expect(addAmounts(summary!.openingBalance, subAmounts(credits, debits))).toBe(summary!.closingBalance);
    expect(rows.at(-1)![7]).toBe(formatAmount(summary!.closingBalance));
    expect(rows.every((r) => /^-?\d+\.\d{2,4}$/.test(r[7]!) && r[8] === "GBP")).toBe(true);
  });

  it("yields the first rows while the cursor is still open and releases the connection when stopped early", async () => {
    // A suspended portal shows as its backend still running the statement.
    const openCursors = async () => {
      const [row] = await t.sql`
        select count(*)::int as n from pg_stat_activity
        where datname = ${t.name} and pid <> pg_backend_pid() and state in ('active', 'idle in transaction')
          and query like '%from ledger_entries e join%'`;
      return row!.n as number;
    };
    const gen = streamStatementCsv(t, { accountId: walletId, from, to }, { batchSize: 100 });
    expect((await gen.next()).value).toMatch(/^date,/);
    const first = await gen.next();
    expect(first.value!.split("\r\n")).toHaveLength(101);
    expect(await openCursors()).toBe(1);
    await gen.return(undefined);
    expect(await openCursors()).toBe(0);
    // Every pooled connection is usable again.
    await Promise.all(Array.from({ length: 10 }, () => t.sql`select 1`));
  });

  it("serves the same CSV as a byte stream and the same entries as a loaded statement", async () => {
    const day = { accountId: walletId, from: new Date("2026-10-01T01:00:00Z"), to: new Date("2026-10-01T01:10:00Z") };
    const text = await new Response(statementCsvStream(t, day)).text();
    const lines = text.split("\r\n").filter(Boolean);
    const statement = await getStatement(t.db, day);
    expect(lines).toHaveLength(1 + statement.entries.length);
    expect(statement.entries).toHaveLength(600);
    expect(lines.at(-1)!.split(",")[1]).toBe(statement.entries.at(-1)!.id);
    expect(statement.entries.at(-1)!.balanceAfter).toBe(statement.closingBalance);
  });

  it("hides another partner's wallet and quotes what a spreadsheet would run", async () => {
    const other = await makePartner(t.db);
    await expect(getStatementSummary(t.db, { accountId: walletId, from, to, partnerId: other })).rejects.toThrow(/not found/);
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell(null)).toBe("");
  });
});
