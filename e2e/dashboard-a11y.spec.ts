import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";

// Every page of the partner dashboard, with data in it (an order, a webhook endpoint that has a
// delivery, request logs from the API calls below), as its owner sees it: no serious or critical
// axe violation, and a screenshot of each.

const SCREENS = "test-results/screens";

test("every dashboard page has no serious or critical accessibility violation", async ({ page, request }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  const email = `a11y+${Date.now()}@e2e.test`;
  const password = "a-long-password";
  const signup = await request.post("/api/v1/public/signup", {
    data: { companyName: "Accessible Gifts", contactName: "Ada Access", email, password, country: "GB" },
  });
  expect(signup.status()).toBe(201);
  const headers = { "x-api-key": (await signup.json()).apiKey.secret as string };
  const order = await request.post("/api/v1/orders", { headers, data: { sku: "BAM-990001", faceValue: "10.00", quantity: 1, referenceId: "a11y-1" } });
  expect(order.status()).toBe(202);
  const orderId = (await order.json()).id as string;
  // An endpoint nobody listens on: its test delivery fails, so the page has a failed attempt too.
  const endpoint = await request.post("/api/v1/webhook-endpoints", { headers, data: { url: "http://127.0.0.1:9/hooks", events: ["*"] } });
  expect(endpoint.status()).toBe(201);
  const endpointId = (await endpoint.json()).id as string;
  expect((await request.post(`/api/v1/webhook-endpoints/${endpointId}/test`, { headers })).ok()).toBe(true);
  await expect.poll(async () => (await (await request.get(`/api/v1/orders/${orderId}`, { headers })).json()).status, { timeout: 40_000 }).toBe("completed");

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);

  const pages: Array<[string, string]> = [
    ["overview", "/dashboard"],
    ["orders", "/dashboard/orders"],
    ["order", `/dashboard/orders/${orderId}`],
    ["buy", "/dashboard/buy"],
    ["wallet", "/dashboard/wallet"],
    ["api-keys", "/dashboard/api-keys"],
    ["webhooks", "/dashboard/webhooks"],
    ["webhook-endpoint", `/dashboard/webhooks/${endpointId}`],
    ["logs", "/dashboard/logs"],
    ["console", "/dashboard/console"],
    ["team", "/dashboard/team"],
    ["settings", "/dashboard/settings"],
    ["go-live", "/dashboard/go-live"],
  ];
  const failures: string[] = [];
  for (const [name, url] of pages) {
    await page.goto(url);
    await expect(page.getByRole("heading", { level: 1 }), `${name}: a page heading`).toBeVisible();
    // The page's data has arrived: no skeleton, spinner or "Loading…" left, and nothing failed to load.
    await expect(page.locator(".animate-pulse, .animate-spin"), `${name}: still loading`).toHaveCount(0, { timeout: 15_000 });
    await expect(page.getByText(/^Loading/), `${name}: still loading`).toHaveCount(0);
    await expect(page.getByText("Could not load this"), `${name}: an error state`).toHaveCount(0);
    await page.screenshot({ path: `${SCREENS}/a11y-${name}.png`, fullPage: true });
    // Every page is checked before failing, so one run names every page with a violation.
    try {
      await expectAccessible(page, `${name} (${url})`);
    } catch (e) {
      failures.push((e as Error).message.split("\n").slice(0, 12).join("\n"));
    }
  }
  expect(failures).toEqual([]);
});
