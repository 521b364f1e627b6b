import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";

/** The public status page and its JSON (issue 17 item 12): no sign-in, four components, incidents; axe; screenshots. */

const SCREENS = "test-results/screens";

test("status page: public, every component with its state, the same report as GET /api/v1/status", async ({ page, request }) => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const res = await request.get("/api/v1/status");
  expect(res.status()).toBe(200);
  const json = await res.json();
  expect(json.components.map((c: { id: string }) => c.id)).toEqual(["api", "fulfilment", "webhooks", "dashboard"]);
  expect(Array.isArray(json.incidents)).toBe(true);

  await page.goto("/status");
  await expect(page.getByRole("heading", { name: "Steller status", level: 1 })).toBeVisible();
  await expect(page.getByTestId("status-overall")).toHaveText(/All systems operational|Some systems are degraded|Some systems are down/);
  const components = page.getByRole("list", { name: "Components" });
  for (const name of ["API", "Order fulfilment", "Webhooks", "Dashboard"]) await expect(components).toContainText(name);
  await expect(page.getByTestId("component-api")).toContainText(/Operational|Degraded|Outage/);
  await expect(page.getByRole("heading", { name: "Incidents in the last 90 days" })).toBeVisible();
  await expectAccessible(page, "status page");
  await page.screenshot({ path: `${SCREENS}/status.png`, fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Steller status", level: 1 })).toBeVisible();
  await expectAccessible(page, "status page at 390 px");
  await page.screenshot({ path: `${SCREENS}/status-390.png`, fullPage: true });

  // The footer's Status link leads here.
  await page.goto("/");
  await page.getByRole("contentinfo").getByRole("link", { name: "Status" }).click();
  await expect(page).toHaveURL(/\/status$/);
});
