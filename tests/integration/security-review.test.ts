import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/keys/route";
import * as revokeRoute from "@/app/api/v1/keys/[id]/revoke/route";
import * as rotateRoute from "@/app/api/v1/keys/[id]/rotate/route";
import * as walletRoute from "@/app/api/v1/wallet/route";
import * as topupRoute from "@/app/api/v1/wallet/topup-requests/route";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { webhookEndpoints } from "@/server/db/schema";
import { createApiKey } from "@/server/keys";
import { requestTopup } from "@/server/ledger";
import { MAX_BODY_BYTES } from "@/server/rest/handler";
import { createEndpoint, MAX_ENDPOINTS } from "@/server/webhooks/endpoints";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(20);
  bindAppDatabase(t);
});
afterAll(async () => t?.close());

async function keyFor(partnerId: string, environment: "sandbox" | "live" = "sandbox", name = "k") {
  const { key, secret } = await createApiKey(t.db, { partnerId, environment, name, actor: "test" });
  return { id: key.id, secret };
}

describe("JSON body limit", () => {
  /** A chunked body (no Content-Length) that would go on for 32 MiB; counts what was pulled. */
  function endlessBody() {
    const chunk = new Uint8Array(16 * 1024).fill(0x20); // spaces: valid JSON whitespace
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulled >= 32 * 1024 * 1024) return controller.close();
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, pulled: () => pulled };
  }

  const post = (key: string, body: ReadableStream<Uint8Array>) =>
    topupRoute.POST(
      new Request("http://localhost/api/v1/wallet/topup-requests", {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json", [CLIENT_IP_HEADER]: "127.0.0.1" },
        body,
        duplex: "half",
      } as RequestInit),
      { params: Promise.resolve({}) },
    );

  it("cuts a chunked body without Content-Length off at the limit with a 413, without reading the rest", async () => {
    const partnerId = await makePartner(t.db, "Chunky Ltd");
    const key = await keyFor(partnerId);
    const body = endlessBody();
    const res = await post(key.secret, body.stream);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("body_too_large");
    expect(body.pulled()).toBeGreaterThan(MAX_BODY_BYTES);
    expect(body.pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * 16 * 1024);
  });

  it("still reads a chunked body under the limit", async () => {
    const partnerId = await makePartner(t.db, "Small Chunks Ltd");
    const key = await keyFor(partnerId);
    const text = new TextEncoder().encode(JSON.stringify({ amount: "12.50", currency: "USD", note: "chunked" }));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(text.subarray(0, 10));
        c.enqueue(text.subarray(10));
        c.close();
      },
    });
    const res = await post(key.secret, stream);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ amount: "12.5000", note: "chunked" });
  });
});

describe("API keys through the API", () => {
  it("lets a key rotate or revoke only itself; its sibling gets a clear 403, another partner's key a 404", async () => {
    const partnerId = await makePartner(t.db, "Keyholders Ltd");
    const mine = await keyFor(partnerId, "sandbox", "ci");
    const sibling = await keyFor(partnerId, "sandbox", "laptop");
    const live = await keyFor(partnerId, "live", "prod");
    const stranger = await keyFor(await makePartner(t.db, "Strangers Ltd"));

    for (const [route, action] of [
      [rotateRoute.POST, "rotate"],
      [revokeRoute.POST, "revoke"],
    ] as const) {
      const other = await call(route, `/api/v1/keys/${sibling.id}/${action}`, { key: mine.secret, params: { id: sibling.id }, body: {} });
      expect([action, other.status]).toEqual([action, 403]);
      expect(other.json.error).toMatchObject({ type: "permission_error", code: "key_not_self", param: "id" });
      expect(other.json.error.message).toContain("only itself");
      expect(other.json.error.message).toContain("/dashboard/api-keys");
      for (const id of [stranger.id, live.id, "key_doesnotexist"]) {
        const hidden = await call(route, `/api/v1/keys/${id}/${action}`, { key: mine.secret, params: { id }, body: {} });
        expect([action, id, hidden.status]).toEqual([action, id, 404]);
      }
    }
    // The sibling was left alone: still active, still working.
    const listed = await call(keysRoute.GET, "/api/v1/keys", { key: sibling.secret });
    expect(listed.json.data.find((k: { id: string }) => k.id === sibling.id).status).toBe("active");
    expect((await call(walletRoute.GET, "/api/v1/wallet", { key: sibling.secret })).status).toBe(200);

    // A key revokes itself: a leaked key can end itself at once.
    const self = await call(revokeRoute.POST, `/api/v1/keys/${mine.id}/revoke`, { key: mine.secret, params: { id: mine.id }, body: {} });
    expect(self.status).toBe(200);
    expect(self.json).toMatchObject({ id: mine.id, status: "revoked" });
    expect((await call(walletRoute.GET, "/api/v1/wallet", { key: mine.secret })).json.error.code).toBe("revoked_api_key");
    // …and rotates itself.
    const rotated = await call(rotateRoute.POST, `/api/v1/keys/${sibling.id}/rotate`, {
      key: sibling.secret,
      params: { id: sibling.id },
      body: { overlapSeconds: 0 },
    });
    expect(rotated.status).toBe(201);
  });
});

describe("GET /api/v1/wallet/topup-requests", () => {
  it("filters by the key's environment before the page limit", async () => {
    const partnerId = await makePartner(t.db, "Two Worlds Ltd");
    const key = await keyFor(partnerId, "sandbox");
    const sandbox = await requestTopup(t.db, { partnerId, environment: "sandbox", currency: "USD", amount: "5.00", requestedBy: "test" });
    // 120 newer live requests: more than a page.
    for (let i = 0; i < 120; i++) await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: `${i + 1}.00`, requestedBy: "test" });
    const r = await call(topupRoute.GET, "/api/v1/wallet/topup-requests", { key: key.secret });
    expect(r.status).toBe(200);
    expect(r.json.data.map((x: { id: string }) => x.id)).toEqual([sandbox.id]);
  });
});

describe("webhook endpoint limit", () => {
  it("holds under concurrent creates", async () => {
    const partnerId = await makePartner(t.db, "Hooks Galore Ltd");
    const scope = { partnerId, environment: "sandbox" as const };
    const opts = { encryptionKey: `${"0".repeat(63)}1`, allowPrivateTargets: false };
    const results = await Promise.allSettled(
      Array.from({ length: MAX_ENDPOINTS + 15 }, (_, i) => createEndpoint(t.db, { ...scope, url: `https://hooks.example.com/${i}`, events: ["*"] }, opts)),
    );
    const created = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter((r) => r.status === "rejected" && (r.reason as { code?: string }).code === "too_many_endpoints").length;
    expect({ created, refused }).toEqual({ created: MAX_ENDPOINTS, refused: 15 });
    const rows = await t.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.partnerId, partnerId), eq(webhookEndpoints.environment, "sandbox"), isNull(webhookEndpoints.deletedAt)));
    expect(rows).toHaveLength(MAX_ENDPOINTS);
    // Another environment has its own limit.
    await createEndpoint(t.db, { partnerId, environment: "live", url: "https://hooks.example.com/live", events: ["*"] }, opts);
  });
});
