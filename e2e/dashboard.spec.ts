import { expect, type Page, test } from "@playwright/test";
import { expectAccessible } from "./a11y";

// The partner dashboard: overview, environment switch, orders list whose filters live in the
// URL, and an order's timeline with its cards revealed on demand.

const SCREENS = "test-results/screens";

test("a partner's dashboard: overview, environment switch, filtered orders that survive reload and a new page, an order's timeline", async ({
  page,
  request,
  context,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  const email = `dash+${Date.now()}@e2e.test`;
  const password = "a-long-password";
  const signup = await request.post("/api/v1/public/signup", {
    data: { companyName: "Dashboard Gifts", contactName: "Dora Shboard", email, password, country: "GB" },
  });
  expect(signup.status()).toBe(201);
  const headers = { "x-api-key": (await signup.json()).apiKey.secret as string };
  const ids: Record<string, string> = {};
  for (const [referenceId, faceValue] of [
    ["inv-100", "15.00"],
    ["inv-101", "20.00"],
    ["po-200", "5.00"],
  ] as const) {
    const res = await request.post("/api/v1/orders", { headers, data: { sku: "BAM-990001", faceValue, quantity: 1, referenceId } });
    expect(res.status()).toBe(202);
    ids[referenceId] = (await res.json()).id;
  }
  for (const id of Object.values(ids)) {
    await expect.poll(async () => (await (await request.get(`/api/v1/orders/${id}`, { headers })).json()).status, { timeout: 40_000 }).toBe("completed");
  }

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/dashboard");
  await expect(page.getByTestId("workspace-name")).toHaveText("Dashboard Gifts");
  await expect(page.getByTestId("env-sandbox")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("wallet-sandbox-USD")).toContainText("USD");
  await expect(page.getByTestId("forecast-USD")).toContainText("At your last 30 days' pace, this wallet runs out in ~");
  await expect(page.getByTestId("usage-totals")).toContainText("3 orders");
  await page.screenshot({ path: `${SCREENS}/dashboard-overview.png`, fullPage: true });
  await expectAccessible(page, "the dashboard overview");

  // The switch is remembered (cookie) and changes the data.
  await page.getByTestId("env-live").click();
  await expect(page.getByText("No live funds yet")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("env-live")).toHaveAttribute("aria-pressed", "true");
  await page.screenshot({ path: `${SCREENS}/dashboard-overview-live.png`, fullPage: true });
  await page.getByTestId("env-sandbox").click();
  await expect(page.getByTestId("wallet-sandbox-USD")).toBeVisible();

  // Orders: a filter goes into the URL; reload and a new page show the same rows.
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Orders", level: 1 })).toBeVisible();
  await expect(page.getByTestId("order-row-po-200")).toBeVisible();
  await page.getByLabel("Search").fill("inv-");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]q=inv-/);
  await page.getByRole("button", { name: "Created" }).click();
  await expect(page).toHaveURL(/[?&]sort=-created/);
  const rows = page.locator("tbody tr");
  const expected = ["order-row-inv-101", "order-row-inv-100"];
  await expect(rows).toHaveCount(2);
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")))).toEqual(expected);
  await page.screenshot({ path: `${SCREENS}/dashboard-orders-filtered.png`, fullPage: true });
  await expectAccessible(page, "the filtered orders list");
  const filteredUrl = page.url();
  await page.reload();
  await expect(rows).toHaveCount(2);
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")))).toEqual(expected);
  const other = await context.newPage();
  await other.goto(filteredUrl);
  await expect(other.locator("tbody tr")).toHaveCount(2);
  expect(await other.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")))).toEqual(expected);
  await other.close();
  // Back goes to the unsorted filter, then to the unfiltered list.
  await page.goBack();
  await expect(page).not.toHaveURL(/sort=/);
  await page.goBack();
  await expect(page.getByTestId("order-row-po-200")).toBeVisible();

  // The order's page: timeline, and codes revealed behind a confirmation.
  await page.getByRole("link", { name: ids["inv-100"]! }).click();
  await expect(page.getByTestId("order-timeline")).toContainText("Order created");
  await expect(page.getByTestId("order-timeline")).toContainText("Paid from the wallet");
  await expect(page.getByTestId("order-timeline")).toContainText("Order completed");
  await expectAccessible(page, "the order page");
  await page.getByRole("button", { name: "Reveal card codes" }).click();
  await expect(page.getByRole("dialog")).toContainText("recorded in the audit log");
  await expectAccessible(page, "the reveal confirmation");
  await page.getByRole("button", { name: "Reveal codes" }).click();
  await expect(page.getByTestId("revealed-cards")).toContainText("TEST-");
  await page.screenshot({ path: `${SCREENS}/dashboard-order.png`, fullPage: true });

  // Buy cards by hand: the form checks with the procedure's schema, asks, then orders once.
  await page.getByRole("link", { name: "Buy cards", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Buy cards" })).toBeVisible();
  await page.getByLabel("Product SKU").fill("BAM-990001");
  await page.getByLabel("Face value").fill("1,5");
  await page.getByLabel("Quantity").fill("1");
  await page.getByLabel("Your reference").fill("desk-e2e-1");
  await page.getByRole("button", { name: "Review and buy" }).click();
  await page.getByRole("button", { name: "Buy cards" }).click();
  await expect(page.getByText("Enter an amount like 25.00.")).toBeVisible();
  await page.getByLabel("Face value").fill("12.00");
  await page.getByRole("button", { name: "Review and buy" }).click();
  await expect(page.getByRole("dialog")).toContainText("taken from your sandbox wallet");
  await page.getByRole("button", { name: "Buy cards" }).click();
  await expect(page.getByTestId("bought-order")).toContainText("Open order ord_");
  await expectAccessible(page, "the buy cards page");
  await page.screenshot({ path: `${SCREENS}/dashboard-buy.png`, fullPage: true });
});
