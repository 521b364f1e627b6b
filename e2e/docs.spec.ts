import { expect, test, type Page } from "@playwright/test";
import { expectAccessible } from "./a11y";

// The integrator docs and the interactive API reference, as a visitor sees them: navigable,
// searchable, accessible; the reference served by this app alone (every request recorded).

const SCREENS = "test-results/screens";

test("the docs: quickstart with its samples, the sidebar, the on-page search, the error reference", async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Docs", exact: true }).click();
  await expect(page).toHaveURL(/\/docs$/);
  await expect(page.getByRole("heading", { level: 1, name: "Quickstart" })).toBeVisible();
  // The samples are the files the tests run.
  await expect(page.locator('[data-sample="signup.sh"] pre')).toContainText('"companyName": "Acme Rewards"');
  await expect(page.locator('[data-sample="quickstart.ts"] pre')).toContainText('from "@steller/sdk"');
  await page.screenshot({ path: `${SCREENS}/docs-quickstart.png`, fullPage: true });
  await expectAccessible(page, "the docs quickstart");

  // Search: a section on another page, reached from the sidebar.
  const docsNav = page.getByRole("navigation", { name: "Docs" });
  await docsNav.getByRole("searchbox", { name: "Search the docs" }).fill("idempotency");
  await expect(page.getByTestId("docs-search-results")).toContainText("Idempotency");
  await page
    .getByTestId("docs-search-results")
    .getByRole("link", { name: /Idempotency/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/docs\/orders#idempotency$/);
  await expect(page.getByRole("heading", { level: 2, name: "Idempotency" })).toBeVisible();

  // Every page of the sidebar renders, with no serious accessibility problem.
  const hrefs = await docsNav
    .getByRole("link")
    .evaluateAll((links) => links.map((a) => a.getAttribute("href")).filter((h): h is string => !!h && /^\/docs(\/[a-z-]+)?$/.test(h) && h !== "/docs/api"));
  expect(hrefs.length).toBeGreaterThanOrEqual(10);
  for (const href of hrefs) {
    const res = await page.goto(href);
    expect(res?.status(), href).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(page, href);
  }

  // The error reference lists the vocabulary's codes.
  await page.goto("/docs/errors");
  const codes = page.getByTestId("error-codes");
  for (const code of ["insufficient_funds", "reference_conflict", "rate_limited", "invalid_api_key"])
    await expect(codes.getByText(code, { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/docs-errors.png`, fullPage: true });
  await page.goto("/docs/sandbox");
  await expect(page.locator("[data-magic=out_of_stock]")).toBeVisible();

  // Phone width: no horizontal overflow.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/docs/webhooks");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SCREENS}/docs-webhooks-phone.png`, fullPage: true });
});

test("the API reference renders the OpenAPI document with no request to any other host, and Try it calls the sandbox with the key given", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.setViewportSize({ width: 1280, height: 900 });

  // What the reference must show, read from the document it renders.
  const doc = (await (await request.get("/api/v1/openapi.json")).json()) as {
    info: { title: string };
    paths: Record<string, Record<string, { summary: string }>>;
  };
  const walletSummary = doc.paths["/api/v1/wallet"]!.get!.summary;

  await page.goto("/docs/api");
  const reference = page.getByTestId("api-reference");
  await expect(reference.getByRole("heading", { name: doc.info.title })).toBeVisible({ timeout: 30_000 });
  for (const tag of ["Catalog", "Orders", "Wallet", "Webhooks"])
    await expect(
      page
        .getByRole("complementary", { name: /Sidebar/ })
        .getByText(tag, { exact: true })
        .first(),
    ).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/api-reference.png` });
  await expectAccessible(page, "the API reference");

  // A sandbox key from a fresh signup, pasted into the page.
  const signup = await request.post("/api/v1/public/signup", {
    data: {
      companyName: "Reference Tester",
      contactName: "Grace Hopper",
      email: `ref-${Date.now()}@example.com`,
      password: "a-long-password-1",
      country: "US",
    },
  });
  expect(signup.status()).toBe(201);
  const key = ((await signup.json()) as { apiKey: { secret: string } }).apiKey.secret;
  await page.getByLabel("Sandbox API key").fill("stlr_live_abcdefghijkl");
  await page.getByRole("button", { name: "Use key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "live key" })).toBeVisible();
  await page.getByLabel("Sandbox API key").fill(key);
  await page.getByRole("button", { name: "Use key" }).click();
  await expect(page.getByTestId("try-it-status")).toContainText(key.slice(0, 14));
  await expect(reference.getByRole("heading", { name: doc.info.title })).toBeVisible({ timeout: 30_000 });

  // Try it: the wallet operation, sent from the reference's client to this server with the key.
  const sent = page.waitForRequest((r) => r.url().startsWith(`${origin}/api/v1/wallet`) && r.method() === "GET", { timeout: 30_000 });
  const sidebar = page.getByRole("complementary", { name: /Sidebar/ });
  await sidebar.getByText("Wallet", { exact: true }).first().click();
  await sidebar.getByText(walletSummary).first().click();
  const operation = reference.locator("section", { has: page.getByRole("heading", { name: walletSummary }) }).last();
  await expect(operation).toBeVisible({ timeout: 30_000 });
  await operation
    .getByRole("button", { name: /Test Request/ })
    .first()
    .click();
  await page.getByRole("button", { name: /^Send/ }).first().click();
  const wallet = await sent;
  expect(wallet.headers()["x-api-key"]).toBe(key);
  expect((await wallet.response())?.status()).toBe(200);
  await page.screenshot({ path: `${SCREENS}/api-reference-try-it.png` });

  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith("data:") && !u.startsWith("blob:"));
  expect(foreign, "requests to any host but the app's own").toEqual([]);
  expect(requests.some((u) => u === `${origin}/docs/api/scalar.js`)).toBe(true);
});
