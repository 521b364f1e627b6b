import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { adminContext } from "./admin";

/**
 * Operations (issue 17 item 11): vendor and job mode shown; "Check ledger consistency" run now
 * from its confirmation, its run seen in the runs drawer with its steps, the check's result in
 * "Ledger consistency"; alerts, status, reconciliation sections; axe and screenshots (desktop, 390 px).
 */

const SCREENS = "test-results/screens";

test("operations: run a job now, see its run and steps, every section accessible", async ({ browser }) => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const { context, page } = await adminContext(browser, "/admin/operations");
  try {
    await expect(page.getByRole("heading", { name: "Operations", level: 1 })).toBeVisible();
    await expect(page.getByTestId("ops-system")).toContainText(/Mock vendor|Bamboo/);
    await expect(page.getByTestId("ops-system")).toContainText(/Embedded executor|Inngest server/);
    for (const h of ["Alerts", "Status", "Jobs and crons", "Reconciliation mismatches", "Ledger consistency"]) {
      await expect(page.getByRole("heading", { name: h, level: 2 })).toBeVisible();
    }
    const jobs = page.getByRole("region", { name: "Jobs", exact: true });
    await expect(jobs).toContainText("Check ledger consistency");
    await expect(jobs).toContainText("ops-monitor");

    await page.getByRole("button", { name: "Run Check ledger consistency now" }).click();
    const confirm = page.getByRole("dialog", { name: "Run “Check ledger consistency” now?" });
    await expect(confirm).toContainText("Checks every balance");
    await expectAccessible(page, "run-now confirmation");
    await confirm.getByRole("button", { name: "Run now" }).click();
    await expect(page.getByText("Check ledger consistency: run requested.")).toBeVisible();

    await page.getByRole("button", { name: "Runs of Check ledger consistency" }).click();
    const drawer = page.getByRole("dialog", { name: "Runs of Check ledger consistency" });
    const runs = drawer.getByRole("list", { name: "Runs" });
    await expect(runs.getByText("completed").first()).toBeVisible({ timeout: 30_000 });
    await runs.getByRole("listitem").first().getByRole("button").first().click();
    await expect(drawer.getByRole("list", { name: "Steps" })).toContainText("check");
    await expectAccessible(page, "runs drawer");
    await page.screenshot({ path: `${SCREENS}/admin-operations-runs.png`, fullPage: true });
    await page.keyboard.press("Escape");

    await page.reload();
    await expect(page.getByText(/Latest check/)).toBeVisible({ timeout: 15_000 });
    await expectAccessible(page, "operations page");
    await page.screenshot({ path: `${SCREENS}/admin-operations.png`, fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect(page.getByRole("heading", { name: "Operations", level: 1 })).toBeVisible();
    await expectAccessible(page, "operations at 390 px");
    await page.screenshot({ path: `${SCREENS}/admin-operations-390.png`, fullPage: true });
  } finally {
    await context.close();
  }
});
