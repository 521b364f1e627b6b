import "server-only";
import { headers } from "next/headers";
import { envValue } from "@/lib/env";

/** The app's public origin for code samples: APP_URL when set, else the host this request came to. */
export async function publicOrigin(): Promise<string> {
  const configured = envValue("APP_URL");
  if (configured) return configured.replace(/\/$/, "");
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}
