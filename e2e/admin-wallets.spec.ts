import { readFileSync } from "node:fs";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { signInAsAdmin } from "./admin";

/**
 * Admin wallets (issue 17 item 5): the admin credits a partner's live wallet 500.00 with a reason
 * (the confirmation states the balance before and after), an adjustment below zero is refused,
 * the partner's ledger shows the credit and the statement CSV downloads. Screenshots, axe.
 */

const SCREENS = "test-results/screens";

async function signUp(request: APIRequestContext, companyName: string) {
  const email = `${companyName.toLowerCase().replace(/\W+/g, "-")}-${Date.now()}@e2e.test`;
  const res = await request.post("/api/v1/public/signup", {
    data: { companyName, contactName: "Ada Wallet", email, password: "a-long-password", country: "GB" },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).partner.id as string;
}

test("an admin credits a live wallet 500.00 with a reason, a below-zero adjustment is refused, the ledger and statement show it", async ({ page, request }) => {
  const name = `Wallet Gifts ${Date.now()}`;
  const partnerId = await signUp(request, name);
  await signInAsAdmin(page, { next: "/admin/wallets", fresh: false });
  await expect(page.getByRole("tab", { name: "Balances" })).toHaveAttribute("aria-selected", "true");
  await expectAccessible(page, "wallets balances");

  await page.getByRole("button", { name: "Credit or adjust a wallet" }).click();
  const dialog = page.getByRole("dialog", { name: "Credit or adjust a wallet" });
  await dialog.getByLabel("Partner").selectOption(partnerId);
  await dialog.getByLabel("Amount").fill("500.00");
  await dialog.getByLabel("Reason").fill("Wire received, ref E2E-500");
  await dialog.getByRole("button", { name: "Review" }).click();
  await expect(dialog.getByTestId("move-effect")).toHaveText(`${name}'s live USD wallet goes from 0.00 to 500.00.`);
  await expectAccessible(page, "wallets credit confirmation");
  await page.screenshot({ path: `${SCREENS}/admin-wallets-confirm.png` });
  await dialog.getByRole("button", { name: "Confirm credit" }).click();
  await expect(page.getByText(`${name}'s live USD wallet: 0.00 → 500.00.`)).toBeVisible();

  // An adjustment below zero: the server refuses it, nothing moves.
  await page.getByLabel("Search partners").fill(name);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByRole("button", { name: `Credit or adjust ${name} live USD` }).click();
  await dialog.getByLabel("Movement").selectOption("adjustment");
  await dialog.getByLabel("Amount").fill("-600.00");
  await dialog.getByLabel("Reason").fill("too much");
  await expect(dialog.getByTestId("move-problems")).toContainText("below zero");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId(`balance-row-${partnerId}-live-USD`)).toContainText("500.00");
  await page.screenshot({ path: `${SCREENS}/admin-wallets.png`, fullPage: true });

  // The partner's ledger and its statement.
  await page.getByRole("link", { name: `Ledger of ${name} live USD` }).click();
  await expect(page.getByRole("tab", { name: "Ledger" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByText("Credit by Steller")).toBeVisible();
  await expectAccessible(page, "wallets ledger");
  await page.screenshot({ path: `${SCREENS}/admin-wallets-ledger.png`, fullPage: true });
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download statement CSV" }).click();
  const csv = await (await download).path();
  expect(readFileSync(csv!, "utf8")).toContain("admin_credit");

  await page.getByRole("tab", { name: "Top-up requests" }).click();
  await expect(page.getByText("No top-up request waiting.").or(page.getByRole("button", { name: /^Approve top-up/ }).first())).toBeVisible();
  // Judged without a toast fading out over the table.
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
  await expectAccessible(page, "wallets top-ups");
  await page.screenshot({ path: `${SCREENS}/admin-wallets-topups.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("tab", { name: "Balances" }).click();
  await page.screenshot({ path: `${SCREENS}/admin-wallets-390.png`, fullPage: true });
});
