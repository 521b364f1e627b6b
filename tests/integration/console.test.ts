import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orderRoute from "@/app/api/v1/orders/[id]/route";
import { magicValues } from "@/app/dashboard/console/magic-values";
import { orders } from "@/server/db/schema";
import { signUpPartner } from "@/server/partners/signup";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import { FIXED_25_USD, RANGED_USD, startOrderEngine, type OrderEngine } from "../support/order-engine";
import { waitFor } from "../support/wait";
import { sessionCaller } from "../support/callers";

// The sandbox console's procedures: the partner's sandbox catalog, an order through the API's
// own path (seen identically by the API with the signup key), followed to its end, the balance.

let t: TestDatabase;
let engine: OrderEngine;
let owner: { partnerId: string; userId: string; key: string };

const callerFor = (userId: string) => sessionCaller(t.db, userId);

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return "OK";
  } catch (e) {
    return e instanceof TRPCError ? `${e.code}: ${e.message}` : String(e);
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  bindAppDatabase(t);
  engine = await startOrderEngine(t);
  const r = await signUpPartner(t.db, {
    companyName: "Console Co",
    contactName: "Cora Console",
    email: "cora@console.test",
    password: "a-long-password",
    country: "GB",
  });
  owner = { partnerId: r.partner.id, userId: r.userId, key: r.apiKey.secret };
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

async function finished(api: Awaited<ReturnType<typeof callerFor>>, id: string) {
  return waitFor(
    `order ${id} to finish`,
    async () => {
      const o = await api.console.order({ id });
      return o.status === "completed" || o.status === "failed" ? o : null;
    },
    30_000,
    100,
  );
}

const usd = async (api: Awaited<ReturnType<typeof callerFor>>) => (await api.console.balance()).find((w) => w.currency === "USD")!.balance;

describe("sandbox console", () => {
  it("lists the sandbox catalog, orders through createOrder and the API sees the same order with the signup key", async () => {
    const api = await callerFor(owner.userId);
    const catalog = await api.console.catalog();
    expect(catalog.map((p) => p.sku)).toEqual(expect.arrayContaining([RANGED_USD, FIXED_25_USD]));

    const before = await usd(api);
    const quote = await api.console.quote({ sku: RANGED_USD, faceValue: "25.00", quantity: 2 });
    expect(quote).toMatchObject({ currency: "USD" });
    const created = await api.console.createOrder({ sku: RANGED_USD, faceValue: "25.00", quantity: 2 });
    expect(created).toMatchObject({ status: "pending", environment: "sandbox", totalPrice: quote!.totalPrice });
    const [row] = await t.db.select().from(orders).where(eq(orders.id, created.id));
    expect(row).toMatchObject({ source: "console", partnerId: owner.partnerId, referenceId: expect.stringMatching(/^console_/) });

    const done = await finished(api, created.id);
    expect(done.status).toBe("completed");
    expect(done.cards).toHaveLength(2);
    expect(done.cards![0]!.code).toMatch(/^TEST-/);
    expect(new Decimal(await usd(api)).equals(new Decimal(before).minus(quote!.totalPrice))).toBe(true);

    const viaApi = await call(orderRoute.GET, `/api/v1/orders/${created.id}`, { key: owner.key, params: { id: created.id } });
    expect(viaApi.status).toBe(200);
    expect(viaApi.json).toEqual(JSON.parse(JSON.stringify(done)));
  });

  it("plays a magic value by name: out of stock fails and refunds the wallet", async () => {
    const api = await callerFor(owner.userId);
    const outOfStock = magicValues().find((m) => m.name === "out_of_stock")!;
    const before = await usd(api);
    const created = await api.console.createOrder({ sku: RANGED_USD, faceValue: `10${outOfStock.cents}`, quantity: 1 });
    const done = await finished(api, created.id);
    expect(done.status).toBe("failed");
    expect(done.failure).not.toBeNull();
    expect(await usd(api)).toBe(before);
  });

  it("refuses what the API refuses, with the API's message, and creates nothing", async () => {
    const api = await callerFor(owner.userId);
    const count = async () => (await t.db.select().from(orders).where(eq(orders.partnerId, owner.partnerId))).length;
    const n = await count();
    expect(await codeOf(api.console.createOrder({ sku: FIXED_25_USD, faceValue: "30.00", quantity: 1 }))).toMatch(
      new RegExp(`^BAD_REQUEST: faceValue for ${FIXED_25_USD} must be exactly 25\\.00(00)? USD$`),
    );
    expect(await codeOf(api.console.createOrder({ sku: "BAM-NOPE", faceValue: "10.00", quantity: 1 }))).toMatch(/^NOT_FOUND: No product with SKU/);
    expect(await api.console.quote({ sku: FIXED_25_USD, faceValue: "30.00", quantity: 1 })).toBeNull();
    expect(await count()).toBe(n);
  });

  it("is for owners and developers of a partner, and sees only its own orders", async () => {
    const finance = await makeUser(t.db, { partnerId: owner.partnerId, role: "finance" });
    const developer = await makeUser(t.db, { partnerId: owner.partnerId, role: "developer" });
    expect(await codeOf((await callerFor(finance.id)).console.createOrder({ sku: RANGED_USD, faceValue: "10.00", quantity: 1 }))).toMatch(/^FORBIDDEN/);
    expect(await codeOf((await callerFor(developer.id)).console.catalog())).toBe("OK");

    const other = await signUpPartner(t.db, {
      companyName: "Other Co",
      contactName: "Otto Other",
      email: "otto@other.test",
      password: "a-long-password",
      country: "US",
    });
    const mine = await (await callerFor(owner.userId)).console.createOrder({ sku: RANGED_USD, faceValue: "10.00", quantity: 1 });
    expect(await codeOf((await callerFor(other.userId)).console.order({ id: mine.id }))).toMatch(/^NOT_FOUND/);
  });
});
