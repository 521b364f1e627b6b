import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { readInviteLink } from "./mailbox";

// Issue 16's journey across the dashboard, three people of one partner in three browsers: the
// owner invites a developer and a finance user (the invitations read from the dev mailbox); the
// developer creates a key with an IP allowlist, points a webhook at a receiver this test runs on
// loopback, sends a test event and sees the delivery; the finance user reads the statement and
// downloads its CSV but cannot open the request logs; the owner buys a card, opens its timeline
// and rotates a key. A screenshot of every page.

const SCREENS = "test-results/screens";
const PASSWORD = "a-long-password";

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENS}/journey-${name}.png`, fullPage: true });
}

/** A new person accepts an invitation: sets a name and a password, lands in the dashboard. */
async function acceptInvite(browser: Browser, path: string, name: string) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "Join Journey Gifts on Steller" })).toBeVisible();
  await shot(page, `invite-${name.split(" ")[0]!.toLowerCase()}`);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByTestId("workspace-name")).toHaveText("Journey Gifts");
  return page;
}

test("owner, developer and finance through the dashboard: invites, key with allowlist, webhook test event, statement CSV, logs refused, bought card's timeline, key rotated", async ({
  page: owner,
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  await owner.setViewportSize({ width: 1360, height: 900 });

  // A receiver on loopback: every request it gets, with its headers.
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/steller-hooks`;

  try {
    const stamp = Date.now();
    const ownerEmail = `owner+${stamp}@journey-e2e.test`;
    const devEmail = `dev+${stamp}@journey-e2e.test`;
    const financeEmail = `finance+${stamp}@journey-e2e.test`;
    const signup = await request.post("/api/v1/public/signup", {
      data: { companyName: "Journey Gifts", contactName: "Olive Owner", email: ownerEmail, password: PASSWORD, country: "GB" },
    });
    expect(signup.status()).toBe(201);
    await signIn(owner, ownerEmail, PASSWORD);

    // 1. The owner invites a developer and a finance user.
    await owner.getByRole("link", { name: "Team", exact: true }).click();
    await expect(owner.getByRole("heading", { name: "Team", level: 1 })).toBeVisible();
    for (const [email, role] of [
      [devEmail, "developer"],
      [financeEmail, "finance"],
    ] as const) {
      await owner.getByLabel("Email address").fill(email);
      await owner.getByLabel("Role").selectOption(role);
      await owner.getByRole("button", { name: "Send invitation", exact: true }).click();
      await expect(owner.getByTestId(`invitation-${email}`)).toBeVisible();
    }
    await shot(owner, "team-invited");
    await expectAccessible(owner, "the team page with pending invitations");

    // 2. Each reads their invitation in the dev mailbox and joins.
    const dev = await acceptInvite(browser, await readInviteLink(browser, devEmail), "Dev Eloper");
    const finance = await acceptInvite(browser, await readInviteLink(browser, financeEmail), "Fin Ance");
    await owner.reload();
    const members = owner.getByRole("table", { name: "Members" });
    await expect(members.getByTestId(`member-${devEmail}`).getByTestId("member-role")).toHaveText("Developer");
    await expect(members.getByTestId(`member-${financeEmail}`).getByTestId("member-role")).toHaveText("Finance");
    await expect(owner.getByTestId(`invitation-${devEmail}`)).toHaveCount(0);
    await shot(owner, "team-joined");

    // 3. The developer creates a key with an IP allowlist.
    await dev.getByRole("link", { name: "API keys", exact: true }).click();
    await expect(dev.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
    await dev.getByRole("button", { name: "Create API key" }).click();
    const create = dev.getByRole("dialog", { name: "Create a test API key" });
    await create.getByLabel("Key name").fill("Journey server");
    await create.getByRole("button", { name: "Add IP range" }).click();
    await create.getByLabel("IP range 1").fill("127.0.0.1/32");
    await expectAccessible(dev, "the create-key dialog with an allowlist row");
    await create.getByRole("button", { name: "Create key" }).click();
    await expect(dev.getByTestId("new-key")).toHaveText(/^stlr_test_/);
    const keyStart = (await dev.getByTestId("new-key").textContent())!.slice(0, "stlr_test_".length + 4);
    await shot(dev, "api-key-created");
    await dev.getByRole("checkbox", { name: "I have stored it" }).check();
    await dev.getByRole("button", { name: "Done" }).click();
    await expect(dev.getByTestId(`key-row-${keyStart}`)).toContainText("Journey server");
    await expect(dev.getByTestId(`key-row-${keyStart}`)).toContainText("127.0.0.1/32");
    await shot(dev, "api-keys");

    // 4. … a webhook to the loopback receiver, a test event, its delivery seen.
    await dev.getByRole("link", { name: "Webhooks", exact: true }).click();
    await expect(dev.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
    await dev.getByRole("button", { name: "Add endpoint" }).click();
    await dev.getByLabel("Endpoint URL").fill(hookUrl);
    await dev.getByRole("button", { name: "Create endpoint" }).click();
    await expect(dev.getByTestId("signing-secret")).toHaveText(/^whsec_/);
    await shot(dev, "webhook-created");
    await dev.getByRole("button", { name: "Done" }).click();
    await dev.getByRole("link", { name: hookUrl }).click();
    await expect(dev.getByRole("heading", { name: /Webhook endpoint/, level: 1 })).toBeVisible();
    await dev.getByRole("button", { name: "Send test event" }).click();
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(1);
    expect(received[0]!.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(JSON.parse(received[0]!.body).type).toBe("webhook.test");
    const deliveries = dev.locator("tbody tr[data-testid^='delivery-row-']");
    await expect(deliveries).toHaveCount(1, { timeout: 15_000 });
    await expect(deliveries.first()).toContainText("200", { timeout: 15_000 });
    await expect(deliveries.first()).toContainText("succeeded");
    await shot(dev, "webhook-delivery");
    await expectAccessible(dev, "the webhook endpoint page with a delivery");

    // 5. Finance: the statement and its CSV; the request logs are not for this role.
    await finance.getByRole("link", { name: "Wallet", exact: true }).click();
    await expect(finance.getByRole("heading", { name: "Wallet", level: 1 })).toBeVisible();
    await finance.getByRole("tab", { name: "Statement" }).click();
    await finance.getByRole("button", { name: "Show statement" }).click();
    // The sandbox grant of the signup is in this month's statement.
    await expect(finance.getByTestId("statement-credits")).toContainText("USD");
    await expect(finance.getByTestId("statement-line").first()).toBeVisible();
    const closing = (await finance.getByTestId("statement-closing").textContent())!;
    await shot(finance, "wallet-statement");
    await expectAccessible(finance, "the statement");
    const download = finance.waitForEvent("download");
    await finance.getByRole("button", { name: "Download CSV" }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, "utf8").trim().split(/\r?\n/);
    expect(csv.length, "a header and the statement's lines").toBeGreaterThan(1);
    expect(csv.join("\n")).toContain("sandbox_grant");
    expect(closing).toMatch(/\d/);
    await finance.getByRole("link", { name: "Request logs", exact: true }).click();
    await expect(finance.getByRole("status").filter({ hasText: "Request logs are not available for your role (finance)." })).toBeVisible();
    await expect(finance.getByRole("table")).toHaveCount(0);
    await shot(finance, "logs-refused");
    await expectAccessible(finance, "the logs page refused to finance");

    // 6. The owner buys a card, opens its timeline, and rotates a key.
    await owner.getByRole("link", { name: "Buy cards", exact: true }).click();
    await owner.getByLabel("Product SKU").fill("BAM-990001");
    await owner.getByLabel("Face value").fill("20.00");
    await owner.getByLabel("Quantity").fill("1");
    await owner.getByLabel("Your reference").fill(`journey-${stamp}`);
    await owner.getByRole("button", { name: "Review and buy" }).click();
    await owner.getByRole("button", { name: "Buy cards" }).click();
    await owner.getByRole("link", { name: /^Open order ord_/ }).click();
    await expect(owner.getByTestId("order-timeline")).toContainText("Order created");
    // The order page is read when opened: reload until the card is delivered.
    await expect(async () => {
      await owner.reload();
      await expect(owner.getByTestId("order-timeline")).toContainText("Order completed", { timeout: 2_000 });
    }).toPass({ timeout: 40_000 });
    await shot(owner, "order-timeline");

    await owner.getByRole("link", { name: "API keys", exact: true }).click();
    await owner
      .getByTestId(`key-row-${keyStart}`)
      .getByRole("button", { name: `Rotate key ${keyStart}` })
      .click();
    await owner.getByRole("combobox", { name: "Overlap" }).click();
    await owner.getByRole("option", { name: "1 hour" }).click();
    await owner.getByRole("button", { name: /^Rotate key…?$/ }).click();
    const confirm = owner.getByRole("alertdialog").or(owner.getByRole("dialog")).filter({ hasText: "keeps working until" });
    await expect(confirm).toContainText(`The old key ${keyStart}… keeps working until`);
    await expectAccessible(owner, "the rotate confirmation");
    await confirm.getByRole("button", { name: "Rotate key", exact: true }).click();
    await expect(owner.getByTestId("new-key")).toHaveText(/^stlr_test_/);
    expect((await owner.getByTestId("new-key").textContent())!.startsWith(keyStart)).toBe(false);
    await owner.getByRole("checkbox", { name: "I have stored it" }).check();
    await owner.getByRole("button", { name: "Done" }).click();
    await expect(owner.getByTestId(`key-row-${keyStart}`)).toContainText("rotating");
    await shot(owner, "api-key-rotated");
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});
