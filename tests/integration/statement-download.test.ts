import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Before anything reads the environment: a short stall bound, one download per partner, a pool of 2.
vi.hoisted(() => {
  process.env.STATEMENT_STALL_TIMEOUT_MS = "4000";
  process.env.STATEMENT_DOWNLOADS_PER_PARTNER = "1";
  process.env.STATEMENT_POOL_SIZE = "2";
});

import * as walletRoute from "@/app/api/v1/wallet/route";
import * as statementRoute from "@/app/api/v1/wallet/statement.csv/route";
import { closeDatabases, getStatementDatabase, poolStats } from "@/server/db/client";
import { createApiKey } from "@/server/keys";
import { grantSandboxFunds } from "@/server/ledger";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";

let t: TestDatabase;
const partners: { partnerId: string; key: string }[] = [];

beforeAll(async () => {
  // The app's own pool is 2 connections: if downloads took connections from it, two stalled
  // readers would leave nothing for anyone else.
  t = await createTestDatabase(2);
  bindAppDatabase(t);
  for (const name of ["Slow Reader A", "Slow Reader B", "Other C"]) {
    const partnerId = await makePartner(t.db, name);
    await grantSandboxFunds(t.db, partnerId);
    const { secret } = await createApiKey(t.db, { partnerId, environment: "sandbox", name: "test", actor: "test" });
    partners.push({ partnerId, key: secret });
  }
});
afterAll(async () => {
  await closeDatabases().catch(() => {});
  await t?.close();
});

const range = { from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };

/** Opens a download the way a client that never reads does: the response, its body untouched. */
function open(key: string) {
  const url = new URL("http://localhost/api/v1/wallet/statement.csv");
  for (const [k, v] of Object.entries(range)) url.searchParams.set(k, v);
  return statementRoute.GET(new Request(url, { headers: { "x-api-key": key, [CLIENT_IP_HEADER]: "127.0.0.1" } }), { params: Promise.resolve({}) });
}

async function timed<T>(p: Promise<T>) {
  const started = performance.now();
  const value = await p;
  return { value, ms: performance.now() - started };
}

describe("statement downloads cannot exhaust the database", () => {
  it("serves everyone else while readers stall, limits a partner's downloads, and ends a stalled one", async () => {
    const [a, b, c] = partners as [(typeof partners)[0], (typeof partners)[0], (typeof partners)[0]];
    // Two partners open a download each and never read it.
    const stalledA = await open(a.key);
    const stalledB = await open(b.key);
    expect(stalledA.status).toBe(200);
    expect(stalledB.status).toBe(200);
    expect(poolStats(getStatementDatabase().sql)).toMatchObject({ size: 2, inUse: 2 });

    // Other requests (on the app's pool of 2) answer at once.
    for (const p of [a, b, c]) {
      const wallet = await timed(
        walletRoute.GET(new Request("http://localhost/api/v1/wallet", { headers: { "x-api-key": p.key, [CLIENT_IP_HEADER]: "127.0.0.1" } }), {
          params: Promise.resolve({}),
        }),
      );
      expect(wallet.value.status).toBe(200);
      expect(wallet.ms).toBeLessThan(1_000);
    }

    // A second download of the same partner is refused at once, with a Retry-After.
    const again = await timed(open(a.key));
    expect(again.value.status).toBe(429);
    expect(again.value.headers.get("retry-after")).toBe("5");
    expect(again.ms).toBeLessThan(1_000);
    expect(((await again.value.json()) as { error: { code: string } }).error.code).toBe("too_many_downloads");

    // A third partner finds the statement pool full: it waits at most 2 s, then 503 (never a hang).
    const busy = await timed(open(c.key));
    expect(busy.value.status).toBe(503);
    expect(busy.ms).toBeLessThan(3_500);

    // The stalled downloads are ended after STATEMENT_STALL_TIMEOUT_MS (4 s) and give their connections back.
    const deadline = Date.now() + 8_000;
    while (poolStats(getStatementDatabase().sql)!.inUse > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(poolStats(getStatementDatabase().sql)!.inUse).toBe(0);
    await expect(stalledA.text()).rejects.toThrow(/took nothing for 4000 ms/);
    await expect(stalledB.text()).rejects.toThrow(/took nothing/);

    // Then each partner can download again, and a reader that reads gets the whole statement.
    for (const p of [a, c]) {
      const r = await open(p.key);
      expect(r.status).toBe(200);
      const text = await r.text();
      expect(text.split("\r\n")[0]).toBe("date,entry_id,transfer_id,kind,reference,debit,credit,balance,currency");
      expect(text).toContain("sandbox_grant");
    }
    expect(poolStats(getStatementDatabase().sql)!.inUse).toBe(0);
  });
});
