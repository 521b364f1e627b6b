import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, emails, partnerNudges, partners, users } from "@/server/db/schema";
import { startEmbeddedWorker } from "@/server/jobs/executor/worker";
import { sendEmailFunction } from "@/server/jobs/functions/email";
import { createApiKey } from "@/server/keys";
import { sendReEngagementEmails } from "@/server/partners/activation";
import { bindAppDatabase } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";
import { waitFor } from "../support/wait";

// The daily re-engagement: exactly the partners with no activity for the window, once per window.

const DAY = 24 * 3600_000;
const NOW = new Date("2026-11-01T10:00:00Z");
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t, {
    email: { secret: process.env.AUTH_SECRET!, appUrl: "http://app.steller.test", smtpUrl: undefined, from: "Steller <no-reply@steller.test>" },
  });
});
afterAll(async () => {
  await t?.close();
});

async function partner(name: string, createdDaysAgo: number) {
  const id = await makePartner(t.db, name);
  await t.db
    .update(partners)
    .set({ createdAt: daysAgo(createdDaysAgo) })
    .where(eq(partners.id, id));
  return id;
}

describe("re-engagement", () => {
  it("emails exactly the partners inactive for the window, and not again within it", async () => {
    const silent = await partner("Silent", 40); // nothing since signing up 40 days ago
    const oldKey = await partner("Old key", 40); // last API call 20 days ago
    const { key } = await createApiKey(t.db, { partnerId: oldKey, environment: "sandbox", actor: "test" });
    await t.db
      .update(apiKeys)
      .set({ lastUsedAt: daysAgo(20) })
      .where(eq(apiKeys.id, key.id));
    const recentKey = await partner("Recent key", 40); // API call yesterday
    const { key: k2 } = await createApiKey(t.db, { partnerId: recentKey, environment: "sandbox", actor: "test" });
    await t.db
      .update(apiKeys)
      .set({ lastUsedAt: daysAgo(1) })
      .where(eq(apiKeys.id, k2.id));
    const signedIn = await partner("Signed in", 40); // a member signed in 3 days ago
    const member = await makeUser(t.db, { partnerId: signedIn });
    await t.db
      .update(users)
      .set({ lastLoginAt: daysAgo(3) })
      .where(eq(users.id, member.id));
    const recentOrder = await partner("Recent order", 40); // ordered 5 days ago
    await t.db.execute(
      sql`insert into catalog_brands (id, name, vendor_brand_id, country_code, currency) values ('brd_reeng', 'Brand', 'vb-1', 'US', 'USD') on conflict do nothing`,
    );
    await t.db.execute(sql`insert into catalog_products (id, sku, vendor_product_id, brand_id, name, country_code, currency, min_face_value, max_face_value, cost_currency, cost_rate)
      values ('prd_reeng', 'SKU-REENG', 'vp-1', 'brd_reeng', 'Card', 'US', 'USD', '5', '100', 'USD', '0.9')`);
    await t.db.execute(sql`insert into orders (id, partner_id, environment, reference_id, request_hash, product_id, sku, face_value, quantity, face_currency, currency,
        unit_price, total_price, vendor_cost, vendor_request_id, created_by, created_at)
      select 'ord_reeng_1', ${recentOrder}, 'sandbox', 'r1', 'h', p.id, p.sku, '10', 1, 'USD', 'USD', '10', '10', '9', gen_random_uuid(), 'test', ${daysAgo(5).toISOString()}::timestamptz
      from catalog_products p limit 1`);
    expect(await t.db.execute(sql`select 1 from orders where id = 'ord_reeng_1'`)).toHaveLength(1);
    await partner("New", 3); // signed up 3 days ago
    const suspended = await partner("Suspended", 40);
    await t.db.update(partners).set({ status: "suspended" }).where(eq(partners.id, suspended));

    const first = await sendReEngagementEmails(t.db, { inactiveDays: 14, now: NOW });
    expect(first.partnerIds.sort()).toEqual([silent, oldKey].sort());

    // The same day, and a week later: still inside the window, nobody is emailed again.
    expect((await sendReEngagementEmails(t.db, { inactiveDays: 14, now: NOW })).partnerIds).toEqual([]);
    expect((await sendReEngagementEmails(t.db, { inactiveDays: 14, now: new Date(NOW.getTime() + 7 * DAY) })).partnerIds).toEqual([]);
    const nudges = await t.db.select().from(partnerNudges);
    expect(nudges.map((n) => [n.partnerId, n.kind, n.sent]).sort()).toEqual(first.partnerIds.map((id) => [id, "re_engagement", 1]).sort());

    // The email-send function renders them into the dev mailbox, one per partner.
    const worker = await startEmbeddedWorker({ db: t.db, functions: [sendEmailFunction], pollMs: 25, backoff: { baseMs: 50, maxMs: 200 } });
    try {
      const mail = await waitFor("the re-engagement emails", async () => {
        const rows = await t.db.select().from(emails).where(eq(emails.kind, "re_engagement"));
        return rows.length >= first.partnerIds.length ? rows : null;
      });
      expect(mail).toHaveLength(first.partnerIds.length);
      expect(mail.find((m) => m.partnerId === silent)!.subject).toBe("Steller: we have not seen Silent for 14 days");
      expect(mail[0]!.text).toContain("http://app.steller.test/dashboard/console");
    } finally {
      await worker.stop();
    }

    // Once the window has passed since the last email, a partner still inactive is emailed again.
    const later = await sendReEngagementEmails(t.db, { inactiveDays: 14, now: new Date(NOW.getTime() + 15 * DAY) });
    expect(later.partnerIds).toEqual(expect.arrayContaining([silent, oldKey]));
    const [again] = await t.db.select().from(partnerNudges).where(eq(partnerNudges.partnerId, silent));
    expect(again!.sent).toBe(2);
  });
});
