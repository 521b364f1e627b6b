import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN as admin, signInAsAdmin, signOutViaMenu } from "./admin";

// Runs after the other specs (file order) and puts the admin's password back at the end.
// Each admin sign-in spends a fresh authenticator code (single use): a third one in a minute
// waits for the next 30-second step (e2e/admin.ts).
test.describe.configure({ timeout: 120_000 });
const NEW_PASSWORD = "a-brand-new-password-42";

async function signedIn(browser: Browser, password = admin.password): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInAsAdmin(page, { password });
  return page;
}

async function changePassword(page: Page, from: string, to: string) {
  await page.getByRole("button", { name: /^Account menu for/ }).click();
  await page.getByRole("menuitem", { name: "Change password" }).click();
  await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();
  await page.getByLabel("Current password").fill(from);
  await page.getByLabel("New password", { exact: true }).fill(to);
  await page.getByLabel("Repeat the new password").fill(to);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();
}

test("signing out in one browser signs the user out of the others", async ({ browser }) => {
  const laptop = await signedIn(browser);
  const phone = await signedIn(browser);
  await signOutViaMenu(laptop);
  await phone.goto("/admin");
  await expect(phone).toHaveURL(/\/login\?next=%2Fadmin/);
});

test("changing the password keeps this session and ends the others", async ({ browser }) => {
  const here = await signedIn(browser);
  const there = await signedIn(browser);
  await changePassword(here, admin.password, NEW_PASSWORD);
  await here.screenshot({ path: "test-results/screens/change-password.png", fullPage: true });
  await there.goto("/admin");
  await expect(there).toHaveURL(/\/login/);
  await here.goto("/admin");
  await expect(here.getByRole("heading", { name: "Partners" })).toBeVisible();

  // The new password signs in; put the old one back for later runs.
  const again = await signedIn(browser, NEW_PASSWORD);
  await changePassword(again, NEW_PASSWORD, admin.password);
  await here.goto("/admin");
  await expect(here).toHaveURL(/\/login/);
});
