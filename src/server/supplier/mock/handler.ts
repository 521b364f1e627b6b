import { timingSafeEqual } from "node:crypto";
import { and, asc, eq, gte, ilike, inArray, sql, type SQL } from "drizzle-orm";
import { env, type Env } from "@/lib/env";
import type { Db } from "@/server/db/client";
import { mockVendorAccounts, mockVendorBrands, mockVendorProducts } from "@/server/db/schema";
import { rawNumber, stringifyWithRawNumbers } from "../json";
import { mockUnitPrice, seedMockVendor } from "./catalog";
import { mockNotifyFromEnv, scheduleMockNotification, type MockNotifyOptions } from "./notify";
import { getMockOrder, message, placeMockOrder, type MockAnswer } from "./orders";
import { MOCK_RATE_LIMITS, productPlacementLimit, takeMockToken, type MockCallKind, type MockRateLimits, type MockTokenBucket } from "./rate-limit";

export interface MockVendorOptions {
  clientId: string;
  clientSecret: string;
  /** How long an order stays Pending/Processing before its outcome (ms). */
  fulfilMs: number;
  /** The mock's own limits (429 like the vendor), or false to switch them off. */
  rateLimits: MockRateLimits | false;
  /** Seed accounts and the default catalog on first request (idempotent). */
  autoSeed: boolean;
  /**
   * Fault injection for resilience runs: this share (0–1) of authorised calls answers, in equal
   * parts, 429 (before doing anything), 500 after doing the work (the answer is lost), or hangs
   * `faultHangMs` after doing the work and then answers 504. Off (0) by default.
   */
  faultRate?: number;
  faultHangMs?: number;
  /**
   * Also sell every product of the app's synced catalog (`catalog_products`) at its catalog price,
   * ahead of the mock's own: the built-in mock does, so the sandbox offers what the partner sees
   * live even when live is the real Bamboo. Off for a mock that stands in for Bamboo itself.
   */
  syncedCatalog?: boolean;
  /** POST a signed notification when an order finishes (once per order, in the background). Unset: none. */
  notify?: MockNotifyOptions;
}

function scaled(limits: MockRateLimits, scale: number): MockRateLimits {
  if (scale === 1) return limits;
  const out = {} as MockRateLimits;
  for (const [kind, l] of Object.entries(limits) as [keyof MockRateLimits, MockTokenBucket][]) {
    out[kind] = { perSecond: l.perSecond * scale, burst: Math.max(1, Math.round(l.burst * scale)) };
  }
  return out;
}

/** The built-in mock vendor's options (the route's and the in-process sandbox's). */
export function mockVendorOptionsFromEnv(e: Env = env()): MockVendorOptions {
  return {
    clientId: e.MOCK_VENDOR_CLIENT_ID,
    clientSecret: e.MOCK_VENDOR_CLIENT_SECRET,
    fulfilMs: e.MOCK_VENDOR_FULFIL_MS,
    rateLimits: scaled(
      e.MOCK_VENDOR_PRODUCT_PLACEMENTS_PER_MINUTE > 0
        ? { ...MOCK_RATE_LIMITS, place_order_product: productPlacementLimit(e.MOCK_VENDOR_PRODUCT_PLACEMENTS_PER_MINUTE) }
        : MOCK_RATE_LIMITS,
      e.MOCK_VENDOR_RATE_SCALE,
    ),
    autoSeed: true,
    faultRate: e.MOCK_VENDOR_FAULT_RATE,
    faultHangMs: e.MOCK_VENDOR_FAULT_HANG_MS,
    syncedCatalog: true,
    notify: mockNotifyFromEnv(e),
  };
}

type Fault = "rate_limited" | "answer_lost" | "hang" | null;

function pickFault(rate: number | undefined): Fault {
  if (!rate || Math.random() >= rate) return null;
  const kinds = ["rate_limited", "answer_lost", "hang"] as const;
  return kinds[Math.floor(Math.random() * kinds.length)]!;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function authorised(req: Request, o: MockVendorOptions): boolean {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i > 0 && same(decoded.slice(0, i), o.clientId) && same(decoded.slice(i + 1), o.clientSecret);
}

function toResponse(a: MockAnswer): Response {
  return new Response(a.json, { status: a.status, headers: { "content-type": "application/json; charset=utf-8", ...a.headers } });
}

async function catalog(db: Db, url: URL): Promise<MockAnswer> {
  const q = (name: string) => {
    for (const [k, v] of url.searchParams) if (k.toLowerCase() === name.toLowerCase()) return v;
    return null;
  };
  const pageIndex = Number(q("PageIndex") ?? "0");
  const pageSize = Number(q("PageSize") ?? "100");
  if (!Number.isInteger(pageIndex) || pageIndex < 0) return message(400, "PageIndex must be a non-negative integer");
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return message(400, "PageSize must be between 1 and 100");

  const where: SQL[] = [];
  const b = mockVendorBrands;
  if (q("CountryCode")) where.push(eq(b.countryCode, q("CountryCode")!.toUpperCase()));
  if (q("CurrencyCode")) where.push(eq(b.currencyCode, q("CurrencyCode")!.toUpperCase()));
  if (q("BrandId")) where.push(eq(b.internalId, q("BrandId")!));
  if (q("Name")) where.push(ilike(b.name, `%${q("Name")!.replace(/[%_\\]/g, "\\$&")}%`));
  if (q("ModifiedDate") && !Number.isNaN(Date.parse(q("ModifiedDate")!))) where.push(gte(b.modifiedDate, new Date(q("ModifiedDate")!)));
  const productId = q("ProductId") && /^\d+$/.test(q("ProductId")!) ? Number(q("ProductId")) : null;
  if (productId !== null) where.push(sql`exists (select 1 from mock_vendor_products p where p.brand_id = ${b.internalId} and p.id = ${productId})`);
  const filter = where.length ? and(...where) : undefined;

  const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(b).where(filter)) as [{ n: number }];
  const brands = await db
    .select()
    .from(b)
    .where(filter)
    .orderBy(asc(b.position))
    .limit(pageSize)
    .offset(pageIndex * pageSize);
  const products = brands.length
    ? await db
        .select()
        .from(mockVendorProducts)
        .where(
          and(
            inArray(
              mockVendorProducts.brandId,
              brands.map((x) => x.internalId),
            ),
            productId !== null ? eq(mockVendorProducts.id, productId) : undefined,
          ),
        )
        .orderBy(asc(mockVendorProducts.id))
    : [];
  const items = brands.map((brand) => ({
    internalId: brand.internalId,
    name: brand.name,
    countryCode: brand.countryCode,
    currencyCode: brand.currencyCode,
    description: brand.description,
    disclaimer: brand.disclaimer,
    redemptionInstructions: brand.redemptionInstructions,
    terms: brand.terms,
    logoUrl: brand.logoUrl,
    modifiedDate: brand.modifiedDate.toISOString(),
    products: products
      .filter((p) => p.brandId === brand.internalId)
      .map((p) => ({
        id: p.id,
        name: p.name,
        minFaceValue: rawNumber(p.minFaceValue),
        maxFaceValue: rawNumber(p.maxFaceValue),
        count: null,
        price: {
          min: rawNumber(mockUnitPrice(p.minFaceValue, p.costFactor)),
          max: rawNumber(mockUnitPrice(p.maxFaceValue, p.costFactor)),
          currencyCode: p.priceCurrency,
        },
        modifiedDate: p.modifiedDate.toISOString(),
      })),
  }));
  return { status: 200, json: stringifyWithRawNumbers({ pageIndex, pageSize, count: n, items }) };
}

