import { createHash } from "node:crypto";
import Decimal from "decimal.js";
import { and, count, eq, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/server/db/client";
import { mockVendorAccounts, mockVendorCheckoutAttempts, mockVendorOrders, type MockVendorOrderItem } from "@/server/db/schema";
import { parseJsonKeepingNumbers, rawNumber, stringifyWithRawNumbers, toDecimalString } from "../json";
import { mockProductsFor, mockUnitPrice } from "./catalog";
import { magicOf, type MockMagic, SLOW_FACTOR, STORM_CALLS } from "./magic";

export interface MockAnswer {
  status: number;
  /** The JSON text of the body. */
  json: string;
  headers?: Record<string, string>;
}

export function message(status: number, text: string, headers?: Record<string, string>): MockAnswer {
  return { status, json: JSON.stringify({ message: text }), headers };
}

const MAX_CARDS = 500;

/** A gateway's own refusal page in front of the vendor (not the vendor's JSON). */
const GATEWAY_FORBIDDEN: MockAnswer = {
  status: 403,
  json: "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>",
  headers: { "content-type": "text/html" },
};

function lowerKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), lowerKeys(x)]));
  return v;
}

const intText = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number);
// The vendor is case-insensitive about field names: keys are lower-cased before this schema.
const checkoutSchema = z.object({
  requestid: z.string().min(1).max(100),
  accountid: intText,
  products: z
    .array(
      z.object({
        productid: intText,
        quantity: intText.refine((q) => q >= 1, "Quantity must be at least 1"),
        value: z.string().transform((s, ctx) => {
          const value = toDecimalString(s);
          if (value !== null) return value;
          ctx.addIssue({ code: "custom", message: "Value must be a number" });
          return z.NEVER;
        }),
      }),
    )
    .min(1),
});

class AlreadyExists extends Error {}
class InsufficientBalance extends Error {}

export interface MockCheckoutOptions {
  fulfilMs: number;
  /** Also sell the products of the app's synced catalog, which take precedence (see mockProductsFor). */
  syncedCatalog?: boolean;
  /**
   * Bamboo's per-product placement limit (about 6 a minute): takes a token of the product's bucket,
   * null when allowed, else the whole seconds to wait. Unset: no per-product limit.
   */
  takeProductToken?: (productId: number) => Promise<number | null>;
  /** Told of every order the mock accepts (request id, ms until it finishes): sends its notification then. */
  onAccepted?: (requestId: string, fulfilMs: number) => void;
}

/** POST orders/checkout at the mock: validates like the vendor, applies magic values, records the order. */
export async function placeMockOrder(db: Db, clientId: string, rawBody: string, opts: MockCheckoutOptions): Promise<MockAnswer> {
  let parsed: z.infer<typeof checkoutSchema>;
  try {
    const r = checkoutSchema.safeParse(lowerKeys(parseJsonKeepingNumbers(rawBody)));
    if (!r.success) return message(400, `The request is invalid: ${r.error.issues[0]?.path.join(".")} ${r.error.issues[0]?.message}`);
    parsed = r.data;
  } catch {
    return message(400, "The request is invalid: body is not JSON");
  }
  const requestId = parsed.requestid;
  // Per product, like the per-account limit: a refused call is not an attempt (the vendor did nothing).
  if (opts.takeProductToken) {
    for (const productId of new Set(parsed.products.map((p) => p.productid))) {
      const wait = await opts.takeProductToken(productId);
      if (wait !== null) return message(429, `Too many requests for product ${productId}. Please wait for ${wait} seconds`, { "retry-after": String(wait) });
    }
  }
  const [attempt] = await db.insert(mockVendorCheckoutAttempts).values({ requestId, clientId }).returning({ id: mockVendorCheckoutAttempts.id });
  const [{ n }] = (await db
    .select({ n: count() })
    .from(mockVendorCheckoutAttempts)
    .where(and(eq(mockVendorCheckoutAttempts.requestId, requestId), lte(mockVendorCheckoutAttempts.id, attempt!.id)))) as [{ n: number }];
  const answer = await decideCheckout(db, clientId, parsed, n, opts);
  await db.update(mockVendorCheckoutAttempts).set({ answerStatus: answer.status }).where(eq(mockVendorCheckoutAttempts.id, attempt!.id));
  return answer;
}

