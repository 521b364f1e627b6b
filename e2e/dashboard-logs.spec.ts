import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";

// The request logs explorer (issue 16, item 8): filters in the URL (a reload and a new page show
// the same rows), errors grouped by code, and a request's detail drawer.

const SCREENS = "test-results/screens";

test("request logs: filtered URL survives reload and a new page, errors by code, detail drawer", async ({ page, request, context }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  const email = `logs+${Date.now()}@e2e.test`;
  const password = "a-long-password";
  const signup = await request.post("/api/v1/public/signup", {
    data: { companyName: "Logged Gifts", contactName: "Lo Gger", email, password, country: "GB" },
  });
  expect(signup.status()).toBe(201);
  const headers = { "x-api-key": (await signup.json()).apiKey.secret as string };
  for (let i = 0; i < 3; i++) expect((await request.get("/api/v1/keys", { headers })).status()).toBe(200);
  for (let i = 0; i < 2; i++) expect((await request.get("/api/v1/logs?limit=0", { headers })).status()).toBe(400);
  expect((await request.get("/api/v1/orders/ord_nope", { headers })).status()).toBe(404);

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  await page.getByRole("link", { name: "Request logs" }).click();
  await expect(page.getByRole("heading", { name: "Request logs", level: 1 })).toBeVisible();
  const rows = page.locator("tbody tr[data-testid^='log-row-']");
  await expect(async () => {
    await page.reload();
    await expect(rows).toHaveCount(6, { timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId("errors-by-code")).toContainText("invalid_parameter · 400 · 2");
  await expect(page.getByTestId("errors-by-code")).toContainText("resource_not_found · 404 · 1");
  await page.screenshot({ path: `${SCREENS}/dashboard-logs.png`, fullPage: true });
  await expectAccessible(page, "the request logs");

  // Filters go into the URL.
  await page.getByRole("combobox", { name: "Status class" }).click();
  await page.getByRole("option", { name: "4xx" }).click();
  await expect(page).toHaveURL(/[?&]statusClass=4xx/);
  await expect(rows).toHaveCount(3);
  await page.getByLabel("Path contains").fill("/logs");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]path=%2Flogs/);
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId("errors-by-code")).toContainText("invalid_parameter · 400 · 2");
  await expect(page.getByTestId("errors-by-code")).not.toContainText("resource_not_found");
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")));
  await page.screenshot({ path: `${SCREENS}/dashboard-logs-filtered.png`, fullPage: true });
  await expectAccessible(page, "the filtered request logs");

  const filteredUrl = page.url();
  await page.reload();
  await expect(rows).toHaveCount(2);
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")))).toEqual(ids);
  const other = await context.newPage();
  await other.goto(filteredUrl);
  const otherRows = other.locator("tbody tr[data-testid^='log-row-']");
  await expect(otherRows).toHaveCount(2);
  expect(await otherRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")))).toEqual(ids);
  await other.close();

  // A request's details in the drawer.
  await rows
    .first()
    .getByRole("button", { name: /^Details of request req_/ })
    .click();
  const drawer = page.getByRole("dialog", { name: "GET /api/v1/logs" });
  await expect(drawer).toContainText("Request id");
  await expect(drawer).toContainText("invalid_parameter");
  await expect(drawer).toContainText("Request and response bodies are not stored");
  await expect(drawer).not.toContainText(headers["x-api-key"]);
  await page.screenshot({ path: `${SCREENS}/dashboard-logs-detail.png`, fullPage: true });
  await expectAccessible(page, "the request detail drawer");
});
