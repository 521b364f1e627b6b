import { isDeepStrictEqual } from "node:util";
import { z, type ZodType } from "zod";
import { ERROR_CODES, type ErrorCode } from "@/lib/errors";
import { errorEnvelope } from "./contracts/common";
import { httpErrorOf } from "./errors";

/**
 * What an `/api/v1` operation promises, defined once (in src/server/rest/contracts/<resource>.ts)
 * and used three ways: `partnerRoute`/`publicRoute` parse params, query and body with its
 * schemas and type the handler's answer from its responses; `buildOpenApi` documents it; and,
 * under test (API_VALIDATE_RESPONSES), every answer is checked against it.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A JSON answer. The schema's input side is the wire (what the document shows); its output side is what a handler returns. */
export interface JsonResponse<S extends ZodType = ZodType> {
  description: string;
  schema: S;
  /** A wire example, shown in the document (a test checks it against the schema). */
  example?: unknown;
  /** Response headers: name → description. */
  headers?: Record<string, string>;
}

/** A non-JSON answer (e.g. a CSV download): the handler returns a `Response`. */
export interface TextResponse {
  description: string;
  contentType: string;
  example?: string;
  headers?: Record<string, string>;
}

/**
 * An error an operation may answer: a code of the error vocabulary (src/lib/errors.ts), which
 * decides its status and envelope type; optionally what it means here and the parameter at fault.
 */
export type ErrorRef = ErrorCode | { code: ErrorCode; description?: string; param?: string };

/** A documented error: the envelope `{ error: { type, code, message, param?, requestId } }` with this code. */
export interface ErrorDoc {
  code: ErrorCode;
  status: number;
  type: string;
  description: string;
  param?: string;
}

export interface Contract {
  method: HttpMethod;
  path: `/api/v1/${string}`;
  tag: string;
  summary: string;
  description?: string;
  /** partner: an API key is required (401/403/429 are then documented for it); public: no key. */
  access: "partner" | "public";
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  /** A request body example, in the wire form (checked by a test). */
  requestExample?: unknown;
  /** Documents the Idempotency-Key header. */
  idempotencyHeader?: boolean;
  /** The successful answers, by status. */
  responses: Record<number, JsonResponse | TextResponse>;
  /** The errors this operation answers beyond those every operation may answer (`commonErrors`). */
  errors?: readonly ErrorRef[];
}

/** Declares an operation; keeps the literal types the route wrappers read. */
export const defineContract = <const C extends Contract>(c: C): C => c;

/** A JSON response (keeps the schema's type for the handler's return type). */
export const jsonResponse = <S extends ZodType>(
  schema: S,
  description: string,
  more: Omit<JsonResponse<S>, "schema" | "description"> = {},
): JsonResponse<S> => ({
  schema,
  description,
  ...more,
});

/**
 * A timestamp: an ISO 8601 string on the wire; a handler may return a `Date` (serialised by
 * `Date.toJSON`, i.e. `toISOString`) or an ISO string it already has.
 */
export const timestamp = z.codec(z.iso.datetime({ offset: true }), z.union([z.date(), z.string()]), {
  decode: (s) => s,
  encode: (v) => (typeof v === "string" ? v : v.toISOString()),
});

// ---- the handler's types, from the contract -------------------------------------------------

type Out<S> = S extends ZodType ? z.output<S> : undefined;
export type ParamsOf<C extends Contract> = C["params"] extends ZodType ? z.output<C["params"]> : Record<string, never>;
export type QueryOf<C extends Contract> = Out<C["query"]>;
export type BodyOf<C extends Contract> = Out<C["body"]>;

type JsonStatuses<C extends Contract> = { [K in keyof C["responses"]]: C["responses"][K] extends JsonResponse<infer _S> ? K : never }[keyof C["responses"]] &
  number;
/** What a handler returns for `status`: the output side of that response's schema. */
export type ResponseBody<C extends Contract, K extends JsonStatuses<C>> = C["responses"][K] extends JsonResponse<infer S> ? z.output<S> : never;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type IsUnion<T> = [T] extends [UnionToIntersection<T>] ? false : true;

/** An answer with an explicit status (and headers): `ctx.reply(201, body)`. */
export class Reply<K extends number = number, B = unknown> {
  constructor(
    readonly status: K,
    readonly body: B,
    readonly headers?: Record<string, string>,
  ) {}
}
type Replies<C extends Contract> = { [K in JsonStatuses<C>]: Reply<K, ResponseBody<C, K>> }[JsonStatuses<C>];
type HasText<C extends Contract> = true extends { [K in keyof C["responses"]]: C["responses"][K] extends TextResponse ? true : false }[keyof C["responses"]]
  ? true
  : false;

