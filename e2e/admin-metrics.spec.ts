import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { adminContext } from "./admin";

/**
 * The growth metrics page (issue 17 item 10): the default range (last 30 days), a range and
 * granularity chosen in the form kept in the URL across a reload, charts and the funnel drawn
 * from admin.metrics.growth. Screenshots (desktop and 390 px), axe.
 */

const SCREENS = "test-results/screens";

test("growth metrics: range in the URL, totals, charts and the funnel", async ({ browser }) => {
  const { context, page } = await adminContext(browser, "/admin/metrics");
  try {
    await expect(page.getByRole("heading", { name: "Growth metrics", level: 1 })).toBeVisible();
    await expect(page.getByRole("figure", { name: "Signups per day" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Activation funnel: partners per milestone" })).toContainText("Sign up");
    // The seeded demo partner signed up today: at least one signup in the last 30 days.
    const signups = page.locator("dt", { hasText: /^Signups$/ }).locator("xpath=following-sibling::dd");
    expect(Number((await signups.textContent())!.replace(/\D/g, ""))).toBeGreaterThanOrEqual(1);
    await expectAccessible(page, "growth metrics");
    await page.screenshot({ path: `${SCREENS}/admin-metrics.png`, fullPage: true });

    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("From").fill(from);
    await page.getByRole("button", { name: "Show range" }).click();
    await expect(page).toHaveURL(new RegExp(`from=${from}`));
    await page.getByRole("combobox", { name: "Granularity" }).click();
    await page.getByRole("option", { name: "By week" }).click();
    await expect(page).toHaveURL(/granularity=week/);
    await page.reload();
    await expect(page.getByRole("figure", { name: "Orders per week" })).toBeVisible();
    await expect(page.getByLabel("To")).toHaveValue(today);
    await expectAccessible(page, "growth metrics by week");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect(page.getByRole("heading", { name: "Growth metrics", level: 1 })).toBeVisible();
    await expectAccessible(page, "growth metrics at 390 px");
    await page.screenshot({ path: `${SCREENS}/admin-metrics-390.png`, fullPage: true });
  } finally {
    await context.close();
  }
});
