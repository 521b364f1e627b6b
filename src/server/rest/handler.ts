import { randomBytes } from "node:crypto";
import { clientIpFrom } from "@/lib/client-ip";
import type { ErrorCode } from "@/lib/errors";
import { env } from "@/lib/env";
import { processServices, type Services } from "@/server/boot/services";
import type { Db } from "@/server/db/client";
import { apiKeyHash, findApiKey, judgeApiKey, touchApiKey, type ApiKey, type KeyVerification } from "@/server/keys";
import {
  contractViolation,
  defaultStatus,
  defineContract,
  Reply,
  reply,
  type BodyOf,
  type Contract,
  type HandlerResult,
  type ParamsOf,
  type QueryOf,
  type ReplyFn,
} from "./contract";
import { ApiError, errorResponse, toApiError } from "./errors";
import { decision, findApiKeyTakingTokens, rateLimitHeaders, takeToken, type BucketRule, type RateDecision } from "./rate-limit";
import { sharedRateLimitRedis } from "./rate-limit-redis";

export const MAX_BODY_BYTES = 64 * 1024;

/** Per key: bursts of API_RATE_BURST (50), API_RATE_PER_SECOND (25) sustained, shared by every instance. */
function keyRate(): BucketRule {
  const e = env();
  return { capacity: e.API_RATE_BURST, refillPerSecond: e.API_RATE_PER_SECOND };
}

const newRequestId = () => `req_${randomBytes(12).toString("hex")}`;

/**
 * What every handler gets: the request, its id and IP, its input parsed with the contract's
 * schemas, and the process's services (built at boot: `services.db`, the encryption key, the
 * supplier clients, the webhook sender's settings…). `db` is `services.db`.
 */
export interface RouteContext<C extends Contract> {
  req: Request;
  services: Services;
  db: Db;
  requestId: string;
  ip: string;
  query: QueryOf<C>;
  body: BodyOf<C>;
  params: ParamsOf<C>;
  /** An answer with a documented status other than the default (and headers). */
  reply: ReplyFn<C>;
}

/** A partner route's context: also the API key and what it grants. */
export interface PartnerContext<C extends Contract> extends RouteContext<C> {
  key: ApiKey;
  partnerId: string;
  environment: "sandbox" | "live";
}

type NextRouteContext = { params: Promise<Record<string, string | string[]>> };

/** A JSON answer with a status (the default for a plain object return is 200). */
function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(data, { status, headers });
}

function presentedKey(req: Request): string | null {
  const header = req.headers.get("x-api-key");
  if (header) return header.trim();
  const auth = req.headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return null;
}

const tooLarge = () => ApiError.of("body_too_large", `The request body must be at most ${MAX_BODY_BYTES} bytes`);

/**
 * The body as text, at most `limit` bytes, enforced while reading: a declared Content-Length
 * over the limit is refused before reading, and a body without one (chunked) is cut off as soon
 * as it passes the limit, never buffered whole.
 */
async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, size)); // like Request.text(): UTF-8, BOM dropped
}

async function readJson(req: Request): Promise<unknown> {
  const text = await readBodyText(req);
  if (text.trim() === "") return {};
  const type = req.headers.get("content-type") ?? "";
  if (!type.includes("json")) throw ApiError.of("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  try {
    return JSON.parse(text);
  } catch {
    throw ApiError.of("invalid_json", "The request body is not valid JSON");
  }
}

function queryObject(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  new URL(req.url).searchParams.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

const MAX_JSON_DEPTH = 32;

/**
 * Checks input strings once, before any schema or query sees them: PostgreSQL text cannot hold
 * NUL characters, and nesting deeper than MAX_JSON_DEPTH is refused (walked without recursion,
 * so a hostile body cannot exhaust the stack).
 */
function checkStrings(root: unknown, rootName: string): void {
  const stack: Array<[unknown, string, number]> = [[root, rootName, 0]];
  while (stack.length) {
    const [value, where, depth] = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) throw ApiError.of("invalid_parameter", `${where} contains a NUL character`, { param: where });
    } else if (value && typeof value === "object") {
      if (depth >= MAX_JSON_DEPTH) throw ApiError.of("invalid_parameter", `The body is nested more than ${MAX_JSON_DEPTH} levels deep`);
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (const [k, v] of entries) {
        if (k.includes("\u0000")) throw ApiError.of("invalid_parameter", `${where} has a field name with a NUL character`);
        stack.push([v, where === "body" ? k : `${where}.${k}`, depth + 1]);
      }
    }
  }
}

