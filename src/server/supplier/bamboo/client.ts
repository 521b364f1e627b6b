import type { Db } from "@/server/db/client";
import type { ZodType } from "zod";
import { parseJsonKeepingNumbers, rawNumber, stringifyWithRawNumbers, toDecimalString } from "../json";
import type { BambooConfig } from "./config";
import { isDocumentedRefusal, isOrderAlreadyExists, mapVendorReason, VendorError, type VendorFailureCode } from "./errors";
import { accountsSchema, catalogPageSchema, messageSchema, orderSchema, placeOrderAnswerSchema } from "./schemas";
import { noteVendorCallError } from "../calls";
import { reserveHeldSlot } from "../rate-limit";
import { accountKey, sendVendorRequest, type VendorResponse } from "./transport";

export interface CatalogFilter {
  countryCode?: string;
  currencyCode?: string;
  brandId?: string;
  productId?: number;
  name?: string;
  /** ISO date: only brands modified since. */
  modifiedDate?: string;
}

export interface CatalogProduct {
  id: number;
  name: string;
  minFaceValue: string;
  maxFaceValue: string;
  /** min = max: a fixed denomination; otherwise any value in the range. */
  isFixed: boolean;
  count: number | null;
  price: { min: string; max: string; currencyCode: string };
  modifiedDate: string | null;
}

export interface CatalogBrand {
  internalId: string;
  name: string;
  countryCode: string;
  currencyCode: string;
  description: string | null;
  disclaimer: string | null;
  redemptionInstructions: string | null;
  terms: string | null;
  logoUrl: string | null;
  modifiedDate: string | null;
  products: CatalogProduct[];
}

export interface CatalogPage {
  pageIndex: number;
  pageSize: number;
  /** Total number of brands in the catalog (for the filter). */
  count: number;
  brands: CatalogBrand[];
}

export interface VendorAccount {
  id: number;
  currency: string;
  balance: string;
  isActive: boolean;
}

/** One product line of a vendor order. */
export interface PlaceOrderLine {
  productId: number;
  quantity: number;
  /** Face value per card, decimal string. */
  faceValue: string;
}

/**
 * One vendor order: a single line, or several `lines` (distinct products; at most 500 cards in
 * all). Each line's product takes its own per-product placement slot.
 */
export type PlaceOrderInput = {
  /** Our idempotency key at the vendor (a UUID). Generate it once per order and store it before calling. */
  requestId: string;
  /** Our order (or batch) id, only for the vendor call log. */
  orderId?: string;
} & (PlaceOrderLine | { lines: PlaceOrderLine[] });

export type PlaceOrderOutcome =
  /** The vendor has the order (now, or from an earlier attempt with the same request id). Poll getOrder. */
  | { status: "placed"; requestId: string; alreadyExisted: boolean }
  /** The vendor refused: nothing was bought. */
  | { status: "rejected"; requestId: string; code: VendorFailureCode }
  /** We could not learn the answer: the order may exist. Check with getOrder or retry with the same id. */
  | { status: "unknown"; requestId: string; error: VendorError };

export type VendorOrderState = "pending" | "succeeded" | "failed" | "partial";

export interface VendorCard {
  vendorCardId: string;
  serialNumber: string | null;
  /** Secret: encrypt at rest, never log. */
  code: string;
  /** Secret: encrypt at rest, never log. */
  pin: string | null;
  expiresAt: string | null;
  status: string | null;
}

export interface VendorOrder {
  vendorOrderId: string;
  requestId: string;
  /** pending = keep polling (Created, Processing, Pending); partial = PartialFailed (count the cards). */
  state: VendorOrderState;
  vendorStatus: string;
  total: string | null;
  currency: string | null;
  failureCode: VendorFailureCode | null;
  items: Array<{ productId: number; faceValue: string; quantity: number; cards: VendorCard[] }>;
  /** Every delivered card across items. */
  cards: VendorCard[];
}

export interface BambooClient {
  readonly accountId: number;
  /** The vendor account this client speaks for (limiter and call-log key). */
  readonly account: string;
  /** Every page of catalog v2 (page size 100), one request per page, in order. */
  catalogPages(filter?: CatalogFilter): AsyncGenerator<CatalogPage, void, undefined>;
  getAccounts(): Promise<VendorAccount[]>;
  placeOrder(input: PlaceOrderInput): Promise<PlaceOrderOutcome>;
  /**
   * Reserves the product's next placement slot for `requestId` ahead of the placement (kept until
   * that placement is sent): how long until it may go. `waitMs` 0 when placements are not spaced per product.
   */
  reservePlacementSlot(productId: number, requestId: string): Promise<{ waitMs: number; slotMs: number }>;
  /**
   * The limiter key of a product's placement slots is this prefix and the vendor's product id
   * (reservations in `vendor_rate_reservations`); null when placements are not spaced per product.
   */
  readonly productSlotPrefix: string | null;
  /** The order at the vendor, or null when the vendor does not know the request id (404). */
  getOrder(requestId: string, ctx?: GetOrderContext): Promise<VendorOrder | null>;
}

