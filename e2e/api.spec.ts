import { expect, test } from "@playwright/test";

// The partner API through the production server (routes with and without path parameters).
test("an integrator signs up, reads the catalog, orders a card and gets its code", async ({ request }) => {
  const signup = await request.post("/api/v1/public/signup", {
    data: { companyName: "E2E Integrator", contactName: "Ina Tegrator", email: `ina+${Date.now()}@e2e.test`, password: "a-long-password", country: "GB" },
  });
  expect(signup.status()).toBe(201);
  const { apiKey } = await signup.json();
  const headers = { "x-api-key": apiKey.secret };

  const catalog = await request.get("/api/v1/catalog?limit=3", { headers });
  expect(catalog.status()).toBe(200);
  expect((await catalog.json()).data.length).toBeGreaterThan(0);

  const order = await request.post("/api/v1/orders", { headers, data: { sku: "BAM-990001", faceValue: "15.00", quantity: 1, referenceId: "e2e-1" } });
  expect(order.status()).toBe(202);
  const { id } = await order.json();

  await expect.poll(async () => (await (await request.get(`/api/v1/orders/${id}`, { headers })).json()).status, { timeout: 30_000 }).toBe("completed");
  const done = await (await request.get(`/api/v1/orders/${id}`, { headers })).json();
  expect(done.cards[0].code).toMatch(/^TEST-/);

  const wrongMethod = await request.put("/api/v1/orders", { headers, data: {} });
  expect(wrongMethod.status()).toBe(405);
  expect((await wrongMethod.json()).error.code).toBe("method_not_allowed");

  const bad = await request.get("/api/v1/orders/%E0%A4%A", { headers });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe("malformed_url");
});
