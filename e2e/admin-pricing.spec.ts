import { type APIRequestContext, expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { signInAsAdmin } from "./admin";

/**
 * Admin pricing (issue 17 item 4): the admin picks a partner, assigns 10 products at 500 bps
 * behind the confirmation, sees them in the live preview (what GET /api/v1/catalog answers), and
 * the profit guard's warning for a negative markup, refused with nothing changed. Screenshots
 * (desktop and 390 px), axe on the page and the dialog.
 */

const SCREENS = "test-results/screens";

async function signUp(request: APIRequestContext, companyName: string) {
  const email = `${companyName.toLowerCase().replace(/\W+/g, "-")}-${Date.now()}@e2e.test`;
  const res = await request.post("/api/v1/public/signup", {
    data: { companyName, contactName: "Ada Pricing", email, password: "a-long-password", country: "GB" },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).partner.id as string;
}

test("an admin assigns 10 products at a markup, previews the live catalog, and the profit guard refuses a below-cost markup", async ({ page, request }) => {
  const partnerId = await signUp(request, "Pricing Gifts");
  await signInAsAdmin(page, { next: "/admin/pricing", fresh: false });
  await page.getByLabel("Partner", { exact: true }).selectOption(partnerId);
  await expect(page).toHaveURL(new RegExp(`partner=${partnerId}`));

  // The live catalog is empty until products are assigned.
  await page.getByRole("tab", { name: "Preview" }).click();
  await expect(page.getByText("has no product assigned")).toBeVisible();
  await page.getByRole("tab", { name: "Products" }).click();

  const rows = page.locator('[data-testid^="product-row-"]');
  await expect(rows.first()).toBeVisible();
  const skus: string[] = [];
  for (let i = 0; i < 10; i++) {
    const testId = (await rows.nth(i).getAttribute("data-testid"))!;
    const sku = testId.replace("product-row-", "");
    skus.push(sku);
    await page.getByRole("checkbox", { name: `Select ${sku}`, exact: true }).check();
  }
  await expect(page.getByText("10 selected")).toBeVisible();
  await page.getByLabel("Markup (bps)", { exact: true }).fill("500");
  await page.getByRole("button", { name: "Assign selected" }).click();
  const dialog = page.getByRole("dialog", { name: "Assign products" });
  await expect(dialog).toContainText("10 selected products live at 500 bps (5.00%)");
  await expectAccessible(page, "pricing assign dialog");
  await dialog.getByRole("button", { name: "Assign products" }).click();
  await expect(page.getByText("10 products assigned at 500 bps.")).toBeVisible();
  await expect(page.getByLabel(`Markup of ${skus[0]} (bps)`)).toHaveValue("500");
  await page.screenshot({ path: `${SCREENS}/admin-pricing.png`, fullPage: true });

  // The profit guard: a negative markup is shown below cost on the rows, and refused.
  await page.getByLabel("Markup (bps)", { exact: true }).fill("-50");
  await expect(page.getByTestId("below-cost-warning")).toContainText("under the vendor's cost");
  await page.getByRole("checkbox", { name: `Select ${skus[0]}`, exact: true }).check();
  await page.getByRole("button", { name: "Assign selected" }).click();
  await dialog.getByRole("button", { name: "Assign products" }).click();
  await expect(dialog.getByRole("alert")).toContainText("nothing was changed");
  await page.screenshot({ path: `${SCREENS}/admin-pricing-below-cost.png`, fullPage: true });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByLabel(`Markup of ${skus[0]} (bps)`)).toHaveValue("500");

  // The live preview: exactly the 10 products.
  await page.getByRole("tab", { name: "Preview" }).click();
  await expect(page.locator('[data-testid^="preview-row-"]')).toHaveCount(10);
  for (const sku of skus) await expect(page.getByTestId(`preview-row-${sku}`)).toBeVisible();
  await expectAccessible(page, "pricing preview");
  await page.screenshot({ path: `${SCREENS}/admin-pricing-preview.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SCREENS}/admin-pricing-390.png`, fullPage: true });
});