/**
 * What a handler may return: the body of the operation's one JSON response (sent with its
 * status), a `Reply` for any documented JSON status, or a `Response` for a non-JSON answer.
 */
export type HandlerResult<C extends Contract> =
  | (IsUnion<JsonStatuses<C>> extends true ? never : ResponseBody<C, JsonStatuses<C>>)
  | Replies<C>
  | (HasText<C> extends true ? Response : never);

export type ReplyFn<C extends Contract> = <K extends JsonStatuses<C>>(
  status: K,
  body: ResponseBody<C, K>,
  headers?: Record<string, string>,
) => Reply<K, ResponseBody<C, K>>;
export const reply = (status: number, body: unknown, headers?: Record<string, string>) => new Reply(status, body, headers);

/** The status of a plain (non-`Reply`) return: the operation's one JSON response. */
export function defaultStatus(c: Contract): number | undefined {
  const json = Object.entries(c.responses).filter(([, r]) => "schema" in r);
  return json.length === 1 ? Number(json[0]![0]) : undefined;
}

// ---- errors every operation may answer ------------------------------------------------------

const errorDoc = (ref: ErrorRef): ErrorDoc => {
  const { code, description, param } = typeof ref === "string" ? { code: ref, description: undefined, param: undefined } : ref;
  return { code, ...httpErrorOf(code), description: description ?? ERROR_CODES[code].description, ...(param ? { param } : {}) };
};

/** The errors any operation of this kind may answer, whatever its handler does. */
function commonErrors(c: Contract): ErrorCode[] {
  return [
    "invalid_parameter",
    ...(c.access === "partner"
      ? ([
          "missing_api_key",
          "invalid_api_key",
          "revoked_api_key",
          "expired_api_key",
          "account_suspended",
          "sub_agent_api_refused",
          "ip_not_allowed",
          "rate_limited",
        ] as const)
      : []),
    ...(c.body ? (["invalid_json", "body_too_large", "unsupported_media_type"] as const) : []),
    "internal_error",
    "service_unavailable",
  ];
}

/** Every error the operation may answer, by status: the common ones, then its own. */
export function errorsOf(c: Contract): Record<number, ErrorDoc[]> {
  const out: Record<number, ErrorDoc[]> = {};
  for (const ref of [...commonErrors(c), ...(c.errors ?? [])]) {
    const doc = errorDoc(ref);
    const docs = (out[doc.status] ??= []);
    const same = docs.findIndex((d) => d.code === doc.code);
    if (same >= 0)
      docs[same] = doc; // the operation's own words win
    else docs.push(doc);
  }
  return out;
}

// ---- checking an answer against the contract (tests) ----------------------------------------

/**
 * Why an answer breaks its contract, or null when it keeps it: the status must be documented, a
 * JSON body must parse with the response's schema and carry no field it does not document
 * (the parsed value, encoded back, must equal the wire), an error must be the documented envelope
 * with a documented code.
 */
export function contractViolation(c: Contract, status: number, contentType: string | null, wire: unknown): string | null {
  const where = `${c.method} ${c.path} answered ${status}`;
  const success = c.responses[status];
  if (success) {
    if (!("schema" in success))
      return contentType?.startsWith(success.contentType) ? null : `${where} with content-type ${contentType}, documented ${success.contentType}`;
    return schemaViolation(success.schema, wire, where);
  }
  const docs = errorsOf(c)[status];
  if (!docs) return `${where}, a status its contract does not document`;
  const bad = schemaViolation(errorEnvelope, wire, where);
  if (bad) return bad;
  const code = (wire as { error: { code: string } }).error.code;
  if (!docs.some((d) => d.code === code))
    return `${where} with error code ${code}, not documented for ${status} (documented: ${docs.map((d) => d.code).join(", ")})`;
  return null;
}

function schemaViolation(schema: ZodType, wire: unknown, where: string): string | null {
  const parsed = schema.safeParse(wire);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    return `${where} with a body that breaks its documented schema: ${issues.join("; ")}`;
  }
  const back = z.encode(schema, parsed.data);
  if (!isDeepStrictEqual(back, wire))
    return `${where} with fields its documented schema does not have: ${extraFields(wire, back).join(", ") || "(a value changed when parsed)"}`;
  return null;
}

/** Paths present in `wire` but missing from `documented`. */
function extraFields(wire: unknown, documented: unknown, path = ""): string[] {
  if (!wire || typeof wire !== "object" || !documented || typeof documented !== "object") return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(wire)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in documented)) out.push(p);
    else out.push(...extraFields(v, (documented as Record<string, unknown>)[k], p));
  }
  return out;
}
