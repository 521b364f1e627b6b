import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { bareHost, isPrivateAddress } from "./target";

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

export interface PostResult {
  /** The HTTP status, when an answer came. */
  statusCode: number | null;
  /** Why the attempt failed without an answer (or a refused target). */
  error: string | null;
  durationMs: number;
  /** The receiver's answer headers and the start of its body (for the delivery log), when it answered. */
  responseHeaders?: Record<string, string>;
  responseBody?: string;
}

/** How much of a receiver's answer body the delivery log keeps. */
const RESPONSE_EXCERPT_BYTES = 2048;

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  resolve?: Resolver;
  /** How much of the answer to read (it is discarded; the status is what counts). */
  maxResponseBytes?: number;
}

/**
 * POSTs a webhook body. The host is resolved first and every address is vetted (unless private
 * targets are allowed); the connection then goes to the vetted address only, through a `lookup`
 * that returns it, so a second DNS answer (rebinding) cannot swap it. Redirects are not
 * followed (a 3xx is a failed attempt). Never throws: failures are in the result.
 */
export async function postWebhook(target: string, headers: Record<string, string>, body: string, opts: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { statusCode: null, error: "invalid URL", durationMs: 0 };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { statusCode: null, error: "unsupported protocol", durationMs: 0 };
  const host = bareHost(url);
  let vetted: { address: string; family: number };
  try {
    const addresses = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await (opts.resolve ?? systemResolver)(host);
    if (addresses.length === 0) return { statusCode: null, error: `could not resolve ${host}`, durationMs: elapsed() };
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad && !opts.allowPrivate) {
      return { statusCode: null, error: `refused: ${host} resolves to a private or reserved address (${bad.address})`, durationMs: elapsed() };
    }
    vetted = addresses[0]!;
  } catch (error) {
    return { statusCode: null, error: `could not resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? "DNS error"}`, durationMs: elapsed() };
  }

  const lookup = ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [vetted]);
    else callback(null, vetted.address, vetted.family);
  }) as unknown as net.LookupFunction;

  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const done = (r: Omit<PostResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: elapsed() });
    };
    const request = (url.protocol === "https:" ? https : http).request(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        lookup,
        agent: false,
        servername: net.isIP(host) ? undefined : host,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "Steller-Webhooks/1.0",
        },
      },
      (res) => {
        const statusCode = res.statusCode ?? null;
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
        const excerpt: Buffer[] = [];
        let kept = 0;
        let read = 0;
        const answered = () => ({
          statusCode,
          error: null,
          responseHeaders,
          // PostgreSQL text cannot hold NUL.
          responseBody: Buffer.concat(excerpt).toString("utf8").split("\u0000").join(""),
        });
        res.on("data", (chunk: Buffer) => {
          if (kept < RESPONSE_EXCERPT_BYTES) {
            const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept);
            excerpt.push(part);
            kept += part.length;
          }
          read += chunk.length;
          if (read > (opts.maxResponseBytes ?? 64 * 1024)) {
            res.destroy();
            done(answered());
          }
        });
        res.on("end", () => done(answered()));
        res.on("error", () => done(answered()));
        res.on("close", () => done(answered()));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      done({ statusCode: null, error: `timed out after ${opts.timeoutMs} ms` });
    }, opts.timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => done({ statusCode: null, error: error.code ? `${error.code}: ${error.message}` : error.message }));
    request.end(body);
  });
}
