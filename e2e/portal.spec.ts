import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { adminContext } from "./admin";

// The developer portal as a new visitor sees it: landing → signup → key shown once → sandbox
// console → a test card, then the same order through the API with the key read from the page.

const SCREENS = "test-results/screens";
const existingOwner = "owner@demo-partner.local";

/** No serious or critical accessibility violation on the page as it is now. */
/** Decimal strings to ten-thousandths, so money is compared exactly. */
const units = (amount: string) => {
  const [int, frac = ""] = amount.split(".");
  return BigInt(int!) * 10_000n + BigInt(`${frac}0000`.slice(0, 4));
};

test("a new visitor goes from the landing page to a first test card, then gets the same order from the API", async ({ page, request }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("gift cards");
  const header = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Docs", "API reference", "Sign in", "Sign up"]) await expect(header.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "How it works" })).toBeVisible();
  // A fresh server syncs its catalog in the background just after start.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("catalog-stats")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  const footer = page.getByRole("navigation", { name: "Footer" });
  for (const name of ["Status", "Docs", "Contact"]) await expect(footer.getByRole("link", { name, exact: true })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/landing-desktop.png`, fullPage: true });
  await expectAccessible(page, "the landing page");

  // Phone width: nothing wider than the screen, the header still reachable.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(header.getByRole("link", { name: "Sign up" })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SCREENS}/landing-phone.png`, fullPage: true });
  await page.screenshot({ path: `${SCREENS}/landing-phone-top.png` });
  await page.setViewportSize({ width: 1280, height: 800 });

  // Keyboard: the skip link comes first, then the header's links.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();

  await header.getByRole("link", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole("heading", { name: "Create your Steller account" })).toBeVisible();
  await expectAccessible(page, "the signup page");
  await page.screenshot({ path: `${SCREENS}/signup.png`, fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SCREENS}/signup-phone.png`, fullPage: true });
  await expectAccessible(page, "the signup page at phone width");
  await page.setViewportSize({ width: 1280, height: 800 });

  const email = `dev+${Date.now()}@portal-e2e.test`;
  await page.getByLabel("Company name").fill("Portal E2E Rewards");
  await page.getByLabel("Your name").fill("Dana Developer");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("a-long-enough-password");
  await page.getByLabel("Country").selectOption("GB");
  await page.getByRole("button", { name: "Create account" }).click();

  const keyBox = page.getByTestId("sandbox-key");
  await expect(keyBox).toHaveText(/^stlr_test_[1-9A-HJ-NP-Za-km-z]{32}$/);
  const key = (await keyBox.textContent())!;
  await expect(page.getByText("This is the only time we show this key.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy API key" })).toBeVisible();
  await expect(page.getByTestId("sandbox-balance")).toHaveText(/^USD [\d,]+\.\d\d/);
  await page.screenshot({ path: `${SCREENS}/signup-key-reveal.png`, fullPage: true });
  await expectAccessible(page, "the key reveal");

  await page.getByRole("link", { name: "Open the sandbox console" }).click();
  await expect(page).toHaveURL(/\/dashboard\/console$/);
  await expect(page.getByRole("heading", { name: "Sandbox console" })).toBeVisible();
  await expect(page.getByTestId("signed-in-user")).toHaveText("Dana Developer");

  // Search by brand and country, then the face value and quantity.
  await page.getByLabel("Search by brand or product").fill("Steller Test");
  await page.getByLabel("Country").selectOption("US");
  await expect(page.getByLabel("Product", { exact: true })).toHaveValue("BAM-990001");
  await page.getByLabel("Face value (USD)").fill("25.00");
  await page.getByLabel("Quantity").fill("1");
  await expect(page.getByRole("radio", { name: /Completes normally/ })).toBeChecked();
  await expect(page.getByRole("radio", { name: /Out of stock/ })).toBeVisible();
  await expect(page.getByRole("radio", { name: /Rate-limit storm/ })).toBeVisible();
  await expect(page.getByTestId("quote-total")).toHaveText(/^USD /);
  const balance = page.getByTestId("console-balance");
  await expect(balance).toHaveAttribute("data-amount", /^\d+(\.\d+)?$/);
  const before = (await balance.getAttribute("data-amount"))!;
  await expectAccessible(page, "the sandbox console");

  await page.getByRole("button", { name: "Create test order" }).click();
  const status = page.getByTestId("order-status");
  await expect(status).toBeVisible();
  await expect(status).toHaveAttribute("data-status", "completed", { timeout: 45_000 });
  const code = (await page.getByTestId("card-code").first().textContent())!;
  expect(code).toMatch(/^TEST-/);
  const total = (await page.getByTestId("order-total").getAttribute("data-amount"))!;
  const newBalance = page.getByTestId("new-balance");
  await expect(newBalance).toHaveAttribute("data-amount", /\d/);
  expect(units((await newBalance.getAttribute("data-amount"))!)).toBe(units(before) - units(total));
  const orderId = (await page.getByTestId("order-id").textContent())!;
  await expect(page.getByTestId("sample-curl")).toContainText(`/api/v1/orders/${orderId}`);
  await expect(page.getByTestId("sample-ts")).toContainText('sku: "BAM-990001", faceValue: "25.00", quantity: 1,');
  await page.evaluate(() => window.scrollTo(0, 0)); // the order panel is sticky: show it beside the form
  await page.screenshot({ path: `${SCREENS}/console-result.png`, fullPage: true });
  await expectAccessible(page, "the console with a completed order");

  // A magic value by name: out of stock fails, and the wallet is refunded.
  const afterFirst = (await newBalance.getAttribute("data-amount"))!;
  await page.getByRole("radio", { name: /Out of stock/ }).check();
  await expect(page.getByLabel("Face value (USD)")).toHaveValue("25.13");
  await page.getByRole("button", { name: "Create test order" }).click();
  await expect(page.getByTestId("order-id")).not.toHaveText(orderId);
  await expect(status).toHaveAttribute("data-status", "failed", { timeout: 45_000 });
  await expect(page.getByRole("alert").filter({ hasText: "Your wallet was refunded" })).toBeVisible();
  await expect(newBalance).toHaveAttribute("data-amount", afterFirst);
  await page.evaluate(() => window.scrollTo(0, 0)); // the order panel is sticky: show it beside the form
  await page.screenshot({ path: `${SCREENS}/console-failed.png`, fullPage: true });

  // The key read from the page works on the API, and the API has the same order.
  const viaApi = await request.get(`/api/v1/orders/${orderId}`, { headers: { "x-api-key": key } });
  expect(viaApi.status()).toBe(200);
  const apiOrder = await viaApi.json();
  expect(apiOrder).toMatchObject({ id: orderId, status: "completed", sku: "BAM-990001", quantity: 1, totalPrice: total, environment: "sandbox" });
  expect(units(apiOrder.faceValue)).toBe(units("25.00"));
  expect(apiOrder.cards[0].code).toBe(code);

  // Shown once: the key is nowhere to be seen again.
  await page.goto("/signup");
  await expect(page.getByText(/You are signed in as/)).toBeVisible();
  await expect(page.getByTestId("sandbox-key")).toHaveCount(0);
  await expect(page.getByText(key)).toHaveCount(0);
});

test("signup errors are shown inline and create nothing", async ({ page, browser }) => {
  await page.goto("/signup");
  const submit = page.getByRole("button", { name: "Create account" });

  // Missing fields: every one refused by name.
  await submit.click();
  for (const message of ["Company name is required", "Your name is required", "Work email is required", "Password is required", "Country is required"]) {
    await expect(page.getByText(message)).toBeVisible();
  }
  await expect(page.getByLabel("Company name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Company name")).toBeFocused();

  // One missing field among valid ones.
  await page.getByLabel("Company name").fill("Missing Country E2E");
  await page.getByLabel("Your name").fill("Mo Missing");
  await page.getByLabel("Work email").fill(`missing+${Date.now()}@portal-e2e.test`);
  await page.getByLabel("Password", { exact: true }).fill("a-long-enough-password");
  await submit.click();
  await expect(page.getByText("Country is required")).toBeVisible();
  await expect(page.getByText("Company name is required")).toHaveCount(0);
  await expect(page.getByLabel("Country")).toBeFocused();

  // A weak password.
  await page.getByLabel("Company name").fill("Weak Password E2E");
  await page.getByLabel("Country").selectOption("FR");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await submit.click();
  await expect(page.getByText("Password must be at least 10 characters")).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/signup-errors.png`, fullPage: true });

  // A duplicate email: refused by the server, shown under the field.
  await page.getByLabel("Company name").fill("Duplicate Email E2E");
  await page.getByLabel("Work email").fill(existingOwner);
  await page.getByLabel("Password", { exact: true }).fill("a-long-enough-password");
  await submit.click();
  await expect(page.getByText("An account with this work email already exists. Sign in instead.")).toBeVisible();
  await expect(page.getByLabel("Work email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("sandbox-key")).toHaveCount(0);
  await expect(page.getByLabel("Company name")).toHaveValue("Duplicate Email E2E"); // the form keeps what was typed

  // No partner was created by any of these attempts (the admin's partner list).
  const { context: adminBrowser, page: adminPage } = await adminContext(browser);
  const partners = await (await adminPage.request.get("/api/trpc/admin.partners.list")).text();
  expect(partners).toContain("Demo Gifts Ltd");
  for (const name of ["Missing Country E2E", "Weak Password E2E", "Duplicate Email E2E"]) expect(partners).not.toContain(name);
  await adminBrowser.close();
});