async function parseInput(req: Request, ctx: NextRouteContext | undefined, contract: Contract) {
  const rawQuery = queryObject(req);
  for (const [k, v] of Object.entries(rawQuery)) checkStrings(v, k);
  const rawParams = (ctx ? await ctx.params : undefined) ?? {}; // Next passes no params to static routes
  for (const [k, v] of Object.entries(rawParams)) checkStrings(v, k);
  const query = contract.query ? contract.query.parse(rawQuery) : undefined;
  const params = contract.params ? contract.params.parse(rawParams) : rawParams;
  let body: unknown;
  if (contract.body) {
    const raw = await readJson(req);
    checkStrings(raw, "body");
    body = contract.body.parse(raw);
  }
  return { query, body, params };
}

const AUTH_MESSAGES: Record<string, [ErrorCode, string]> = {
  missing: ["missing_api_key", "Send your API key in the x-api-key header (or Authorization: Bearer)"],
  malformed: ["invalid_api_key", "The API key is malformed: keys look like stlr_test_… or stlr_live_…"],
  not_found: ["invalid_api_key", "The API key is not valid"],
  revoked: ["revoked_api_key", "The API key was revoked"],
  expired: ["expired_api_key", "The API key has expired (its expiry date passed, or it was rotated and its overlap ended); use a current key"],
  partner_suspended: ["account_suspended", "Your account is suspended; contact support"],
  ip_not_allowed: ["ip_not_allowed", "Requests from this IP address are not allowed for this API key"],
  sub_agent: [
    "sub_agent_api_refused",
    "This key belongs to a sub-agent: sub-agents sell through the Steller dashboard only, and the API does not accept their keys",
  ],
};

function finish(
  services: Services | undefined,
  res: Response,
  meta: { req: Request; requestId: string; started: number; ip: string; partnerId?: string; environment?: string; keyStart?: string; errorCode?: string },
  extraHeaders: Record<string, string> = {},
): Response {
  res.headers.set("x-request-id", meta.requestId);
  for (const [k, v] of Object.entries(extraHeaders)) res.headers.set(k, v);
  const url = new URL(meta.req.url);
  services?.requestLog.record({
    partnerId: meta.partnerId ?? null,
    environment: meta.environment ?? null,
    keyStart: meta.keyStart ?? null,
    method: meta.req.method,
    path: url.pathname,
    status: res.status,
    latencyMs: Math.round(performance.now() - meta.started),
    ip: meta.ip,
    requestId: meta.requestId,
    errorCode: meta.errorCode ?? null,
    createdAt: new Date(),
  });
  return res;
}

function internal(error: unknown, requestId: string) {
  const api = toApiError(error);
  if (api.status >= 500 && api.code !== "response_contract_violation")
    console.error(`[api] ${requestId}:`, error instanceof Error ? `${error.name}: ${error.message}` : "unknown error");
  return api;
}

type GuardContext = Pick<RouteContext<Contract>, "req" | "services" | "db" | "requestId" | "ip">;

interface Guard {
  /** Who is asking, known after the guard: fills the request log. */
  meta: { partnerId?: string; environment?: string; keyStart?: string };
  limitHeaders: Record<string, string>;
}

/** Records the rate-limit headers of a decision; throws the 429 when the bucket was empty. */
function enforce(decision: RateDecision, guard: Guard, who: string) {
  guard.limitHeaders = rateLimitHeaders(decision);
  if (!decision.allowed) {
    throw ApiError.of("rate_limited", `Too many requests ${who}: retry after ${decision.retryAfterSeconds} second(s)`);
  }
}