async function decideCheckout(
  db: Db,
  clientId: string,
  body: z.infer<typeof checkoutSchema>,
  attemptNo: number,
  opts: MockCheckoutOptions,
): Promise<MockAnswer> {
  const requestId = body.requestid;
  // Each line's magic value: faults of the request (429s, 404, lost answer, gateway page, malformed
  // answer, refusal, slowness) come from any line; what a line delivers comes from its own.
  const lineMagic = body.products.map((p) => magicOf(p.value, p.quantity));
  const order: MockMagic[] = ["rate_limit_storm", "not_found", "gateway_forbidden", "out_of_stock", "answer_lost", "malformed", "slow"];
  const magic = order.find((m) => lineMagic.includes(m)) ?? null;

  // The storm answers the way the vendor does: the wait only in the message, no Retry-After.
  if (magic === "rate_limit_storm" && attemptNo <= STORM_CALLS) return message(429, "Too many requests. Please wait for 1 seconds");

  // Something in front of the vendor answers instead of it: the caller cannot tell what happened.
  if (magic === "not_found") return message(404, "No HTTP resource was found that matches the request URI.");

  const [existing] = await db.select({ id: mockVendorOrders.orderId }).from(mockVendorOrders).where(eq(mockVendorOrders.requestId, requestId));
  if (existing) return magic === "gateway_forbidden" ? GATEWAY_FORBIDDEN : message(400, "OrderAlreadyExists");

  if (body.products.reduce((s, p) => s + p.quantity, 0) > MAX_CARDS) return message(400, "CardsLimitExceeded");

  const [account] = await db.select().from(mockVendorAccounts).where(eq(mockVendorAccounts.id, body.accountid));
  if (!account?.isActive) return message(400, "WrongAccount");

  const ids = [...new Set(body.products.map((p) => p.productid))];
  const byId = await mockProductsFor(db, ids, { syncedCatalog: opts.syncedCatalog });
  if (ids.some((id) => !byId.get(id)?.active)) return message(400, "InvalidProductIds");

  // The mock's own products are priced in USD and need the USD account. A synced product is priced
  // in whatever currency the live account uses; the sandbox's fake funds pay for it from the account
  // addressed, in the product's currency (one currency per order).
  const currencies = new Set(body.products.map((line) => byId.get(line.productid)!.priceCurrency));
  for (const line of body.products) {
    const p = byId.get(line.productid)!;
    const v = new Decimal(line.value);
    if (v.lt(p.minFaceValue) || v.gt(p.maxFaceValue) || v.decimalPlaces() > 2) return message(400, "InvalidDenomination");
    if (p.synced ? currencies.size > 1 : p.priceCurrency !== account.currency) return message(400, "WrongAccount");
  }
  const currency = [...currencies][0]!;
  if (magic === "out_of_stock") return message(400, "ProductIsOutOfStock");

  const items: MockVendorOrderItem[] = body.products.map((line, k) => ({
    productId: line.productid,
    // .88 delivers cards of another face value than ordered (what get-order reports).
    faceValue: lineMagic[k] === "wrong_delivery" ? new Decimal(line.value).plus(1).toFixed() : line.value,
    quantity: line.quantity,
    unitPrice: mockUnitPrice(line.value, byId.get(line.productid)!.costFactor),
    delivered: lineMagic[k] === "fails" ? 0 : lineMagic[k] === "partial" ? Math.floor(line.quantity / 2) : line.quantity,
  }));
  // Succeeded when every line delivers in full, Failed when none delivers a card, else PartialFailed.
  const cardsDelivered = items.reduce((n, i) => n + i.delivered!, 0);
  const outcome = cardsDelivered === 0 ? "Failed" : items.every((i) => i.delivered === i.quantity) ? "Succeeded" : "PartialFailed";
  // The mock charges only for the cards it will deliver.
  const total = items.reduce((s, i) => s.plus(new Decimal(i.unitPrice).times(i.delivered!)), new Decimal(0)).toFixed(4);

  try {
    await db.transaction(async (tx) => {
      const debited = await tx.execute(
        // A guarded single-statement debit, like our own ledger.
        sql`update mock_vendor_accounts set balance = balance - ${total}::numeric where id = ${account.id} and balance >= ${total}::numeric returning id`,
      );
      if (debited.length === 0) throw new InsufficientBalance();
      const inserted = await tx
        .insert(mockVendorOrders)
        .values({
          requestId,
          clientId,
          accountId: account.id,
          items,
          currency,
          total,
          outcome,
          fulfilMs: magic === "slow" ? opts.fulfilMs * SLOW_FACTOR : opts.fulfilMs,
          malformed: magic === "malformed",
        })
        .onConflictDoNothing({ target: mockVendorOrders.requestId })
        .returning({ id: mockVendorOrders.orderId });
      if (inserted.length === 0) throw new AlreadyExists();
    });
  } catch (e) {
    if (e instanceof InsufficientBalance) return message(400, "InsufficientBalance");
    if (e instanceof AlreadyExists) return message(400, "OrderAlreadyExists");
    throw e;
  }
  opts.onAccepted?.(requestId, magic === "slow" ? opts.fulfilMs * SLOW_FACTOR : opts.fulfilMs);
  // The order exists at the vendor, but the answer is lost: only a retry with the same id learns it.
  if (magic === "answer_lost" && attemptNo === 1) return message(500, "An error has occurred.");
  if (magic === "gateway_forbidden") return GATEWAY_FORBIDDEN;
  return { status: 200, json: JSON.stringify(requestId) };
}

