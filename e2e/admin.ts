import { type Browser, type BrowserContext, expect, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";

/**
 * The seeded demo admin (src/server/boot/seed.ts DEMO_CREDENTIALS: local use only), with the
 * fixed secret of its authenticator.
 */
export const ADMIN = { email: "admin@steller.local", password: "steller-admin-demo", totpSecret: "STELLERDEMOADMINTOTPLOCALONLY234" };

const PERIOD_MS = 30_000;
const totp = new TOTP({ secret: Secret.fromBase32(ADMIN.totpSecret), digits: 6, period: 30, algorithm: "SHA1" });

/**
 * A code is accepted once (the server refuses a time step not later than the last one used) and
 * for one step either side of now: each sign-in takes the next unused step, the current one or the
 * one after it, waiting for the clock when both are used (the specs run in one worker).
 */
let lastStep = 0;
async function nextCode(): Promise<string> {
  let now = Date.now();
  let current = Math.floor(now / PERIOD_MS);
  if (lastStep > current) {
    // Both the current step and the next are taken: wait until the next one is current.
    await new Promise((r) => setTimeout(r, (current + 1) * PERIOD_MS - now + 200));
    now = Date.now();
    current = Math.floor(now / PERIOD_MS);
  }
  const step = Math.max(current, lastStep + 1);
  lastStep = step;
  return totp.generate({ timestamp: step * PERIOD_MS });
}

/** On /login/verify: enters the authenticator's code (a fresh one again if it was already used). */
export async function enterAdminCode(page: Page): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.getByLabel("Authentication code").fill(await nextCode());
    await page.getByRole("button", { name: "Verify" }).click();
    // The sign-in moves on to the page asked for; a refused code leaves the form with its message.
    const signedIn = await page
      .waitForURL((url) => !url.pathname.startsWith("/login/verify"), { timeout: 8_000 })
      .then(() => true)
      .catch(() => false);
    if (signedIn) return;
    if (!(await page.getByText("That code was already used").isVisible())) throw new Error("the admin's authenticator code was refused");
  }
  throw new Error("no unused authenticator code was accepted");
}

/** The admin's session cookies once signed in, reused while still valid (each sign-in spends a code). */
let saved: Awaited<ReturnType<BrowserContext["cookies"]>> | null = null;

/**
 * Signs the demo admin in on `page` and opens `next` (default /admin): password, then the code
 * of the authenticator computed from the seeded secret. `fresh: false` reuses this run's admin
 * session when it is still valid (no code spent); a test of the sign-in itself leaves it fresh.
 */
export async function signInAsAdmin(
  page: Page,
  { next = "/admin", fresh = true, password = ADMIN.password }: { next?: string; fresh?: boolean; password?: string } = {},
): Promise<void> {
  if (!fresh && saved) {
    await page.context().addCookies(saved);
    await page.goto(next);
    if (!new URL(page.url()).pathname.startsWith("/login")) return;
  }
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\/verify/);
  await enterAdminCode(page);
  await expect(page).toHaveURL((url) => url.pathname === next.split("?")[0]);
  saved = await page.context().cookies();
}

/** A new browser context signed in as the admin (reusing this run's session when valid); close it after use. */
export async function adminContext(browser: Browser, next = "/admin"): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAsAdmin(page, { next, fresh: false });
  return { context, page };
}

/** Signs out through the account menu of the shell (admin or dashboard). */
export async function signOutViaMenu(page: Page): Promise<void> {
  await page.getByRole("button", { name: /^Account menu for/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
}
