import { type Browser, expect, type Page, test } from "@playwright/test";
import { signInAsAdmin } from "./admin";
import { waitForEmail } from "./mailbox";

// Issue 17's check, end to end: the admin signs in with TOTP, approves a go-live request, assigns
// 10 products to the partner with a markup, credits its live wallet 500.00 with a reason; the
// partner's live catalog through the API shows exactly those 10 at the prices the admin was shown;
// an order placed through the API appears in the admin order search; a failed order is refunded
// from its detail page; the audit log shows each action. Screenshots: journey-*.png.

const SCREENS = "test-results/screens";
const MARKUP = 750;

/** The owner verifies the email (welcome link) and asks to go live, as the portal does. */
async function requestGoLive(browser: Browser, owner: { email: string; password: string }, legalName: string) {
  const welcome = await waitForEmail(browser, owner.email, "welcome");
  const verifyUrl = /https?:\/\/\S+\/verify-email\?token=[^\s"<>]+/.exec(welcome.text)?.[0];
  expect(verifyUrl, "the welcome email's verification link").toBeTruthy();
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(new URL(verifyUrl!).pathname + new URL(verifyUrl!).search);
    await page.goto("/login");
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/dashboard/);
    const res = await page.request.post("/api/trpc/onboarding.goLive.request", {
      data: {
        json: {
          legalName,
          registrationNumber: "01234567",
          website: "https://journey-gifts.example.com",
          expectedMonthlyVolume: "25000.00",
          useCase: "Customer rewards paid out as gift cards.",
        },
      },
    });
    expect(res.status(), await res.text()).toBe(200);
  } finally {
    await context.close();
  }
}

/** "$10.75" / "10,75 US$" → "10.75" (the amount of a formatted price, for comparing with the API's decimal string). */
const amountOf = (text: string) => text.replace(/[^\d.]/g, "");

/** The text of each selected row's cell in the column headed `header`, by SKU. */
async function columnBySku(page: Page, skus: string[], header: string): Promise<Record<string, string>> {
  const headers = await page.getByRole("columnheader").allTextContents();
  const index = headers.findIndex((h) => h.trim() === header);
  expect(index, `a column "${header}"`).toBeGreaterThanOrEqual(0);
  const out: Record<string, string> = {};
  for (const sku of skus) out[sku] = amountOf((await page.getByTestId(`product-row-${sku}`).getByRole("cell").nth(index).textContent()) ?? "");
  return out;
}

async function assignSelected(page: Page, count: number) {
  await page.getByRole("button", { name: "Assign selected" }).click();
  const dialog = page.getByRole("dialog", { name: "Assign products" });
  await expect(dialog).toContainText(`at ${MARKUP} bps`);
  await dialog.getByRole("button", { name: "Assign products" }).click();
  await expect(page.getByText(new RegExp(`${count} products? assigned at ${MARKUP} bps`))).toBeVisible();
}