export interface GetOrderContext {
  orderId?: string;
  /** A quick look (e.g. re-checking a placement of unknown outcome): fewer attempts, a shorter wait budget. */
  maxAttempts?: number;
  maxWaitMs?: number;
}

const PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseBody<T>(res: VendorResponse, schema: ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = parseJsonKeepingNumbers(res.text);
  } catch (e) {
    throw new VendorError("malformed_response", `${what}: answer is not JSON`, { status: res.status, cause: e });
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new VendorError("malformed_response", `${what}: unexpected answer at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`, {
      status: res.status,
      cause: r.error,
    });
  }
  return r.data;
}

function messageOf(res: VendorResponse): string | null {
  try {
    const r = messageSchema.safeParse(JSON.parse(res.text));
    return r.success ? r.data.message : null;
  } catch {
    return null;
  }
}

/**
 * The error for an answer we did not expect. Only a documented refusal (a 400 with the vendor's
 * `{"message"}`) carries a failure `code`, the one thing that lets a placement count as rejected;
 * a 401, 403, 404, 408, 409 or a page that is not the vendor's JSON leaves the outcome unknown.
 */
function statusError(res: VendorResponse, what: string): VendorError {
  const message = messageOf(res);
  if (isDocumentedRefusal(res.status, message)) {
    return new VendorError("rejected", `${what}: vendor refused (${res.status})`, { status: res.status, code: mapVendorReason(message) });
  }
  if (res.status === 401) return new VendorError("unauthorized", `${what}: vendor refused our credentials (401)`, { status: res.status });
  const shape = message === null ? "not the vendor's JSON" : "the vendor's JSON";
  return new VendorError("unexpected_status", `${what}: unexpected answer ${res.status} (${shape})`, { status: res.status });
}

const STATE: Record<string, VendorOrderState> = {
  created: "pending",
  processing: "pending",
  pending: "pending",
  succeeded: "succeeded",
  failed: "failed",
  partialfailed: "partial",
};
const VENDOR_STATUS: Record<string, string> = {
  created: "Created",
  processing: "Processing",
  pending: "Pending",
  succeeded: "Succeeded",
  failed: "Failed",
  partialfailed: "PartialFailed",
};

