import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { signInAsAdmin } from "./admin";

// Every page of the admin dashboard that its navigation links to (src/app/admin/shell.tsx), read
// from the page itself so a page added to the navigation is covered: no serious or critical axe
// violation, and a desktop screenshot of each (test-results/screens/admin-<page>.png).

const SCREENS = "test-results/screens";

test("every admin page has no serious or critical accessibility violation", async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  await signInAsAdmin(page, { fresh: false });
  const hrefs = await page
    .getByRole("navigation")
    .first()
    .locator('a[href^="/admin"]')
    .evaluateAll((links) => [...new Set(links.map((a) => a.getAttribute("href") ?? ""))]);
  expect(hrefs).toContain("/admin/security");

  const failures: string[] = [];
  const missing: string[] = [];
  for (const href of hrefs) {
    const name = href === "/admin" ? "partners" : href.slice("/admin/".length).replaceAll("/", "-");
    const response = await page.goto(href);
    if (response?.status() === 404) {
      missing.push(href);
      continue;
    }
    await expect(page.getByRole("heading", { level: 1 }), `${name}: a page heading`).toBeVisible();
    // The page's data has arrived: no skeleton, spinner or "Loading…" left, and nothing failed to load.
    await expect(page.locator(".animate-pulse, .animate-spin"), `${name}: still loading`).toHaveCount(0, { timeout: 15_000 });
    await expect(page.getByText(/^Loading/), `${name}: still loading`).toHaveCount(0);
    await page.screenshot({ path: `${SCREENS}/admin-${name}.png`, fullPage: true });
    // Every page is checked before failing, so one run names every page with a violation.
    try {
      await expectAccessible(page, `admin ${name}`);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (missing.length) test.info().annotations.push({ type: "missing admin pages", description: missing.join(", ") });
  expect(failures).toEqual([]);
});

test("the security page at 390 px wide", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAsAdmin(page, { next: "/admin/security", fresh: false });
  await expect(page.getByRole("heading", { name: "Security", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Your recovery codes" })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/admin-security-390.png`, fullPage: true });
  await expectAccessible(page, "admin security at 390 px");
});
