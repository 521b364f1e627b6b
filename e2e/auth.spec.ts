import { expect, test, type Page } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { ADMIN as admin, enterAdminCode, signOutViaMenu } from "./admin";

const owner = { email: "owner@demo-partner.local", password: "steller-partner-demo" };

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a signed-out visitor is sent to the login page", async ({ page }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin/);
  await page.screenshot({ path: "test-results/screens/login.png", fullPage: true });
});

test("a wrong password shows a clear message", async ({ page }) => {
  await signIn(page, { email: owner.email, password: "not-the-password" });
  await expect(page.getByRole("alert").filter({ hasText: "don't match" })).toBeVisible();
});

test("the admin signs in with the authenticator's code and sees the admin dashboard with partners", async ({ page }) => {
  await signIn(page, admin);
  // The password alone is not enough: the second factor's code is asked for.
  await expect(page).toHaveURL(/\/login\/verify/);
  await page.getByLabel("Authentication code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code is not correct")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/login-verify.png", fullPage: true });
  await expectAccessible(page, "the second step of the admin sign-in");
  expect((await page.request.get("/api/trpc/admin.partners.list")).status()).toBe(403);
  await enterAdminCode(page);
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { name: "Partners" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Demo Gifts Ltd" })).toBeVisible();
  await expect(page.getByTestId("signed-in-user")).toHaveText("Ada Admin");
  await page.screenshot({ path: "test-results/screens/admin.png", fullPage: true });
  await signOutViaMenu(page);
});

test("the partner owner sees the dashboard and is refused the admin area", async ({ page }) => {
  await signIn(page, owner);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("partner-name")).toHaveText("Demo Gifts Ltd");
  await expect(page.getByText("owner@demo-partner.local").first()).toBeVisible();
  await expect(page.getByTestId("wallet-sandbox-USD")).toBeVisible();
  await expect(page.getByText("Loading orders…")).toHaveCount(0);
  await page.screenshot({ path: "test-results/screens/dashboard.png", fullPage: true });
  await page.goto("/admin");
  await expect(page.getByText("403 · Not allowed")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/admin-refused.png", fullPage: true });
  const trpc = await page.request.get("/api/trpc/admin.partners.list");
  expect(trpc.status()).toBe(403);
});

test("the partner owner sees the sandbox wallet and creates an API key shown once", async ({ page }) => {
  await signIn(page, owner);
  await expect(page.getByTestId("wallet-sandbox-USD")).toHaveText(/USD\s[\d,]+\.\d\d/);
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Key name").fill("E2E server");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("new-key")).toHaveText(/^stlr_test_[1-9A-HJ-NP-Za-km-z]{32}$/);
  await page.getByRole("checkbox", { name: "I have stored it" }).check();
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("cell", { name: "E2E server" })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/api-keys.png", fullPage: true });
  // The secret is never listed again: only its start.
  await page.reload();
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  await expect(page.getByRole("cell", { name: "E2E server" })).toBeVisible();
});
