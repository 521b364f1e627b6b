import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { adminContext } from "./admin";

/**
 * The audit log page (issue 17 item 8): an admin API token issued from the "API tokens" tab
 * (shown once) reads GET /api/admin/audit-log, stops at once when revoked; both actions are in
 * the log, filtered in the URL, with the before/after drawer; the CSV export follows the filters.
 * Screenshots (desktop, and 390 px), axe on each state.
 */

const SCREENS = "test-results/screens";

test("audit log: tokens issued and revoked, entries filtered, detail drawer, CSV export", async ({ browser, playwright }) => {
  const { context, page } = await adminContext(browser, "/admin/audit");
  try {
    await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
    await expect(page.getByRole("table", { name: "Audit log entries, newest first" })).toBeVisible();

    // Issue a token: the secret is shown once.
    await page.getByRole("tab", { name: "API tokens" }).click();
    await expect(page).toHaveURL(/tab=tokens/);
    const name = `e2e export ${Date.now()}`;
    await page.getByLabel("Token name").fill(name);
    await page.getByRole("button", { name: "Issue token" }).click();
    const shown = page.getByTestId("admin-token-secret");
    await expect(shown).toContainText("it will not be shown again");
    const secret = (await shown.locator("code").textContent())!.trim();
    expect(secret).toMatch(/^stlr_admin_[A-Za-z0-9_-]{43}$/);
    await expectAccessible(page, "audit log, API tokens tab");
    await page.screenshot({ path: `${SCREENS}/admin-audit-tokens.png`, fullPage: true });

    // The token reads the API (no session), and stops once revoked.
    const api = await playwright.request.newContext({ baseURL: new URL(page.url()).origin });
    const read = () => api.get("/api/admin/audit-log?action=admin_token&limit=5", { headers: { authorization: `Bearer ${secret}` } });
    const ok = await read();
    expect(ok.status()).toBe(200);
    expect((await ok.json()).data[0]).toMatchObject({ action: "admin_token.issue", after: { name } });
    await page.getByRole("button", { name: "I have copied it" }).click();
    await page.getByRole("button", { name: `Revoke token ${name}` }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("stops working at once");
    await dialog.getByLabel(/Reason/).fill("e2e: rotated");
    await dialog.getByRole("button", { name: "Revoke token" }).click();
    await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("revoked");
    expect((await read()).status()).toBe(401);
    await api.dispose();

    // Both actions are in the log; the filter is in the URL and survives a reload.
    await page.getByRole("tab", { name: "Entries" }).click();
    await page.goto("/admin/audit?action=admin_token");
    const table = page.getByRole("table", { name: "Audit log entries, newest first" });
    await expect(table).toContainText("admin_token.revoke");
    await expect(table).toContainText("admin_token.issue");
    await page.reload();
    await expect(table.getByRole("row").nth(1)).toContainText("admin_token.revoke");
    await expectAccessible(page, "audit log, filtered");
    await page.screenshot({ path: `${SCREENS}/admin-audit.png`, fullPage: true });

    // The drawer: reason, IP and the target before and after.
    await table
      .getByRole("row")
      .nth(1)
      .getByRole("button", { name: /Details of admin_token.revoke/ })
      .click();
    const drawer = page.getByRole("dialog");
    await expect(drawer).toContainText("e2e: rotated");
    await expect(drawer.getByRole("table", { name: /before and after/ })).toContainText("revokedAt(changed)");
    await expectAccessible(page, "audit entry drawer");
    await page.screenshot({ path: `${SCREENS}/admin-audit-detail.png`, fullPage: true });
    await page.keyboard.press("Escape");

    // The CSV export with the same filter.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    const csv = fs.readFileSync((await download.path())!, "utf8");
    const lines = csv.split("\r\n").filter(Boolean);
    expect(lines[0]).toMatch(/^at,id,actor_type,actor,actor_email,/);
    expect(lines.slice(1).every((l) => l.includes(",admin_token."))).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(3);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/admin/audit");
    await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
    await expectAccessible(page, "audit log at 390 px");
    await page.screenshot({ path: `${SCREENS}/admin-audit-390.png`, fullPage: true });
  } finally {
    await context.close();
  }
});
