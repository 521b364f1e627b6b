import { newId } from "../../src/lib/ids";
import type { Db } from "../../src/server/db/client";
import { partners } from "../../src/server/db/schema";
import { createApiKey } from "../../src/server/keys";
import { adminCredit } from "../../src/server/ledger";

export interface BenchPartner {
  partnerId: string;
  keyId: string;
  secret: string;
}

/** Runs `f` over `items`, at most `limit` at a time. */
async function mapLimit<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * `count` active partners, each with a sandbox API key and a USD sandbox wallet funded with
 * `funding` through the admin credit path (the sandbox grant alone, 1000 USD, would run dry).
 */
export async function makeBenchPartners(db: Db, count: number, funding: string, label: string): Promise<BenchPartner[]> {
  const rows = Array.from({ length: count }, (_, i) => {
    const id = newId("ptn");
    return { id, businessName: `Bench ${label} ${i + 1}`, contactEmail: `bench@${id}.test`, onboardingState: "sandbox_active" as const, createdBy: "bench" };
  });
  await db.insert(partners).values(rows);
  return mapLimit(rows, 8, async ({ id }) => {
    const { key, secret } = await createApiKey(db, { partnerId: id, environment: "sandbox", name: "bench", actor: "bench" });
    await adminCredit(db, { partnerId: id, environment: "sandbox", currency: "USD", amount: funding, reason: "benchmark funding", actor: "bench" });
    return { partnerId: id, keyId: key.id, secret };
  });
}
