import { randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { vendorCalls } from "@/server/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBambooClient, listVendorCallsForOrder, type BambooClient, type VendorOrder } from "@/server/supplier";
import { countMockCheckoutAttempts, countMockOrders, mockCard, MOCK_TEST_PRODUCTS, setMockAccountBalance } from "@/server/supplier/mock";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { startMockVendorServer, type MockVendorServer } from "../support/mock-vendor-server";

let t: TestDatabase;
let mock: MockVendorServer;
let client: BambooClient;
const RANGED = MOCK_TEST_PRODUCTS.USD.ranged;

beforeAll(async () => {
  t = await createTestDatabase();
  // Functional tests: the mock's own limits off and short client spacing; the limits have their own file.
  mock = await startMockVendorServer(t.db, { rateLimits: false, fulfilMs: 600 });
  client = createBambooClient(t.db, mock.clientConfig({ limits: { placeOrderMs: 20, getOrderMs: 20, catalogMs: 20, otherMs: 20 } }));
});
afterAll(async () => {
  await mock?.close();
  await t?.close();
});

async function settle(c: BambooClient, requestId: string): Promise<VendorOrder> {
  for (let i = 0; i < 100; i++) {
    const o = await c.getOrder(requestId);
    if (!o) throw new Error("order unknown at the vendor");
    if (o.state !== "pending") return o;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("order never settled");
}

async function calls(requestId: string) {
  return t.db.select().from(vendorCalls).where(eq(vendorCalls.requestId, requestId)).orderBy(asc(vendorCalls.startedAt));
}

describe("Bamboo client against the mock vendor over HTTP", () => {
  it("places an order, sees it pending, then gets its cards when it succeeds", async () => {
    const requestId = randomUUID();
    const placed = await client.placeOrder({ requestId, productId: MOCK_TEST_PRODUCTS.USD.fixed25, quantity: 2, faceValue: "25", orderId: "ord_test1" });
    expect(placed).toEqual({ status: "placed", requestId, alreadyExisted: false });
    const first = await client.getOrder(requestId, { orderId: "ord_test1" });
    expect(first?.state).toBe("pending");
    expect(first?.cards).toEqual([]);
    const done = await settle(client, requestId);
    expect(done.state).toBe("succeeded");
    expect(done.vendorStatus).toBe("Succeeded");
    expect(done.cards).toHaveLength(2);
    expect(done.cards[0]!.code).toMatch(/^TEST-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(done.cards[0]!.code).toBe(mockCard(requestId, 0).code);
    expect(done.items[0]).toMatchObject({ productId: MOCK_TEST_PRODUCTS.USD.fixed25, faceValue: "25", quantity: 2 });
    // 25 × 0.95, exact decimal strings end to end.
    expect(done.total).toBe("47.5");
    expect(done.currency).toBe("USD");
    const logged = await listVendorCallsForOrder(t.db, "ord_test1");
    expect(logged.map((c) => [c.kind, c.method, c.status, c.requestId])).toEqual([
      ["place_order", "POST", 200, requestId],
      ["get_order", "GET", 200, requestId],
    ]);
    expect(logged[0]!.requestBody).toBe(`{"RequestId":"${requestId}","AccountId":1001,"Products":[{"ProductId":990002,"Quantity":2,"Value":25}]}`);
  });

  it("keeps the vendor's literal digits in amounts (no float arithmetic)", async () => {
    const requestId = randomUUID();
    await client.placeOrder({ requestId, productId: RANGED, quantity: 3, faceValue: "10.10" });
    const done = await settle(client, requestId);
    // 10.10 × 0.95 = 9.595 → 9.60 per card; 3 cards = 28.8 (floats would give 28.799999…).
    expect(done.items[0]!.faceValue).toBe("10.1");
    expect(done.total).toBe("28.8");
  });

  it("masks card codes and PINs in the recorded vendor calls", async () => {
    const requestId = randomUUID();
    await client.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "30" });
    const done = await settle(client, requestId);
    const code = done.cards[0]!.code;
    const rows = await calls(requestId);
    const bodies = rows.map((r) => r.responseBody ?? "").join("\n");
    expect(bodies).toContain('"cardCode":"****');
    expect(bodies).toContain('"pin":"****"');
    expect(bodies).not.toContain(code);
    expect(bodies).not.toContain(code.slice(0, 14));
    const all = await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from vendor_calls where response_body like ${`%${code}%`} or request_body like ${`%${code}%`}`,
    );
    expect(all[0]!.n).toBe(0);
  });

  it("counts OrderAlreadyExists as placed, without buying again", async () => {
    const requestId = randomUUID();
    const input = { requestId, productId: RANGED, quantity: 1, faceValue: "40" };
    expect(await client.placeOrder(input)).toMatchObject({ status: "placed", alreadyExisted: false });
    expect(await client.placeOrder(input)).toEqual({ status: "placed", requestId, alreadyExisted: true });
    expect(await countMockOrders(t.db, requestId)).toBe(1);
  });

  it("retries a placement whose answer was lost (500) with the same request id, buying exactly once", async () => {
    const requestId = randomUUID();
    const placed = await client.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "20.55" });
    expect(placed).toEqual({ status: "placed", requestId, alreadyExisted: true });
    expect(await countMockCheckoutAttempts(t.db, requestId)).toBe(2);
    expect(await countMockOrders(t.db, requestId)).toBe(1);
    const rows = await calls(requestId);
    expect(rows.map((r) => r.status)).toEqual([500, 400]);
    expect((await settle(client, requestId)).state).toBe("succeeded");
  });

  it("honours the wait the vendor states in a 429 message before trying again", async () => {
    const requestId = randomUUID();
    const placed = await client.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "15.29" });
    expect(placed).toMatchObject({ status: "placed", alreadyExisted: false });
    const rows = await calls(requestId);
    expect(rows.map((r) => r.status)).toEqual([429, 429, 200]);
    for (let i = 1; i < rows.length; i++) {
      const prev = rows[i - 1]!;
      const gap = rows[i]!.startedAt.getTime() - (prev.startedAt.getTime() + prev.durationMs);
      expect(gap).toBeGreaterThanOrEqual(990); // "Please wait for 1 seconds" (ms rounding tolerance)
    }
    expect(await countMockOrders(t.db, requestId)).toBe(1);
  });

  it("maps the vendor's refusals to our own failure codes", async () => {
    const ordersBefore = await countMockOrders(t.db);
    const place = (productId: number, faceValue: string, quantity = 1) => client.placeOrder({ requestId: randomUUID(), productId, quantity, faceValue });
    expect(await place(RANGED, "12.13")).toMatchObject({ status: "rejected", code: "out_of_stock" });
    expect(await place(MOCK_TEST_PRODUCTS.USD.fixed25, "30")).toMatchObject({ status: "rejected", code: "invalid_denomination" });
    expect(await place(424242, "10")).toMatchObject({ status: "rejected", code: "product_not_available" });
    expect(await place(RANGED, "10", 501)).toMatchObject({ status: "rejected", code: "quantity_limit_exceeded" });
    const eurClient = createBambooClient(t.db, mock.clientConfig({ accountId: 1002, limits: { placeOrderMs: 20 } }));
    expect(await eurClient.placeOrder({ requestId: randomUUID(), productId: RANGED, quantity: 1, faceValue: "10" })).toMatchObject({
      status: "rejected",
      code: "vendor_account_error",
    });
    await setMockAccountBalance(t.db, 1001, "5");
    expect(await place(RANGED, "10")).toMatchObject({ status: "rejected", code: "vendor_insufficient_funds" });
    await setMockAccountBalance(t.db, 1001, "1000000");
    // A 401 is not a refusal of the order (issue 12): unknown, for the caller to re-check.
    const badCreds = createBambooClient(t.db, mock.clientConfig({ clientSecret: "wrong", limits: { placeOrderMs: 20 } }));
    expect(await badCreds.placeOrder({ requestId: randomUUID(), productId: RANGED, quantity: 1, faceValue: "10" })).toMatchObject({
      status: "unknown",
      error: { kind: "unauthorized", status: 401 },
    });
    expect(await countMockOrders(t.db)).toBe(ordersBefore); // nothing refused was bought
  });

  it("reports a magic .66 order as accepted then failed, with no cards", async () => {
    const requestId = randomUUID();
    expect(await client.placeOrder({ requestId, productId: RANGED, quantity: 2, faceValue: "10.66" })).toMatchObject({ status: "placed" });
    const done = await settle(client, requestId);
    expect(done).toMatchObject({ state: "failed", vendorStatus: "Failed", failureCode: "vendor_order_failed", cards: [] });
  });

  it("reports a magic .50 order of 4 cards as partially failed with 2 cards", async () => {
    const requestId = randomUUID();
    await client.placeOrder({ requestId, productId: RANGED, quantity: 4, faceValue: "10.50" });
    const done = await settle(client, requestId);
    expect(done).toMatchObject({ state: "partial", vendorStatus: "PartialFailed" });
    expect(done.cards).toHaveLength(2);
  });

  it("keeps a magic .77 order pending over several polls before it succeeds", async () => {
    const requestId = randomUUID();
    await client.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "10.77" });
    let pendingPolls = 0;
    let o = await client.getOrder(requestId);
    while (o?.state === "pending") {
      pendingPolls++;
      await new Promise((r) => setTimeout(r, 100));
      o = await client.getOrder(requestId);
    }
    expect(o?.state).toBe("succeeded");
    expect(pendingPolls).toBeGreaterThanOrEqual(5); // 5 × 600 ms fulfilment, polled every ~100 ms
  });

  it("turns a malformed order answer (.98) into a recorded VendorError, not a crash", async () => {
    const requestId = randomUUID();
    await client.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "10.98" });
    await expect(client.getOrder(requestId)).rejects.toMatchObject({ name: "VendorError", kind: "malformed_response" });
    const rows = await calls(requestId);
    expect(rows.at(-1)).toMatchObject({ kind: "get_order", status: 200, errorKind: "malformed_response" });
  });

  it("answers null for an order the vendor does not know", async () => {
    expect(await client.getOrder(randomUUID())).toBeNull();
  });

  it("lists the funding accounts with decimal balances", async () => {
    const accounts = await client.getAccounts();
    expect(accounts.map((a) => [a.id, a.currency])).toEqual([
      [1001, "USD"],
      [1002, "EUR"],
      [1003, "GBP"],
    ]);
    expect(accounts[1]!.balance).toBe("250000");
  });

  it("reads the realistic default catalog with fixed and ranged products in several currencies", async () => {
    const brands = [];
    for await (const page of client.catalogPages()) brands.push(...page.brands);
    expect(new Set(brands.map((b) => b.name)).size).toBeGreaterThanOrEqual(40);
    expect(new Set(brands.map((b) => b.currencyCode))).toEqual(new Set(["USD", "EUR", "GBP", "CAD", "AUD"]));
    const products = brands.flatMap((b) => b.products);
    expect(products.some((p) => p.isFixed)).toBe(true);
    expect(products.some((p) => !p.isFixed)).toBe(true);
    const gbp = [];
    for await (const page of client.catalogPages({ currencyCode: "GBP" })) gbp.push(...page.brands);
    expect(gbp.length).toBeGreaterThan(0);
    expect(gbp.every((b) => b.currencyCode === "GBP")).toBe(true);
  });
});

describe("Bamboo client against a vendor that misbehaves", () => {
  it("records a malformed catalog page as a VendorError and retries a 502 before succeeding", async () => {
    let n = 0;
    const odd = await startMockVendorServer(t.db, { rateLimits: false }, (inner) => async (req) => {
      n++;
      if (n === 1) return new Response("bad gateway", { status: 502 });
      const res = await inner(req);
      if (n === 2) return new Response((await res.text()).replace(/"minFaceValue":[0-9.]+/, '"minFaceValue":"ten"'), { status: 200 });
      return new Response('{"pageIndex":0', { status: 200 });
    });
    try {
      const c = createBambooClient(t.db, odd.clientConfig({ limits: { catalogMs: 20 } }));
      const pages = c.catalogPages();
      await expect(pages.next()).rejects.toMatchObject({ kind: "malformed_response" });
      await expect(c.catalogPages().next()).rejects.toMatchObject({ kind: "malformed_response" });
      const rows = await t.db.execute<{ status: number; error_kind: string | null; error: string | null }>(
        sql`select status, error_kind, error from vendor_calls where kind = 'catalog' and endpoint like '%PageIndex=0%' order by started_at desc limit 3`,
      );
      expect(rows.map((r) => [r.status, r.error_kind])).toEqual([
        [200, "malformed_response"],
        [200, "malformed_response"],
        [502, "unavailable"],
      ]);
      expect(rows[1]!.error).toContain("minFaceValue");
    } finally {
      await odd.close();
    }
  });

  it("gives up after the configured attempts on a vendor that keeps failing, leaving the placement unknown", async () => {
    const down = await startMockVendorServer(t.db, {}, () => async () => new Response("oops", { status: 503 }));
    try {
      const c = createBambooClient(t.db, down.clientConfig({ limits: { placeOrderMs: 10 }, retry: { maxAttempts: 3 } }));
      const requestId = randomUUID();
      const r = await c.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "10" });
      expect(r).toMatchObject({ status: "unknown", requestId, error: { kind: "unavailable", status: 503 } });
      expect((await calls(requestId)).map((x) => x.status)).toEqual([503, 503, 503]);
    } finally {
      await down.close();
    }
  });

  it("counts only the vendor's documented refusals as rejected: 401, 403, 404, 408, 409 and pages that are not its JSON are unknown", async () => {
    // Each request id gets its own canned answer from "something in front of the vendor".
    const answers = new Map<string, () => Response>();
    const html = (status: number) => () => new Response(`<html><body><h1>${status}</h1></body></html>`, { status, headers: { "content-type": "text/html" } });
    const json = (status: number, message: string) => () => Response.json({ message }, { status });
    const front = await startMockVendorServer(t.db, { rateLimits: false }, (inner) => async (req) => {
      const body = req.method === "POST" ? await req.clone().text() : "";
      const id = /"RequestId":"([^"]+)"/.exec(body)?.[1];
      const canned = id ? answers.get(id) : undefined;
      return canned ? canned() : inner(req);
    });
    try {
      const c = createBambooClient(t.db, front.clientConfig({ limits: { placeOrderMs: 5 } }));
      const cases: Array<[() => Response, string, number]> = [
        [json(401, "Authorization has been denied for this request."), "unauthorized", 401],
        [html(403), "unexpected_status", 403],
        [json(403, "Forbidden"), "unexpected_status", 403],
        [json(404, "No HTTP resource was found that matches the request URI."), "unexpected_status", 404],
        [html(408), "unexpected_status", 408],
        [json(409, "Conflict"), "unexpected_status", 409],
        [html(400), "unexpected_status", 400],
        [() => new Response("", { status: 400 }), "unexpected_status", 400],
      ];
      for (const [answer, kind, status] of cases) {
        const requestId = randomUUID();
        answers.set(requestId, answer);
        const r = await c.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "10" });
        expect(r, `${status} ${kind}`).toMatchObject({ status: "unknown", requestId, error: { kind, status } });
      }
      // The vendor's own 400 {"message"} is a refusal: a known reason, or a validation message.
      for (const [message, code] of [
        ["ProductIsOutOfStock", "out_of_stock"],
        ["The request is invalid: products.0.value", "vendor_rejected"],
      ] as const) {
        const requestId = randomUUID();
        answers.set(requestId, json(400, message));
        expect(await c.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "10" })).toMatchObject({ status: "rejected", code });
      }
    } finally {
      await front.close();
    }
  });

  it("caps the wait a vendor asks for, so a garbled 'wait for 999999 seconds' stalls nobody", async () => {
    let n = 0;
    const greedy = await startMockVendorServer(t.db, { rateLimits: false }, (inner) => async (req) => {
      if (req.method === "POST" && n++ === 0)
        return Response.json({ message: "Too many requests. Please wait for 999999 seconds" }, { status: 429, headers: { "retry-after": "999999" } });
      return inner(req);
    });
    try {
      const c = createBambooClient(t.db, greedy.clientConfig({ limits: { placeOrderMs: 5 }, retry: { maxVendorWaitMs: 1_000, maxWaitMs: 5_000 } }));
      const requestId = randomUUID();
      const started = performance.now();
      expect(await c.placeOrder({ requestId, productId: RANGED, quantity: 1, faceValue: "10" })).toMatchObject({ status: "placed" });
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(990); // the capped wait was honoured…
      expect(took).toBeLessThan(4_000); // …and nothing like the asked one
      expect((await calls(requestId)).map((r) => r.status)).toEqual([429, 200]);
    } finally {
      await greedy.close();
    }
  });

  it("defers a call whose rate-limit slot is further away than its wait budget, sending nothing, with a retry-after", async () => {
    const own = await startMockVendorServer(t.db, { rateLimits: false }); // its own limiter keys (another host)
    try {
      const c = createBambooClient(t.db, own.clientConfig({ limits: { getOrderMs: 4_000 }, retry: { maxWaitMs: 1_000 } }));
      await c.getOrder(randomUUID()); // takes the slot now; the next is 4 s away
      const requestId = randomUUID();
      const started = performance.now();
      const err = await c.getOrder(requestId).then(
        () => null,
        (e: unknown) => e,
      );
      expect(performance.now() - started).toBeLessThan(1_000); // no sleeping through it
      expect(err).toMatchObject({ name: "VendorError", kind: "deferred", sent: false });
      const retryAfterMs = (err as { retryAfterMs: number }).retryAfterMs;
      // Come back a little before the slot (half the budget early), never after it.
      expect(retryAfterMs).toBeGreaterThan(2_500);
      expect(retryAfterMs).toBeLessThanOrEqual(4_000);
      expect(await calls(requestId)).toHaveLength(0);
    } finally {
      await own.close();
    }
  });

  it("retries a timed-out call and reports a timeout when the vendor never answers", async () => {
    const slow = await startMockVendorServer(t.db, {}, () => () => new Promise<Response>((r) => setTimeout(() => r(new Response("[]")), 2_000)));
    try {
      const c = createBambooClient(t.db, slow.clientConfig({ limits: { otherMs: 10 }, retry: { maxAttempts: 2, timeoutMs: 150 } }));
      await expect(c.getAccounts()).rejects.toMatchObject({ kind: "timeout" });
      const rows = await t.db.execute<{ error_kind: string }>(sql`select error_kind from vendor_calls where kind = 'accounts' and status is null`);
      expect(rows.map((r) => r.error_kind)).toEqual(["timeout", "timeout"]);
    } finally {
      await slow.close();
    }
  });
});
