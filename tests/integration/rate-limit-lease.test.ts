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
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        // At least 3 s, and on until the limit is reached (a slow machine needs longer to exceed
        // burst + refill), for at most 15 s: the bound below uses the time actually taken.
        const running = () => {
          const elapsed = performance.now() - started;
          return elapsed < 3_000 || (!statuses.includes(429) && elapsed < 15_000);
        };
        while (running()) statuses.push((await call(walletRoute.GET, "/api/v1/wallet", { key: secret })).status);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const allowed = statuses.filter((s) => s === 200).length;
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0); // the limit was reached
    // Burst + refill over the whole run: an upper bound no interleaving may exceed.
    expect(allowed).toBeLessThanOrEqual(200 + Math.ceil(100 * seconds));
    expect(services.tokenLeases.leased).toBeGreaterThan(0);
  });
});