async function accounts(db: Db): Promise<MockAnswer> {
  const rows = await db.select().from(mockVendorAccounts).orderBy(asc(mockVendorAccounts.id));
  return {
    status: 200,
    json: stringifyWithRawNumbers({
      accounts: rows.map((a) => ({ id: a.id, currency: a.currency, balance: rawNumber(a.balance), isActive: a.isActive, sandboxMode: true })),
    }),
  };
}

function route(method: string, path: string): { kind: MockCallKind; requestId?: string } | null {
  if (method === "GET" && path === "v2.0/catalog") return { kind: "catalog" };
  if (method === "GET" && path === "v1.0/accounts") return { kind: "accounts" };
  if (method === "POST" && path === "v1.0/orders/checkout") return { kind: "place_order" };
  const m = /^v1\.0\/orders\/([^/]+)$/.exec(path);
  if (method === "GET" && m) return { kind: "get_order", requestId: decodeURIComponent(m[1]!) };
  return null;
}

/**
 * The mock vendor as a Fetch handler: Bamboo's paths after `/api/integration/`, Basic auth,
 * the vendor's 429s, and state in Postgres. Served by the Next.js route and by the test server.
 */
export function createMockVendorHandler(db: Db, o: MockVendorOptions): (req: Request) => Promise<Response> {
  let seeded: Promise<void> | null = null;
  const productLimit = o.rateLimits ? o.rateLimits.place_order_product : undefined;

  return async (req) => {
    const url = new URL(req.url);
    const at = url.pathname.indexOf("/api/integration/");
    const r = at < 0 ? null : route(req.method, url.pathname.slice(at + "/api/integration/".length).replace(/\/+$/, ""));
    if (!r) return toResponse(message(404, "No HTTP resource was found that matches the request URI."));
    if (!authorised(req, o)) return toResponse(message(401, "Authorization has been denied for this request."));
    if (o.autoSeed) {
      seeded ??= seedMockVendor(db).catch((e) => {
        seeded = null;
        throw e;
      });
      await seeded;
    }
    if (o.rateLimits) {
      const wait = await takeMockToken(db, `${o.clientId}:${r.kind}`, o.rateLimits[r.kind]);
      if (wait !== null) return toResponse(message(429, `Too many requests. Please wait for ${wait} seconds`, { "retry-after": String(wait) }));
    }
    const fault = pickFault(o.faultRate);
    if (fault === "rate_limited") return toResponse(message(429, "Too many requests. Please wait for 1 seconds", { "retry-after": "1" }));
    let answer: MockAnswer;
    try {
      switch (r.kind) {
        case "catalog":
          answer = await catalog(db, url);
          break;
        case "accounts":
          answer = await accounts(db);
          break;
        case "place_order":
          answer = await placeMockOrder(db, o.clientId, await req.text(), {
            fulfilMs: o.fulfilMs,
            syncedCatalog: o.syncedCatalog,
            takeProductToken: productLimit ? (productId) => takeMockToken(db, `${o.clientId}:place_order:product:${productId}`, productLimit) : undefined,
            onAccepted: o.notify ? (requestId, fulfilMs) => scheduleMockNotification(db, o.notify!, requestId, fulfilMs) : undefined,
          });
          break;
        case "get_order":
          answer = await getMockOrder(db, o.clientId, r.requestId!);
          break;
      }
    } catch (e) {
      console.error("[mock-vendor]", e);
      return toResponse(message(500, "An error has occurred."));
    }
    // Faults after the work: the vendor did it, the caller never learns the answer.
    if (fault === "answer_lost") return toResponse(message(500, "An error has occurred."));
    if (fault === "hang") {
      await new Promise((resolve) => setTimeout(resolve, o.faultHangMs ?? 20_000));
      return toResponse(message(504, "Gateway Timeout"));
    }
    return toResponse(answer);
  };
}
