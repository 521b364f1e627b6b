import { type Browser, expect, type Page, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { signInAsAdmin } from "./admin";

// Issue 18 item 1 and 2 from the admin's and the agent's pages: two partners made agents; one
// creates a sub-agent, funds it and sets its limits; the admin sees the tree with balances,
// moves the sub-agent to the other agent, suspends that agent (its sub-agents stop selling) and
// reactivates it. axe on both pages; screenshots (desktop and 390 px).

const SCREENS = "test-results/screens";
const PASSWORD = "a-long-password";

async function newPage(browser: Browser, width = 1360) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  return context.newPage();
}

async function signUp(page: Page, name: string, email: string) {
  const res = await page.request.post("/api/v1/public/signup", {
    data: { companyName: name, contactName: "Ada Agent", email, password: PASSWORD, country: "GB" },
  });
  expect(res.status()).toBe(201);
}

async function makeAgent(admin: Page, name: string, share: string) {
  await admin.getByRole("button", { name: "Make a partner an agent" }).click();
  const dialog = admin.getByRole("dialog");
  await dialog.getByLabel("Search partners").fill(name);
  await dialog.getByRole("button", { name: `Choose ${name}` }).click();
  await dialog.getByLabel("Revenue share (%)").fill(share);
  await expect(dialog).toContainText(`earns ${share} % of Steller's margin`);
  await dialog.getByRole("button", { name: "Make agent" }).click();
  await expect(admin.getByText(`${name} is now an agent.`)).toBeVisible();
}

test("agency network: the admin's tree, convert, move and suspend; the agent's sub-agents, funding and limits", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const north = `North Agency ${stamp}`;
  const south = `South Agency ${stamp}`;
  const northEmail = `north+${stamp}@e2e.test`;
  const shop = `Kiosk ${stamp}`;
  await signUp(page, north, northEmail);
  await signUp(page, south, `south+${stamp}@e2e.test`);

  const admin = await newPage(browser);
  await signInAsAdmin(admin);
  await admin.goto("/admin/agency?env=sandbox");
  await expect(admin.getByRole("heading", { name: "Agency network" })).toBeVisible();
  await makeAgent(admin, north, "10");
  await makeAgent(admin, south, "12.5");

  // The agent (North) creates a sub-agent, funds it 80.00 and caps its sales.
  await page.goto(`/login?next=${encodeURIComponent("/dashboard/agency")}`);
  await page.getByLabel("Email").fill(northEmail);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard\/agency$/);
  await expect(page.getByRole("navigation", { name: "Partner dashboard" }).getByRole("link", { name: "Agency", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Create sub-agent" }).click();
  const create = page.getByRole("dialog");
  await create.getByLabel("Business name").fill(shop);
  await create.getByLabel("Contact email").fill(`kiosk+${stamp}@e2e.test`);
  await create.getByLabel("Owner's email").fill(`kiosk-owner+${stamp}@e2e.test`);
  await create.getByRole("button", { name: "Create and invite owner" }).click();
  await expect(page.getByText(`Sub-agent created: kiosk-owner+${stamp}@e2e.test is invited to own it.`)).toBeVisible();

  await page.getByRole("button", { name: `Fund ${shop}` }).click();
  await page.getByLabel("Amount (USD)").fill("80.00");
  await expect(page.getByRole("dialog")).toContainText(`to ${shop}'s wallet`);
  await page.getByRole("button", { name: "Fund 80.00 USD" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  const row = page.getByRole("row", { name: new RegExp(shop) });
  await expect(row).toContainText("80.00");

  await page.getByRole("button", { name: `Limits of ${shop}` }).click();
  await page.getByLabel("Per-order limit (USD)").fill("50.00");
  await page.getByLabel("Daily sales limit (USD)").fill("100.00");
  await page.getByLabel("Low-balance alert below (USD)").fill("100.00");
  await page.getByRole("button", { name: "Save limits" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(row.getByText("low balance")).toBeVisible();

  // A recall above its balance is refused with what it holds; nothing moves.
  await page.getByRole("button", { name: `Recall funds from ${shop}` }).click();
  await page.getByLabel("Amount (USD)").fill("80.01");
  await page.getByRole("button", { name: "Recall 80.01 USD" }).click();
  await expect(page.getByRole("dialog").getByRole("alert")).toContainText("you can recall at most that");
  await expectAccessible(page, "the agent's recall dialog");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(row).toContainText("80.00");
  await expectAccessible(page, "the agency page");
  await page.screenshot({ path: `${SCREENS}/dashboard-agency.png`, fullPage: true });

  // The admin's tree: North with its sub-agent and balances; move it to South, suspend South.
  await admin.reload();
  const table = admin.getByRole("region", { name: "Agency network table" });
  await expect(table.getByRole("row", { name: new RegExp(`^${north}`) })).toContainText("10 %");
  await expect(table.getByRole("row", { name: new RegExp(`^${south}`) })).toContainText("12.5 %");
  await expect(table.getByRole("row", { name: new RegExp(shop) })).toContainText(`under ${north}`);
  await expect(table.getByRole("row", { name: new RegExp(shop) })).toContainText("80.00");
  await expectAccessible(admin, "the admin agency page");
  await admin.screenshot({ path: `${SCREENS}/admin-agency.png`, fullPage: true });

  await admin.getByRole("button", { name: `Move ${shop} to another agent` }).click();
  const move = admin.getByRole("dialog");
  await move.getByLabel("New agent").selectOption({ label: south });
  await move.getByLabel("Reason").fill("territory change");
  await expect(move).toContainText(`goes under ${south}`);
  await move.getByRole("button", { name: "Move sub-agent" }).click();
  await expect(admin.getByText(`${shop} moved.`)).toBeVisible();
  await expect(table.getByRole("row", { name: new RegExp(shop) })).toContainText(`under ${south}`);

  await admin.getByRole("button", { name: `Suspend ${south}` }).click();
  await expect(admin.getByRole("dialog")).toContainText("none of its sub-agents can sell");
  await admin.getByLabel("Reason").fill("contract review");
  await admin.getByRole("dialog").getByRole("button", { name: "Suspend" }).click();
  await expect(table.getByRole("row", { name: new RegExp(`^${south}`) }).getByText("suspended")).toBeVisible();
  await admin.getByRole("button", { name: `Reactivate ${south}` }).click();
  await admin.getByLabel("Reason").fill("review done");
  await admin.getByRole("dialog").getByRole("button", { name: "Reactivate" }).click();
  await expect(admin.getByRole("button", { name: `Suspend ${south}` })).toBeVisible();

  // North no longer sees the sub-agent.
  await page.reload();
  await expect(page.getByRole("row", { name: new RegExp(shop) })).toHaveCount(0);

  const narrow = await newPage(browser, 390);
  await signInAsAdmin(narrow, { next: "/admin/agency?env=sandbox" });
  await narrow.goto("/admin/agency?env=sandbox");
  await expect(narrow.getByRole("region", { name: "Agency network table" }).getByRole("row", { name: new RegExp(shop) })).toBeVisible();
  await narrow.screenshot({ path: `${SCREENS}/admin-agency-390.png`, fullPage: true });
});