/** Takes a token from a shared bucket; throws the 429 when it is empty. */
async function limit(db: Db, bucket: string, rule: BucketRule, guard: Guard, who: string) {
  enforce(await takeToken(db, bucket, rule), guard, who);
}

/**
 * Verifies the presented key and takes a token from its bucket. With the Postgres buckets both
 * are one statement (one round trip per request); the token is taken only for a key that exists,
 * is not revoked and whose partner is active, and a busy key spends tokens this instance leased
 * (the key is still checked on every request). With Redis: the key check, then the Redis bucket.
 */
async function authenticate(
  services: Services,
  presented: string,
  ip: string,
  rule: BucketRule,
): Promise<{ verified: KeyVerification; decision?: RateDecision }> {
  const db = services.db;
  const hash = apiKeyHash(presented);
  if (!hash) return { verified: { status: "malformed" } };
  // The key check alone, when the token comes from elsewhere (Redis, or this instance's lease).
  const checkThen = async (token: (key: ApiKey) => Promise<RateDecision> | RateDecision) => {
    const verified = judgeApiKey(await findApiKey(db, hash), ip);
    return { verified, decision: verified.status === "valid" ? await token(verified.key) : undefined };
  };
  if (sharedRateLimitRedis()) return checkThen((key) => takeToken(db, `key:${key.id}`, rule));
  const leases = services.tokenLeases;
  const leased = leases.spend(hash);
  if (leased) return checkThen(() => decision(rule, true, leased.remaining));
  const found = await findApiKeyTakingTokens(db, hash, rule, leases.wanted(hash));
  const verified = judgeApiKey(found.found, ip);
  if (verified.status !== "valid") return { verified };
  leases.keep(hash, found.taken, found.decision.remaining);
  return { verified, decision: found.decision };
}

/**
 * Answers are checked against their contract when API_VALIDATE_RESPONSES is on (by default under
 * test): a breach becomes a 500 `response_contract_violation` naming it, so a test sees it.
 */
const validating = () => {
  const e = env();
  return e.API_VALIDATE_RESPONSES ?? e.NODE_ENV === "test";
};

function contractBreach(contract: Contract, status: number, contentType: string | null, wire: unknown, requestId: string): ApiError | null {
  const violation = contractViolation(contract, status, contentType, wire);
  if (!violation) return null;
  console.error(`[api] ${requestId}: response contract violation: ${violation}`);
  return new ApiError(500, "api_error", "response_contract_violation", violation);
}

/** A handler's result as a response (a plain value is the contract's one JSON answer). */
function toResponse(out: unknown, okStatus: number | undefined): { res: Response; body?: unknown } {
  if (out instanceof Response) return { res: out };
  if (out instanceof Reply) return { res: json(out.body, out.status, out.headers), body: out.body };
  if (okStatus === undefined) throw new Error("This operation documents several answers: return ctx.reply(status, body)");
  return { res: json(out, okStatus), body: out };
}

/**
 * The core every API route runs through: request id, client IP, `guard` (authentication and
 * rate limits), validation with the contract's schemas, the handler, then the error envelope,
 * `x-request-id`, rate-limit headers and the request log — for answers and errors alike.
 */
