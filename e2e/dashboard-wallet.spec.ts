import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { readInviteLink } from "./mailbox";

// The wallet page (issue 16, item 5) as a finance member sees it: the ledger filtered in the URL
// (a reload shows the same rows), an entry's drawer, the statement of a period and its CSV
// downloaded, and a top-up request filed (an inline error first) with its history.

const SCREENS = "test-results/screens";
const PASSWORD = "a-long-password";

test("finance: ledger filters that survive a reload, entry drawer, statement and its CSV, a top-up request", async ({ page, request, browser }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  const stamp = Date.now();
  const ownerEmail = `wallet-owner+${stamp}@e2e.test`;
  const financeEmail = `wallet-finance+${stamp}@e2e.test`;
  const signup = await request.post("/api/v1/public/signup", {
    data: { companyName: "Wallet Gifts", contactName: "Wanda Allet", email: ownerEmail, password: PASSWORD, country: "GB" },
  });
  expect(signup.status()).toBe(201);
  const headers = { "x-api-key": (await signup.json()).apiKey.secret as string };
  const order = await request.post("/api/v1/orders", { headers, data: { sku: "BAM-990001", faceValue: "15.00", quantity: 1, referenceId: "wallet-e2e-1" } });
  expect(order.status()).toBe(202);
  const orderId = (await order.json()).id as string;

  // The owner invites a finance member, who joins from the emailed link.
  await page.goto("/login");
  await page.getByLabel("Email").fill(ownerEmail);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/dashboard/team");
  await page.getByLabel("Email address").fill(financeEmail);
  await page.getByLabel("Role").selectOption({ label: "Finance" });
  await page.getByRole("button", { name: "Send invitation" }).click();
  const link = await readInviteLink(browser, financeEmail);
  const financeContext = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const finance = await financeContext.newPage();
  await finance.goto(link);
  await finance.getByLabel("Your name").fill("Fin Ance");
  await finance.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await finance.getByRole("button", { name: "Create account and join" }).click();
  await expect(finance).toHaveURL(/\/dashboard/);

  // Balances and the ledger.
  await finance.getByRole("link", { name: "Wallet", exact: true }).click();
  await expect(finance.getByRole("heading", { name: "Wallet", level: 1 })).toBeVisible();
  await expect(finance.getByTestId("balance-USD")).toContainText("USD");
  const rows = finance.locator("tbody tr[data-testid^='entry-row-']");
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThanOrEqual(2);
  await finance.screenshot({ path: `${SCREENS}/dashboard-wallet-ledger.png`, fullPage: true });
  await expectAccessible(finance, "the wallet ledger");

  await finance.getByRole("combobox", { name: "Kind" }).click();
  await finance.getByRole("option", { name: "Order payment" }).click();
  await expect(finance).toHaveURL(/[?&]kind=order_debit/);
  await finance.getByLabel("Order id or reference").fill(orderId);
  await finance.getByRole("button", { name: "Apply filters" }).click();
  await expect(finance).toHaveURL(new RegExp(`[?&]reference=${orderId}`));
  await expect(rows).toHaveCount(1);
  const filtered = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")));
  await finance.reload();
  await expect(rows).toHaveCount(1);
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")))).toEqual(filtered);
  await finance.screenshot({ path: `${SCREENS}/dashboard-wallet-ledger-filtered.png`, fullPage: true });

  await rows
    .first()
    .getByRole("button", { name: /^Details of entry / })
    .click();
  const drawer = finance.getByRole("dialog", { name: "Wallet entry" });
  await expect(drawer.getByRole("link", { name: `Open order ${orderId}` })).toBeVisible();
  await expect(drawer.getByTestId("entry-detail")).toContainText("trf_");
  await expect(finance).toHaveURL(/[?&]entry=ent_/);
  await finance.screenshot({ path: `${SCREENS}/dashboard-wallet-entry.png`, fullPage: true });
  await expectAccessible(finance, "the wallet entry drawer");
  await drawer.getByRole("button", { name: "Close" }).click();

  // The statement of this month and its CSV: the same lines.
  await finance.getByRole("tab", { name: "Statement" }).click();
  await expect(finance).toHaveURL(/[?&]tab=statement/);
  await expect(finance.getByTestId("statement-closing")).toContainText("USD");
  const lines = finance.getByTestId("statement-line");
  await expect(lines.first()).toBeVisible();
  const lineCount = await lines.count();
  const today = new Date().toISOString().slice(0, 10);
  await finance.getByLabel("Statement from").fill(`${today.slice(0, 7)}-01`);
  await finance.getByLabel("Statement to").fill(today);
  await finance.getByRole("button", { name: "Show statement" }).click();
  await expect(finance).toHaveURL(new RegExp(`[?&]sto=${today}`));
  await expect(lines).toHaveCount(lineCount);
  await finance.screenshot({ path: `${SCREENS}/dashboard-wallet-statement.png`, fullPage: true });
  await expectAccessible(finance, "the wallet statement");
  const download = finance.waitForEvent("download");
  await finance.getByRole("button", { name: "Download CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`steller-sandbox-USD-${today.slice(0, 7)}-01-to-${today}.csv`);
  const csv = (await readFile((await file.path())!, "utf8")).trim().split("\r\n");
  expect(csv[0]).toBe("date,entry_id,transfer_id,kind,reference,debit,credit,balance,currency");
  expect(csv).toHaveLength(lineCount + 1);
  expect(csv.some((l) => l.includes(`,order_debit,${orderId},`))).toBe(true);

  // A top-up request: a bad amount is refused inline, a good one joins the history as pending.
  await finance.getByRole("tab", { name: "Top-up requests" }).click();
  await finance.getByLabel("Amount").fill("12.345678");
  await finance.getByRole("button", { name: "Request top-up" }).click();
  await expect(finance.getByText("Enter an amount above zero like 5000.00 (at most 4 decimals).")).toBeVisible();
  await finance.getByLabel("Amount").fill("5000.00");
  await finance.getByLabel("Note or bank transfer reference").fill("PO 4471, wire sent today");
  await finance.getByRole("button", { name: "Request top-up" }).click();
  const topup = finance.getByRole("row").filter({ hasText: "PO 4471, wire sent today" });
  await expect(topup).toContainText("pending");
  await expect(topup).toContainText("Fin Ance");
  await expect(finance.getByTestId("balance-USD")).toContainText(/Pending top-ups: USD\s5,000\.00/);
  await finance.screenshot({ path: `${SCREENS}/dashboard-wallet-topups.png`, fullPage: true });
  await expectAccessible(finance, "the wallet top-up requests");
  await financeContext.close();
});
