import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "@/server/boot/services";
import * as walletRoute from "@/app/api/v1/wallet/route";
import { createApiKey } from "@/server/keys";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";

// A roomy per-key limit, so that a busy key has tokens to lease (read by env() on first use).
process.env.API_RATE_BURST = "200";
process.env.API_RATE_PER_SECOND = "100";

let t: TestDatabase;
let services: Services;
beforeAll(async () => {
  t = await createTestDatabase(10);
  services = bindAppDatabase(t);
});
afterAll(async () => {
  await t?.close();
});

describe("per-key rate limit under sustained load (Postgres buckets, leased tokens)", () => {
  it("never allows more than the bucket gives, while taking tokens in batches for a busy key", async () => {
    const partnerId = await makePartner(t.db, "Busy integrator");
    const { secret } = await createApiKey(t.db, { partnerId, environment: "sandbox", actor: "test" });
    const started = performance.now();
    const statuses: number[] = [];
    const send = async () => statuses.push((await call(walletRoute.GET, "/api/v1/wallet", { key: secret })).status);
    // 1. Busy but under the refill (8 clients, one request each per 150 ms: 20–50/s whatever the
    //    machine's speed): after a whole second at ≥ 20/s the instance takes tokens in batches,
    //    and the bucket has them to give. (Sent flat out from the start, a fast machine empties the
    //    burst within the first second, and from then on every take finds one token or none.)
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() - started < 2_500) {
          await send();
          await new Promise((r) => setTimeout(r, 150));
        }
      }),
    );
    const leasedWhileBusy = services.tokenLeases.leased;
    // 2. Flat out, at least 3 s more and on until the limit answers 429 (a slow machine needs longer
    //    to exceed burst + refill), for at most 15 s: the bound below uses the time actually taken.
    const flatOut = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const running = () => {
          const elapsed = performance.now() - flatOut;
          return elapsed < 3_000 || (!statuses.includes(429) && elapsed < 15_000);
        };
        while (running()) await send();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const allowed = statuses.filter((s) => s === 200).length;
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0); // the limit was reached
    // Burst + refill over the whole run: an upper bound no interleaving may exceed.
    expect(allowed).toBeLessThanOrEqual(200 + Math.ceil(100 * seconds));
    expect(leasedWhileBusy).toBeGreaterThan(0);
  });
});
