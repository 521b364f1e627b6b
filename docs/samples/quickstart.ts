// The quickstart through the typed SDK: sign up, browse the catalog, order a card, wait for it.
// Every path, parameter and field below is checked against the API's OpenAPI document.
import { createSteller, unwrap, waitForOrder } from "@steller/sdk";

export async function quickstart(baseUrl: string) {
  // 1. Sign up (public, no key): a sandbox key, shown once, and test funds.
  const signup = await unwrap(
    createSteller({ baseUrl }).POST("/api/v1/public/signup", {
      body: {
        companyName: "Acme Rewards",
        contactName: "Ada Lovelace",
        email: "ada@acme.example",
        password: "correct-horse-battery-staple",
        country: "GB",
      },
    }),
  );
  const steller = createSteller({ baseUrl, apiKey: signup.apiKey.secret });

  // 2. The catalog, at your price.
  const catalog = await unwrap(steller.GET("/api/v1/catalog", { params: { query: { country: "US", currency: "USD" } } }));
  const product = catalog.data.find((p) => p.denomination.type === "range");
  if (!product) throw new Error("no ranged product in the catalog");

  // 3. Order one card. Retrying with the same referenceId never buys twice.
  const order = await unwrap(
    steller.POST("/api/v1/orders", {
      body: { sku: product.sku, faceValue: "25.00", quantity: 1, referenceId: "order-1001" },
    }),
  );

  // 4. Wait until it is completed (webhooks tell you too), then read the card.
  const done = await waitForOrder(steller, order.id, { intervalMs: 500 });
  const card = done.cards?.[0];
  console.log(done.status, done.totalPrice, done.currency, card?.code);
  return { signup, product, order: done, card };
}