function apiRoute<C extends Contract, W>(
  contract: C,
  guard: (base: GuardContext, g: Guard) => Promise<W>,
  handler: (ctx: RouteContext<C> & W) => Promise<unknown>,
) {
  const okStatus = defaultStatus(contract);
  const route = async (req: Request, routeCtx?: NextRouteContext): Promise<Response> => {
    const started = performance.now();
    const requestId = newRequestId();
    const ip = clientIpFrom(req.headers);
    const g: Guard = { meta: {}, limitHeaders: {} };
    let errorCode: string | undefined;
    let res: Response;
    let services: Services | undefined;
    try {
      services = processServices();
      const base = { req, services, db: services.db, requestId, ip };
      const who = await guard(base, g);
      const input = await parseInput(req, routeCtx, contract);
      const out = toResponse(await handler({ ...base, ...input, ...who, reply } as RouteContext<C> & W), okStatus);
      res = out.res;
      if (validating()) {
        const wire = out.body === undefined ? undefined : JSON.parse(JSON.stringify(out.body));
        const breach = contractBreach(contract, res.status, res.headers.get("content-type"), wire, requestId);
        if (breach) throw breach;
      }
    } catch (error) {
      let api = internal(error, requestId);
      if (validating() && api.code !== "response_contract_violation") {
        const envelope = { error: { type: api.type, code: api.code, message: api.message, ...(api.param ? { param: api.param } : {}), requestId } };
        api = contractBreach(contract, api.status, "application/json", envelope, requestId) ?? api;
      }
      errorCode = api.code;
      res = errorResponse(api, requestId);
    }
    return finish(services, res, { req, requestId, started, ip, errorCode, ...g.meta }, g.limitHeaders);
  };
  return Object.assign(route, { contract });
}

/**
 * The one wrapper for partner routes: API key (x-api-key or Bearer) → environment from the
 * key → IP allowlist → per-key rate limit → the contract's params, query and body → the handler,
 * whose answer is typed by the contract's responses.
 */
export function partnerRoute<const C extends Contract & { access: "partner" }>(contract: C, handler: (ctx: PartnerContext<C>) => Promise<HandlerResult<C>>) {
  return apiRoute(
    contract,
    async ({ req, services, db, ip }, g) => {
      const presented = presentedKey(req);
      const rule = keyRate();
      const { verified, decision } = presented ? await authenticate(services, presented, ip, rule) : { verified: { status: "missing" } as const };
      if (verified.status !== "valid") {
        const [code, message] = AUTH_MESSAGES[verified.status]!;
        throw ApiError.of(code, message);
      }
      const key = verified.key;
      g.meta = { partnerId: key.partnerId, environment: key.environment, keyStart: key.start };
      enforce(decision!, g, "for this API key");
      // Last use is kept to the minute: skip the write (a round trip) when it is recent.
      if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000) void touchApiKey(db, key.id).catch(() => {});
      return { key, partnerId: key.partnerId, environment: key.environment };
    },
    handler,
  );
}

/** Routes without an API key (signup, OpenAPI): the contract's validation, envelope, request id, optional IP rate limit. */
export function publicRoute<const C extends Contract & { access: "public" }>(
  contract: C,
  options: { ipRate?: { bucket: string; rule: () => BucketRule } },
  handler: (ctx: RouteContext<C>) => Promise<HandlerResult<C>>,
) {
  return apiRoute(
    contract,
    async ({ db, ip }, g) => {
      if (options.ipRate) await limit(db, `${options.ipRate.bucket}:${ip}`, options.ipRate.rule(), g, "from your address");
      return {};
    },
    handler,
  );
}

/**
 * Handlers for the methods a route does not serve: 405 in the error envelope with an `Allow`
 * header (Next.js would answer a bare 405). A route file exports the ones it lacks:
 * `export const { PUT, PATCH, DELETE } = otherMethods(["GET", "POST"]);`
 */
export function otherMethods(allowed: Array<"GET" | "POST" | "PUT" | "PATCH" | "DELETE">) {
  const refuse = apiRoute(
    methodNotAllowed,
    async () => ({}),
    async ({ req }) => {
      throw ApiError.of("method_not_allowed", `${req.method} is not supported here; use ${allowed.join(" or ")}`, { headers: { Allow: allowed.join(", ") } });
    },
  );
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse };
}

/** Not an operation of the document: what any method a route does not serve answers. */
const methodNotAllowed = defineContract({
  method: "GET",
  path: "/api/v1/{any}",
  access: "public",
  tag: "",
  summary: "A method the route does not serve",
  responses: {},
  errors: ["method_not_allowed"],
});