/** A Bamboo client for one vendor account; every call goes through the shared limiter and the call log. */
export function createBambooClient(db: Db, config: BambooConfig): BambooClient {
  const account = accountKey(config);

  /** Validates an answer; a malformed one is noted on its vendor_calls row and thrown as VendorError. */
  async function parse<T>(res: VendorResponse, schema: ZodType<T>, what: string): Promise<T> {
    try {
      return parseBody(res, schema, what);
    } catch (e) {
      if (e instanceof VendorError) await noteVendorCallError(db, res.callId, e.kind, e.message);
      throw e;
    }
  }

  /** The error for an unexpected status, noted on its vendor_calls row. */
  async function failed(res: VendorResponse, what: string): Promise<VendorError> {
    const err = statusError(res, what);
    await noteVendorCallError(db, res.callId, err.kind, err.code ? `${err.message} (${err.code})` : err.message);
    return err;
  }

  async function* catalogPages(filter: CatalogFilter = {}): AsyncGenerator<CatalogPage, void, undefined> {
    const q = new URLSearchParams();
    if (filter.countryCode) q.set("CountryCode", filter.countryCode);
    if (filter.currencyCode) q.set("CurrencyCode", filter.currencyCode);
    if (filter.brandId) q.set("BrandId", filter.brandId);
    if (filter.productId !== undefined) q.set("ProductId", String(filter.productId));
    if (filter.name) q.set("Name", filter.name);
    if (filter.modifiedDate) q.set("ModifiedDate", filter.modifiedDate);
    let expectedPages = Infinity;
    for (let pageIndex = 0; pageIndex < expectedPages; pageIndex++) {
      q.set("PageIndex", String(pageIndex));
      q.set("PageSize", String(PAGE_SIZE));
      const res = await sendVendorRequest(db, config, { kind: "catalog", method: "GET", path: `/api/integration/v2.0/catalog?${q}` });
      if (res.status !== 200) throw await failed(res, "catalog");
      const page = await parse(res, catalogPageSchema, "catalog");
      // `count` is the number of brands; bound the walk by it so a vendor bug cannot loop us forever.
      // The vendor's own page size counts (it may cap ours), as PageIndex is in its pages.
      expectedPages = Math.ceil(page.count / Math.max(1, page.pageSize));
      yield {
        pageIndex,
        pageSize: page.pageSize,
        count: page.count,
        brands: page.items.map((b) => ({ ...b, products: b.products.map((p) => ({ ...p, isFixed: p.minFaceValue === p.maxFaceValue })) })),
      };
      if (page.items.length === 0) return;
    }
  }

  async function getAccounts(): Promise<VendorAccount[]> {
    const res = await sendVendorRequest(db, config, { kind: "accounts", method: "GET", path: "/api/integration/v1.0/accounts" });
    if (res.status !== 200) throw await failed(res, "accounts");
    return await parse(res, accountsSchema, "accounts");
  }

  const productSlotPrefix = `${account}:place_order:product:`;
  const productSlotKey = (productId: number) => `${productSlotPrefix}${productId}`;

  async function reservePlacementSlot(productId: number, requestId: string) {
    return reserveHeldSlot(db, productSlotKey(productId), config.limits.placeOrderPerProductMs, requestId);
  }

  async function placeOrder(input: PlaceOrderInput): Promise<PlaceOrderOutcome> {
    const { requestId } = input;
    const invalid = (message: string) => new VendorError("invalid_input", `placeOrder: ${message}`, { sent: false });
    if (!UUID.test(requestId)) throw invalid("requestId must be a UUID");
    const lines = "lines" in input ? input.lines : [input];
    if (lines.length === 0) throw invalid("an order needs at least one line");
    if (new Set(lines.map((l) => l.productId)).size !== lines.length) throw invalid("each product may have one line only");
    const products = lines.map((l) => {
      const faceValue = toDecimalString(l.faceValue);
      if (faceValue === null) throw invalid("faceValue must be a decimal string");
      if (!Number.isSafeInteger(l.quantity) || l.quantity < 1) throw invalid("quantity must be a positive integer");
      return { ProductId: l.productId, Quantity: l.quantity, Value: rawNumber(faceValue) };
    });
    const body = stringifyWithRawNumbers({ RequestId: requestId, AccountId: config.accountId, Products: products });
    const spacingMs = config.limits.placeOrderPerProductMs;
    let res: VendorResponse;
    try {
      res = await sendVendorRequest(db, config, {
        kind: "place_order",
        method: "POST",
        path: "/api/integration/v1.0/orders/checkout",
        body,
        orderId: input.orderId,
        requestId,
        extraSlots: spacingMs > 0 ? lines.map((l) => ({ key: productSlotKey(l.productId), spacingMs })) : [],
      });
    } catch (e) {
      if (e instanceof VendorError) return { status: "unknown", requestId, error: e };
      throw e;
    }
    if (res.status === 200) {
      try {
        const echoed = await parse(res, placeOrderAnswerSchema, "place order");
        if (echoed.toLowerCase() !== requestId.toLowerCase()) {
          const err = new VendorError("malformed_response", "place order: answered another request id", { status: 200 });
          await noteVendorCallError(db, res.callId, err.kind, err.message);
          throw err;
        }
      } catch (e) {
        if (e instanceof VendorError) return { status: "unknown", requestId, error: e };
        throw e;
      }
      return { status: "placed", requestId, alreadyExisted: false };
    }
    if (res.status === 400 && isOrderAlreadyExists(messageOf(res))) return { status: "placed", requestId, alreadyExisted: true };
    const err = await failed(res, "place order");
    // Only a documented refusal says the vendor did not take the order. Anything else (401, 403,
    // 404, 409, a gateway's page) may have come after it did: unknown, re-checked by request id.
    if (err.kind === "rejected" && err.code) return { status: "rejected", requestId, code: err.code };
    return { status: "unknown", requestId, error: err };
  }

  async function getOrder(requestId: string, ctx: GetOrderContext = {}): Promise<VendorOrder | null> {
    const res = await sendVendorRequest(db, config, {
      kind: "get_order",
      method: "GET",
      path: `/api/integration/v1.0/orders/${encodeURIComponent(requestId)}`,
      orderId: ctx.orderId,
      requestId,
      maxAttempts: ctx.maxAttempts,
      maxWaitMs: ctx.maxWaitMs,
    });
    // The vendor's own "unknown order" (its JSON message); a bare 404 from something in front is not an answer.
    if (res.status === 404 && messageOf(res) !== null) return null;
    if (res.status !== 200) throw await failed(res, "get order");
    const o = await parse(res, orderSchema, "get order");
    const state = STATE[o.status]!;
    const items = o.items.map((i) => ({
      productId: i.productId,
      faceValue: i.productFaceValue,
      quantity: i.quantity,
      cards: i.cards.map((c) => ({
        vendorCardId: String(c.id),
        serialNumber: c.serialNumber,
        code: c.cardCode,
        pin: c.pin,
        expiresAt: c.expirationDate,
        status: c.status,
      })),
    }));
    return {
      vendorOrderId: String(o.orderId),
      requestId: o.requestId,
      state,
      vendorStatus: VENDOR_STATUS[o.status]!,
      total: o.total,
      currency: o.currency,
      failureCode: state === "failed" ? "vendor_order_failed" : null,
      items,
      cards: items.flatMap((i) => i.cards),
    };
  }

  return {
    accountId: config.accountId,
    account,
    productSlotPrefix: config.limits.placeOrderPerProductMs > 0 ? productSlotPrefix : null,
    catalogPages,
    getAccounts,
    placeOrder,
    reservePlacementSlot,
    getOrder,
  };
}