/** A deterministic, clearly fake card: the same request id and index always give the same card. */
export function mockCard(requestId: string, index: number) {
  const h = createHash("sha256").update(`${requestId}:${index}`).digest("hex").toUpperCase();
  return {
    code: `TEST-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}`,
    pin: String(parseInt(h.slice(12, 18), 16) % 10_000).padStart(4, "0"),
  };
}

/** GET orders/{requestId} at the mock: status derived from the order's age, cards once fulfilled. */
export async function getMockOrder(db: DbOrTx, clientId: string, requestId: string): Promise<MockAnswer> {
  const [order] = await db
    .select()
    .from(mockVendorOrders)
    .where(and(eq(mockVendorOrders.requestId, requestId), eq(mockVendorOrders.clientId, clientId)));
  if (!order) return message(404, "Order not found");
  if (order.malformed) return { status: 200, json: JSON.stringify({ orderId: `ord-${order.orderId}`, status: 42, items: "see attachment" }) };

  const ageMs = Date.now() - order.createdAt.getTime();
  const status = ageMs >= order.fulfilMs ? order.outcome : ageMs < order.fulfilMs * 0.3 ? "Pending" : "Processing";
  const done = status === "Succeeded" || status === "PartialFailed";
  const expires = new Date(order.createdAt.getTime() + 3 * 365 * 86_400_000).toISOString();
  let index = 0;
  const items = order.items.map((i) => {
    const n = !done ? 0 : (i.delivered ?? (status === "PartialFailed" ? Math.floor(i.quantity / 2) : i.quantity));
    const cards = Array.from({ length: n }, () => {
      const k = index++;
      const card = mockCard(requestId, k);
      return {
        id: order.orderId * 1000 + k,
        serialNumber: `MOCK${order.orderId}${String(k).padStart(4, "0")}`,
        cardCode: card.code,
        pin: card.pin,
        expirationDate: expires,
        status: "Active",
      };
    });
    return { productId: i.productId, productFaceValue: rawNumber(i.faceValue), quantity: i.quantity, cards };
  });
  return {
    status: 200,
    json: stringifyWithRawNumbers({
      orderId: order.orderId,
      requestId: order.requestId,
      status,
      total: rawNumber(order.total),
      currency: order.currency,
      orderType: "Standard",
      errorMessage: status === "Failed" ? "Order failed at supplier" : null,
      items,
    }),
  };
}

/** Test hook: how many orders the mock holds (for one request id, or all). Proves nothing was bought twice. */
export async function countMockOrders(db: DbOrTx, requestId?: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(mockVendorOrders)
    .where(requestId ? eq(mockVendorOrders.requestId, requestId) : undefined);
  return row!.n;
}

/** Test hook: how many place-order requests the mock received for a request id. */
export async function countMockCheckoutAttempts(db: DbOrTx, requestId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(mockVendorCheckoutAttempts).where(eq(mockVendorCheckoutAttempts.requestId, requestId));
  return row!.n;
}
