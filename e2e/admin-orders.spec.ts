import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { adminContext } from "./admin";

/**
 * Order support (issue 17 item 6): an order placed through the API appears in the admin order
 * search; an order the vendor delivered wrongly (mock magic value .88: cards of another face value,
 * left processing for an admin) is marked failed and refunded from its detail page, after a
 * confirmation that states the amount; the partner's API then shows it failed and refunded.
 */
test("an API order appears in the admin order search; a stuck order is refunded from its detail page", async ({ browser, request }) => {
  // Two orders through the vendor, a reload loop until the wrong delivery is flagged, and axe on four states.
  test.setTimeout(180_000);
  const signup = await request.post("/api/v1/public/signup", {
    data: { companyName: "Order Support Co", contactName: "Sue Port", email: `sue+${Date.now()}@e2e.test`, password: "a-long-password", country: "GB" },
  });
  expect(signup.status()).toBe(201);
  const { apiKey } = await signup.json();
  const headers = { "x-api-key": apiKey.secret };
  const placed = await request.post("/api/v1/orders", { headers, data: { sku: "BAM-990001", faceValue: "15.00", quantity: 1, referenceId: "support-ok" } });
  expect(placed.status()).toBe(202);
  const ok = await placed.json();
  const stuckRes = await request.post("/api/v1/orders", {
    headers,
    data: { sku: "BAM-990001", faceValue: "10.88", quantity: 1, referenceId: "support-stuck" },
  });
  expect(stuckRes.status()).toBe(202);
  const stuck = await stuckRes.json();
  await expect.poll(async () => (await (await request.get(`/api/v1/orders/${ok.id}`, { headers })).json()).status, { timeout: 30_000 }).toBe("completed");

  const { context, page } = await adminContext(browser);
  try {
    await page.goto("/admin/orders");
    await expect(page.getByRole("heading", { name: "Orders", level: 1 })).toBeVisible();
    await page.getByLabel("Search orders").fill(ok.id);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(new RegExp(`q=${ok.id}`));
    await expect(page.getByRole("link", { name: ok.id })).toBeVisible();
    await expect(page.getByRole("link", { name: "Order Support Co" })).toBeVisible();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Partner").fill("Order Support Co");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page.getByRole("link", { name: stuck.id })).toBeVisible();
    await expectAccessible(page, "admin order search");
    await page.screenshot({ path: "test-results/screens/admin-orders.png", fullPage: true });

    // The backfill dialog says what it does and needs a reason.
    await page.getByRole("button", { name: "Backfill by date range" }).click();
    await expect(page.getByRole("dialog", { name: "Re-drive stuck orders" })).toBeVisible();
    await page.getByRole("button", { name: "Re-drive stuck orders" }).click();
    await expect(page.getByText("Say why (at least 3 characters)")).toBeVisible();
    await expectAccessible(page, "backfill dialog");
    await page.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("link", { name: stuck.id }).click();
    await expect(page.getByRole("heading", { name: stuck.id, level: 1 })).toBeVisible();
    // The vendor answers after a moment; the page follows the open order by itself until the wrong delivery is flagged.
    await expect(page.getByText("Needs attention", { exact: true })).toBeVisible({ timeout: 45_000 });
    await expect(page.getByRole("heading", { name: "Vendor calls" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Cancel order" })).toBeDisabled();
    await expectAccessible(page, "admin order detail");
    await page.screenshot({ path: "test-results/screens/admin-order-detail.png", fullPage: true });

    await page.getByRole("button", { name: "Mark failed and refund" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`Refunds ${stuck.totalPrice} ${stuck.currency}`);
    await expectAccessible(page, "refund confirmation");
    await page.screenshot({ path: "test-results/screens/admin-order-refund-dialog.png" });
    await dialog.getByRole("button", { name: /^Refund / }).click();
    await expect(dialog.getByText("Give a reason")).toBeVisible();
    await dialog.getByLabel("Reason").fill("The vendor delivered cards of the wrong value");
    await dialog.getByRole("button", { name: /^Refund / }).click();
    await expect(page.getByText("Order refunded")).toBeVisible();
    await expect(page.getByRole("button", { name: "Mark failed and refund" })).toBeDisabled();
    await expect(page.getByText("Refunded to the partner's wallet")).toBeVisible();

    const after = await (await request.get(`/api/v1/orders/${stuck.id}`, { headers })).json();
    expect(after).toMatchObject({ status: "failed", refundedAmount: stuck.totalPrice, failure: { code: "refunded_by_admin" } });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect(page.getByRole("heading", { name: stuck.id, level: 1 })).toBeVisible();
    await page.screenshot({ path: "test-results/screens/admin-order-detail-390.png", fullPage: true });
  } finally {
    await context.close();
  }
});