test("the admin journey: TOTP sign-in, go-live, 10 products at a markup, 500.00 credit, API catalog and order, refund, audit", async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(360_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  const stamp = Date.now();
  const business = `Journey Gifts ${stamp}`;
  const owner = { email: `journey+${stamp}@e2e.test`, password: "a-long-password" };
  const signup = await request.post("/api/v1/public/signup", {
    data: { companyName: business, contactName: "Jo Journey", email: owner.email, password: owner.password, country: "GB" },
  });
  expect(signup.status()).toBe(201);
  const partnerId = (await signup.json()).partner.id as string;
  await requestGoLive(browser, owner, business);

  // 1. The admin signs in: password, then the authenticator's code.
  await signInAsAdmin(page, { next: "/admin/go-live" });

  // 2. Approves the go-live request.
  const goLive = page.getByRole("article", { name: `Go-live request of ${business}` });
  await expect(goLive).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/journey-go-live.png`, fullPage: true });
  await goLive.getByRole("button", { name: "Approve" }).click();
  const approve = page.getByRole("dialog", { name: `Approve go-live for ${business}` });
  await approve.getByRole("button", { name: "Approve go-live" }).click();
  await expect(approve).toBeHidden();

  // The partner's live key, issued from its detail page (key delivery of the runbook).
  await page.goto(`/admin/partners/${partnerId}`);
  await expect(page.getByRole("heading", { name: business, level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Issue API key" }).click();
  await page.getByRole("combobox", { name: "Environment" }).click();
  await page.getByRole("option", { name: "Live" }).click();
  await page.getByLabel("Name").fill("Journey live key");
  await page.getByRole("button", { name: "Issue key" }).click();
  const liveKey = (await page.getByTestId("issued-secret").textContent())?.trim() ?? "";
  expect(liveKey).toMatch(/^stlr_live_/);
  await page.getByRole("button", { name: "Done" }).click();

  // 3. Assigns 10 products at the markup: the ranged BAM-990001 (for the orders below) and 9 more.
  await page.goto(`/admin/pricing?partner=${partnerId}`);
  await page.getByLabel("Markup (bps)", { exact: true }).fill(String(MARKUP));
  await page.getByLabel("Search products").fill("BAM-990001");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByRole("checkbox", { name: "Select BAM-990001", exact: true }).check();
  const expected = await columnBySku(page, ["BAM-990001"], `At ${MARKUP} bps`);
  await assignSelected(page, 1);

  await page.getByLabel("Search products").fill("");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByRole("combobox", { name: "Show" }).click();
  await page.getByRole("option", { name: "Not assigned" }).click();
  const rows = page.locator('[data-testid^="product-row-"]');
  await expect(rows.first()).toBeVisible();
  const more: string[] = [];
  for (let i = 0; more.length < 9; i++) {
    const sku = ((await rows.nth(i).getAttribute("data-testid")) ?? "").replace("product-row-", "");
    if (sku === "BAM-990001") continue;
    more.push(sku);
    await page.getByRole("checkbox", { name: `Select ${sku}`, exact: true }).check();
  }
  Object.assign(expected, await columnBySku(page, more, `At ${MARKUP} bps`));
  await page.screenshot({ path: `${SCREENS}/journey-pricing.png`, fullPage: true });
  await assignSelected(page, 9);
  const skus = Object.keys(expected).sort();
  expect(skus).toHaveLength(10);
  for (const sku of skus) expect(expected[sku], `the price shown for ${sku}`).toMatch(/^\d+\.\d{2}$/);

  // 4. Credits the live wallet 500.00 with a reason, after the confirmation that states the effect.
  await page.goto("/admin/wallets");
  await page.getByRole("button", { name: "Credit or adjust a wallet" }).click();
  const credit = page.getByRole("dialog", { name: "Credit or adjust a wallet" });
  await credit.getByLabel("Partner").selectOption(partnerId);
  await credit.getByLabel("Amount").fill("500.00");
  await credit.getByLabel("Reason").fill("Wire received, journey ref J-500");
  await credit.getByRole("button", { name: "Review" }).click();
  await expect(credit.getByTestId("move-effect")).toHaveText(`${business}'s live USD wallet goes from 0.00 to 500.00.`);
  await page.screenshot({ path: `${SCREENS}/journey-credit.png` });
  await credit.getByRole("button", { name: "Confirm credit" }).click();
  await expect(page.getByText(`${business}'s live USD wallet: 0.00 → 500.00.`)).toBeVisible();

  // 5. The partner's live catalog through the API: exactly those 10, at the prices the admin was shown.
  const headers = { "x-api-key": liveKey };
  const catalog = await request.get("/api/v1/catalog?limit=100", { headers });
  expect(catalog.status(), await catalog.text()).toBe(200);
  const items = (await catalog.json()).data as Array<{ sku: string; unitPrice: string }>;
  // The API gives 4 decimal places ("11.0300"), the page 2: the same amount.
  const decimal = (s: string) => s.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
  expect(Object.fromEntries(items.map((i) => [i.sku, decimal(i.unitPrice)]))).toEqual(
    Object.fromEntries(Object.entries(expected).map(([sku, price]) => [sku, decimal(price)])),
  );

  // 6. An order placed through the API appears in the admin order search.
  const placed = await request.post("/api/v1/orders", {
    headers,
    data: { sku: "BAM-990001", faceValue: "10.00", quantity: 1, referenceId: `journey-${stamp}-ok` },
  });
  expect(placed.status(), await placed.text()).toBe(202);
  const orderId = (await placed.json()).id as string;
  await page.goto(`/admin/orders?q=${orderId}`);
  await expect(page.getByTestId(`admin-order-row-${orderId}`)).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/journey-order-search.png`, fullPage: true });

  // 7. A failed order (the mock delivers other cards for cents .88: it needs attention) is refunded from its page.
  const failing = await request.post("/api/v1/orders", {
    headers,
    data: { sku: "BAM-990001", faceValue: "10.88", quantity: 1, referenceId: `journey-${stamp}-bad` },
  });
  expect(failing.status(), await failing.text()).toBe(202);
  const failedId = (await failing.json()).id as string;
  await page.goto(`/admin/orders/${failedId}`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByText("Needs attention", { exact: true })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await page.getByRole("button", { name: "Mark failed and refund" }).click();
  const refund = page.getByRole("dialog", { name: /^Refund / });
  await refund.getByLabel("Reason").fill("Vendor delivered the wrong face value");
  await page.screenshot({ path: `${SCREENS}/journey-refund.png` });
  await refund.getByRole("button", { name: /^Refund / }).click();
  await expect(page.getByText("Order refunded")).toBeVisible();

  // 8. The audit log shows each action.
  await page.goto(`/admin/audit?partnerId=${partnerId}`);
  const log = page.getByRole("table", { name: "Audit log entries, newest first" });
  for (const action of ["go_live.approved", "pricing.assigned", "wallet.credited", "order.refunded"]) {
    await expect(log.getByText(action).first(), `the audit log shows ${action}`).toBeVisible();
  }
  await page.screenshot({ path: `${SCREENS}/journey-audit.png`, fullPage: true });
});
