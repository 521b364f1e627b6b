import { expect } from "vitest";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { handlers } from "@/server/auth";
import { sessionUserFromToken } from "@/server/auth/session-user";
import type { DbOrTx } from "@/server/db/client";

/** A browser for next-auth's own route handlers: a cookie jar and the CSRF dance. */
export function authBrowser(db: DbOrTx) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const send = async (method: "GET" | "POST", path: string, body?: Record<string, string> | string, json = false) => {
    const headers = new Headers({ cookie: cookieHeader(), [CLIENT_IP_HEADER]: "10.60.0.1" });
    if (body !== undefined) headers.set("content-type", json ? "application/json" : "application/x-www-form-urlencoded");
    const req = new Request(`http://localhost${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : new URLSearchParams(body).toString(),
      redirect: "manual",
    });
    const res = await (method === "GET" ? handlers.GET : handlers.POST)(req as never);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      const [name, value] = [pair!.slice(0, i), pair!.slice(i + 1)];
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const csrf = async () => ((await (await send("GET", "/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
  return {
    async signIn(email: string, password: string) {
      const res = await send("POST", "/api/auth/callback/credentials", { email, password, csrfToken: await csrf(), callbackUrl: "/" });
      expect(res.status).toBe(302);
      expect([...jar.keys()].some((k) => k.includes("session-token"))).toBe(true);
    },
    /** What next-auth says the session is (id, version, second factor passed), as getSessionUser reads it. */
    async token(): Promise<{ id?: unknown; sv?: unknown; tf?: unknown }> {
      const session = (await (await send("GET", "/api/auth/session")).json()) as { user?: { id?: unknown; sv?: unknown; tf?: unknown } } | null;
      return session?.user ?? {};
    },
    /** The signed-in user as a request would see it (the database decides), or null. */
    async user() {
      return sessionUserFromToken(db, await this.token());
    },
    async signOut() {
      await send("POST", "/api/auth/signout", { csrfToken: await csrf(), callbackUrl: "/login" });
    },
    async update(data: Record<string, unknown>) {
      return send("POST", "/api/auth/session", JSON.stringify({ csrfToken: await csrf(), data }), true);
    },
  };
}
