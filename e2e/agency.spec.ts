import { type Browser, expect, type Page, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { signInAsAdmin } from "./admin";
import { readInviteLink, waitForEmail } from "./mailbox";

// Issue 18's journey: an admin makes a partner an agent with a 10 % share; the agent creates a
// sub-agent and funds it 200.00; the sub-agent sells a card and prints the receipt (print media
// emulated for the screenshot); the agent's report shows the sale and the commission; a recall
// returns the rest. axe on each page; screenshots (desktop, and the sell page at 390 px).

const SCREENS = "test-results/screens";
const PASSWORD = "a-long-password";

async function newPage(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  return context.newPage();
}

async function signIn(page: Page, email: string, next = "/dashboard") {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL((url) => url.pathname === next);
}

const usd = (text: string | null) => Number((text ?? "").replace(/[^0-9.-]/g, ""));

test("agent network: admin makes an agent (10 %), the agent funds a sub-agent 200.00, the sub-agent sells and prints a receipt, the agent's report shows sale and commission, a recall returns the rest", async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000);
  const stamp = Date.now();
  const agentName = `Agency Co ${stamp}`;
  const agentEmail = `agent+${stamp}@e2e.test`;
  const shopName = `Corner Shop ${stamp}`;
  const shopOwnerEmail = `shop-owner+${stamp}@e2e.test`;
  const customerEmail = `customer+${stamp}@e2e.test`;

  // A partner signs up (its sandbox wallet holds the grant).
  const signup = await page.request.post("/api/v1/public/signup", {
    data: { companyName: agentName, contactName: "Agnes Agent", email: agentEmail, password: PASSWORD, country: "GB" },
  });
  expect(signup.status()).toBe(201);

  // The admin makes it an agent with a 10 % revenue share.
  const admin = await newPage(browser);
  await signInAsAdmin(admin);
  await admin.goto("/admin/agency");
  await admin.getByRole("button", { name: "Make a partner an agent" }).click();
  await admin.getByLabel("Search partners").fill(agentName);
  await admin.getByRole("button", { name: `Choose ${agentName}` }).click();
  await admin.getByLabel("Revenue share (%)").fill("10");
  await admin.getByRole("button", { name: "Make agent" }).click();
  await expect(admin.getByText(`${agentName} is now an agent.`)).toBeVisible();

  // The agent creates a sub-agent; its owner accepts the invitation from the email.
  await page.setViewportSize({ width: 1360, height: 900 });
  await signIn(page, agentEmail, "/dashboard/agency");
  await page.getByRole("button", { name: "Create sub-agent" }).click();
  const create = page.getByRole("dialog");
  await create.getByLabel("Business name").fill(shopName);
  await create.getByLabel("Contact email").fill(`shop+${stamp}@e2e.test`);
  await create.getByLabel("Owner's email").fill(shopOwnerEmail);
  await create.getByRole("button", { name: "Create and invite owner" }).click();
  await expect(page.getByText(`Sub-agent created: ${shopOwnerEmail} is invited to own it.`)).toBeVisible();
  const link = await readInviteLink(browser, shopOwnerEmail);
  const shop = await newPage(browser);
  await shop.goto(link);
  await shop.getByLabel("Your name").fill("Sam Shopkeeper");
  await shop.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await shop.getByRole("button", { name: "Create account and join" }).click();
  await expect(shop).toHaveURL(/\/dashboard$/);
  await expect(shop.getByTestId("workspace-name")).toHaveText(shopName);

  // The agent funds it 200.00 (sandbox).
  await page.reload();
  await page.getByRole("button", { name: `Fund ${shopName}` }).click();
  await page.getByLabel("Amount (USD)").fill("200.00");
  await page.getByRole("button", { name: "Fund 200.00 USD" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // The sub-agent sells a card: price quoted, confirmation, then the receipt.
  await shop.goto("/dashboard/sell");
  await expect(shop.getByTestId("balance-USD")).toContainText("200.00");
  // The test brand's ranged USD card (1–1000), chosen by typing its name (the first such product by SKU).
  await shop.getByRole("combobox", { name: "Product" }).click();
  await shop.keyboard.type("Steller Test Card", { delay: 20 });
  await shop.keyboard.press("Enter");
  await expect(shop.getByRole("combobox", { name: "Product" })).toContainText("BAM-990001");
  await shop.getByLabel("Face value").fill("20.00");
  await shop.getByLabel("Customer email (optional)").fill(customerEmail);
  await expect(shop.getByTestId("sell-price")).toContainText("Price from your sandbox wallet");
  await shop.screenshot({ path: `${SCREENS}/agency-sell.png`, fullPage: true });
  await expectAccessible(shop, "the sell page");
  await shop.getByRole("button", { name: "Review sale" }).click();
  await expect(shop.getByRole("dialog")).toContainText("is taken from your sandbox wallet now");
  await expectAccessible(shop, "the sale's confirmation");
  await shop.getByRole("button", { name: "Sell card" }).click();
  await expect(shop).toHaveURL(/\/dashboard\/sell\/ord_/);
  const receipt = shop.getByTestId("receipt");
  await expect(receipt).toBeVisible({ timeout: 30_000 });
  await expect(receipt).toContainText(shopName);
  await expect(receipt.getByTestId("receipt-code")).toHaveText(/\S{6,}/);
  await expect(shop.getByRole("button", { name: "Print receipt" })).toBeVisible();
  await shop.screenshot({ path: `${SCREENS}/agency-receipt.png`, fullPage: true });
  await expectAccessible(shop, "the receipt page");
  // Printing: only the receipt is visible.
  await shop.emulateMedia({ media: "print" });
  await expect(shop.getByRole("navigation", { name: "Partner dashboard" })).toBeHidden();
  await expect(shop.getByRole("button", { name: "Print receipt" })).toBeHidden();
  await expect(receipt).toBeVisible();
  await shop.screenshot({ path: `${SCREENS}/agency-receipt-print.png`, fullPage: true });
  await shop.emulateMedia({ media: "screen" });
  const code = await receipt.getByTestId("receipt-code").textContent();
  // The customer got the receipt by email, with the code.
  const mail = await waitForEmail(browser, customerEmail, "agency.sale_receipt");
  expect(mail.text).toContain(code!.trim());

  // Today's sales and the balance on the sell page; the sub-agent has no API keys.
  await shop.goto("/dashboard/sell");
  await expect(shop.getByTestId("today-sale")).toHaveCount(1);
  const nav = shop.getByRole("navigation", { name: "Partner dashboard" });
  await expect(nav.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await shop.setViewportSize({ width: 390, height: 844 });
  await shop.screenshot({ path: `${SCREENS}/agency-sell-390.png`, fullPage: true });
  await shop.setViewportSize({ width: 1360, height: 900 });

  // The agent's report shows the sale and the commission.
  await page.goto("/dashboard/agency/reports");
  const report = page.getByTestId("agent-report");
  await expect(report).toContainText(shopName);
  const row = report.getByRole("row", { name: new RegExp(shopName) });
  const cells = row.getByRole("cell");
  // Columns: Sub-agent, Opening, Fundings, Recalls, Sales, Refunds, Other, Closing, Orders, Cost, Margin, Commission.
  await expect(cells.nth(2)).toContainText("200.00");
  await expect(cells.nth(8)).toHaveText("1");
  await expect.poll(async () => usd(await cells.nth(4).textContent())).toBeGreaterThan(0);
  await expect
    .poll(
      async () => {
        await page.reload();
        return usd(
          await page
            .getByTestId("agent-report")
            .getByRole("row", { name: new RegExp(shopName) })
            .getByRole("cell")
            .nth(11)
            .textContent(),
        );
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
  await page.screenshot({ path: `${SCREENS}/agency-report.png`, fullPage: true });
  await expectAccessible(page, "the agent's report");

  // A recall returns the rest: the sub-agent's balance goes to zero, the agent's wallet gets it.
  await page.goto("/dashboard/agency");
  await page.getByRole("button", { name: `Recall funds from ${shopName}` }).click();
  await page.getByRole("button", { name: /^Recall [\d.,]+ USD$/ }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await shop.goto("/dashboard/sell");
  await expect(shop.getByTestId("balance-USD")).toContainText("0.00");
  await page.goto("/dashboard/agency/reports");
  const after = page
    .getByTestId("agent-report")
    .getByRole("row", { name: new RegExp(shopName) })
    .getByRole("cell");
  await expect.poll(async () => usd(await after.nth(3).textContent())).toBeGreaterThan(0);
  await expect(after.nth(7)).toContainText("0.00");
  await page.screenshot({ path: `${SCREENS}/agency-report-after-recall.png`, fullPage: true });

  // The sub-agent's own report, and the admin's network report.
  await shop.goto("/dashboard/agency/reports");
  await expect(shop.getByTestId("sub-agent-report")).toBeVisible();
  await expectAccessible(shop, "the sub-agent's report");
  await shop.screenshot({ path: `${SCREENS}/agency-sub-agent-report.png`, fullPage: true });
  await admin.goto("/admin/agency/reports?environment=sandbox");
  await expect(admin.getByTestId("network-report")).toContainText(agentName);
  await expectAccessible(admin, "the network report");
  await admin.screenshot({ path: `${SCREENS}/admin-agency-reports.png`, fullPage: true });
});
