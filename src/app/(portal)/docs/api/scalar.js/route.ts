import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";

export const runtime = "nodejs";

/**
 * Scalar's browser bundle, streamed from the installed package (never committed, never from a
 * CDN): /docs/api loads it from here. The file is not in the package's `exports`, so it is read
 * by path from node_modules; its version is the installed one (package-lock).
 */
const BUNDLE = path.join(process.cwd(), "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");

export async function GET(req: Request): Promise<Response> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(BUNDLE);
  } catch {
    return new Response("// @scalar/api-reference is not installed: run npm install\n", {
      status: 503,
      headers: { "content-type": "text/javascript; charset=utf-8" },
    });
  }
  const etag = `"${stat.size.toString(16)}-${stat.mtimeMs.toString(16)}"`;
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    etag,
    "cache-control": "public, max-age=3600, must-revalidate",
    "x-content-type-options": "nosniff",
  };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const stream = Readable.toWeb(fs.createReadStream(BUNDLE)) as ReadableStream<Uint8Array>;
  return new Response(stream, { headers: { ...headers, "content-length": String(stat.size) } });
}
