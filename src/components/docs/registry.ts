/**
 * The integrator docs: every page, in sidebar order, with its sections. The sidebar, the on-page
 * search and each page's headings (DocSection) are all built from this list, so a heading and its
 * search entry cannot disagree. `keywords` are extra words the search matches.
 */
export interface DocSectionEntry {
  id: string;
  title: string;
  keywords?: string;
}

export interface DocPageEntry {
  /** The URL under /docs ("" is /docs itself). */
  slug: string;
  title: string;
  summary: string;
  group: "Get started" | "Build" | "Reference" | "Ship";
  sections: DocSectionEntry[];
}

export const DOC_PAGES: DocPageEntry[] = [
  {
    slug: "",
    title: "Quickstart",
    summary: "From nothing to a test gift card in four calls.",
    group: "Get started",
    sections: [
      { id: "setup", title: "Before you start", keywords: "STELLER_URL shell curl" },
      { id: "sign-up", title: "1. Sign up", keywords: "signup account sandbox key test funds" },
      { id: "catalog", title: "2. Browse the catalog", keywords: "products sku brands" },
      { id: "order", title: "3. Order a card", keywords: "referenceId idempotency" },
      { id: "poll", title: "4. Get the card", keywords: "poll status completed code pin" },
      { id: "typescript", title: "The same in TypeScript", keywords: "sdk node typed client" },
    ],
  },
  {
    slug: "authentication",
    title: "Authentication and keys",
    summary: "Test and live keys, rotation without downtime, IP allowlists.",
    group: "Get started",
    sections: [
      { id: "keys", title: "API keys", keywords: "x-api-key bearer authorization header" },
      { id: "test-vs-live", title: "Test keys and live keys", keywords: "stlr_test stlr_live sandbox environment" },
      { id: "rotation", title: "Rotating a key", keywords: "rotate overlapSeconds revoke expired" },
      { id: "ip-allowlists", title: "IP allowlists", keywords: "cidr ip_not_allowed address" },
      { id: "keeping-keys-safe", title: "Keeping keys safe", keywords: "secret leak revoke" },
    ],
  },
  {
    slug: "sdk",
    title: "TypeScript SDK",
    summary: "A typed client generated from the OpenAPI document.",
    group: "Get started",
    sections: [
      { id: "install", title: "Install and create a client", keywords: "@steller/sdk openapi-fetch createSteller" },
      { id: "calls", title: "Typed calls and errors", keywords: "unwrap StellerError types" },
      { id: "retries", title: "Retries", keywords: "fetch retry Retry-After backoff" },
    ],
  },
  {
    slug: "catalog",
    title: "Catalog and pricing",
    summary: "What you can sell, at what face values, and what you pay.",
    group: "Build",
    sections: [
      { id: "listing", title: "Listing products", keywords: "GET /catalog brand country currency pagination" },
      { id: "denominations", title: "Fixed and ranged face values", keywords: "denomination range minFaceValue maxFaceValue fixed" },
      { id: "pricing", title: "Your price", keywords: "unitPrice priceCurrency discount margin" },
      { id: "pagination", title: "Pagination", keywords: "limit startingAfter hasMore nextCursor" },
    ],
  },
  {
    slug: "orders",
    title: "Orders",
    summary: "Creating orders, idempotency, states, polling and cards.",
    group: "Build",
    sections: [
      { id: "create", title: "Creating an order", keywords: "POST /orders sku faceValue quantity 202" },
      { id: "idempotency", title: "Idempotency", keywords: "referenceId Idempotency-Key retry replay reference_conflict" },
      { id: "states", title: "Order states", keywords: "pending processing completed failed partial refund" },
      { id: "polling", title: "Polling", keywords: "poll GET /orders/{id} webhooks" },
      { id: "cards", title: "Cards", keywords: "code pin serialNumber expiresAt" },
      { id: "finding", title: "Finding an order", keywords: "list orders referenceId status from to" },
      { id: "wallet", title: "Wallet and money", keywords: "balance decimal strings top-up statement" },
    ],
  },
  {
    slug: "webhooks",
    title: "Webhooks",
    summary: "Signed events, retries, replay.",
    group: "Build",
    sections: [
      { id: "endpoints", title: "Registering an endpoint", keywords: "POST /webhook-endpoints whsec secret" },
      { id: "events", title: "Events and payloads", keywords: "order.completed order.failed wallet.low_balance topup.approved webhook.test" },
      { id: "verifying", title: "Verifying signatures", keywords: "standard webhooks hmac sha256 webhook-signature webhook-id webhook-timestamp" },
      { id: "retries", title: "Retries and disabling", keywords: "2xx backoff exhausted disabled" },
      { id: "replay", title: "Delivery log and replay", keywords: "webhook-deliveries replay attemptLog" },
      { id: "testing", title: "Testing your receiver", keywords: "webhook.test test event" },
    ],
  },
  {
    slug: "sandbox",
    title: "Sandbox and magic values",
    summary: "Test money, test cards, and face values that force every path.",
    group: "Build",
    sections: [
      { id: "sandbox", title: "What the sandbox is", keywords: "test mode fake money mock vendor" },
      { id: "magic-values", title: "Magic values", keywords: "out of stock fails partial slow rate limit storm cents" },
      { id: "example", title: "Example: out of stock", keywords: ".13 refund failed" },
    ],
  },
  {
    slug: "errors",
    title: "Errors",
    summary: "The error envelope and every code.",
    group: "Reference",
    sections: [
      { id: "envelope", title: "The error envelope", keywords: "type code message param requestId" },
      { id: "handling", title: "Handling errors", keywords: "switch code retry status" },
      { id: "codes", title: "Every error code", keywords: "reference list status kind" },
    ],
  },
  {
    slug: "rate-limits",
    title: "Rate limits and retries",
    summary: "How much you may send, and how to retry safely.",
    group: "Reference",
    sections: [
      { id: "limits", title: "Limits", keywords: "token bucket burst per second 429" },
      { id: "headers", title: "Rate-limit headers", keywords: "RateLimit-Limit RateLimit-Remaining RateLimit-Reset Retry-After" },
      { id: "retrying", title: "Retrying safely", keywords: "backoff jitter idempotent 503" },
    ],
  },
  {
    slug: "going-live",
    title: "Going live",
    summary: "From the sandbox to real cards.",
    group: "Ship",
    sections: [
      { id: "checklist", title: "Checklist", keywords: "verify email request live access approval" },
      { id: "funding", title: "Funding your wallet", keywords: "top-up bank transfer topup-requests" },
      { id: "switching", title: "Switching keys", keywords: "stlr_live environment" },
    ],
  },
  {
    slug: "versioning",
    title: "Versioning",
    summary: "What may change within v1 and how changes are announced.",
    group: "Ship",
    sections: [
      { id: "policy", title: "What v1 promises", keywords: "backwards compatible additive breaking" },
      { id: "deprecations", title: "Deprecations", keywords: "Deprecation Sunset header notice email" },
      { id: "changelog", title: "Staying informed", keywords: "changelog openapi" },
    ],
  },
];

export const docHref = (slug: string, section?: string) => `/docs${slug ? `/${slug}` : ""}${section ? `#${section}` : ""}`;

export function docPage(slug: string): DocPageEntry | undefined {
  return DOC_PAGES.find((p) => p.slug === slug);
}

export function docSection(slug: string, id: string): DocSectionEntry {
  const s = docPage(slug)?.sections.find((x) => x.id === id);
  if (!s) throw new Error(`docs: no section "${id}" on page "${slug}" in src/components/docs/registry.ts`);
  return s;
}
