import { type APIRequestContext, type Browser, expect, type Page, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { adminContext } from "./admin";
import { waitForEmail } from "./mailbox";

/**
 * Admin partners (issue 17 items 2, 3, 7): the searchable list, a partner created by hand (its
 * owner invited by email), the detail page with an API key issued and revoked, suspension (the
 * partner's key answers 403 account_suspended) and reactivation; the go-live queue approves a
 * request. Screenshots of each page (desktop, and the list and detail at 390 px), axe on each.
 */

const SCREENS = "test-results/screens";

async function signUp(request: APIRequestContext, companyName: string) {
  const email = `${companyName.toLowerCase().replace(/\W+/g, "-")}-${Date.now()}@e2e.test`;
  const password = "a-long-password";
  const res = await request.post("/api/v1/public/signup", { data: { companyName, contactName: "Ada Partner", email, password, country: "GB" } });
  expect(res.status()).toBe(201);
  const body = await res.json();
  return { email, password, key: body.apiKey.secret as string };
}

/** The partner's owner verifies the email (welcome link from the dev mailbox) and asks for live access. */
async function requestGoLive(browser: Browser, owner: { email: string; password: string }) {
  const welcome = await waitForEmail(browser, owner.email, "welcome");
  const verifyUrl = /https?:\/\/\S+\/verify-email\?token=[^\s"<>]+/.exec(welcome.text)?.[0];
  expect(verifyUrl, "the welcome email's verification link").toBeTruthy();
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(new URL(verifyUrl!).pathname + new URL(verifyUrl!).search);
    await page.goto("/login");
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/dashboard/);
    const res = await page.request.post("/api/trpc/onboarding.goLive.request", {
      data: {
        json: {
          legalName: "Queue Gifts Ltd",
          registrationNumber: "09876543",
          website: "https://queue-gifts.example.com",
          expectedMonthlyVolume: "40000.00",
          useCase: "Employee rewards paid out as gift cards.",
        },
      },
    });
    expect(res.status(), await res.text()).toBe(200);
  } finally {
    await context.close();
  }
}

async function narrowShot(page: Page, name: string) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SCREENS}/${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 900 });
}

test("admin partners: list and search, create by hand with an owner invitation, issue and revoke a key, suspend and reactivate", async ({
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  const partner = await signUp(request, "Searchable Gifts");
  const { context, page } = await adminContext(browser, "/admin");
  try {
    await page.setViewportSize({ width: 1360, height: 900 });
    await expect(page.getByRole("heading", { name: "Partners", level: 1 })).toBeVisible();
    await page.getByLabel("Search").fill("Searchable Gifts");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/q=Searchable/);
    const link = page.getByRole("link", { name: "Searchable Gifts" }).first();
    await expect(link).toBeVisible();
    await expectAccessible(page, "admin partners list");
    await page.screenshot({ path: `${SCREENS}/admin-partners-list.png`, fullPage: true });
    await narrowShot(page, "admin-partners-list");

    // Create a partner by hand: inline errors first, then the partner and its owner's invitation.
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByRole("link", { name: "Create partner" }).click();
    await expect(page.getByRole("heading", { name: "Create a partner" })).toBeVisible();
    await page.getByRole("button", { name: "Create partner and invite owner" }).click();
    await expect(page.getByText("The business name is required.")).toBeVisible();
    const ownerEmail = `owner-${Date.now()}@byhand.e2e.test`;
    await page.getByLabel("Business name").fill("By Hand Gifts");
    await page.getByLabel("Contact email").fill("ops@byhand.e2e.test");
    await page.getByLabel("Country (2 letters)").fill("GB");
    await page.getByLabel("Owner email").fill(ownerEmail);
    await expectAccessible(page, "create a partner");
    await page.screenshot({ path: `${SCREENS}/admin-partner-new.png`, fullPage: true });
    await page.getByRole("button", { name: "Create partner and invite owner" }).click();
    await expect(page.getByRole("heading", { name: "By Hand Gifts", level: 1 })).toBeVisible();
    await expect(page.getByRole("region", { name: "Team" })).toContainText(ownerEmail);
    const invite = await waitForEmail(browser, ownerEmail, "team.invite");
    expect(invite.text).toContain("/invite/");

    // The signed-up partner's detail: issue a key with an allowlist (secret once), revoke it.
    await page.goto("/admin?q=Searchable%20Gifts");
    await page.getByRole("link", { name: "Searchable Gifts" }).first().click();
    await expect(page.getByRole("heading", { name: "Searchable Gifts", level: 1 })).toBeVisible();
    await page.getByRole("button", { name: "Issue API key" }).click();
    await page.getByLabel("Name").fill("Handed over");
    await page.getByLabel("IP allowlist (one per line)").fill("not-an-ip");
    await page.getByRole("button", { name: "Issue key" }).click();
    await expect(page.getByText('"not-an-ip" is not an IPv4/IPv6 address or CIDR range')).toBeVisible();
    await page.getByLabel("IP allowlist (one per line)").fill("203.0.113.0/24");
    await page.getByRole("button", { name: "Issue key" }).click();
    const secret = (await page.getByTestId("issued-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^stlr_test_/);
    await expectAccessible(page, "issued key dialog");
    await page.getByRole("button", { name: "Done" }).click();
    const start = secret.slice(0, 14);
    await page.getByRole("button", { name: `Revoke key ${start}` }).click();
    await expect(page.getByRole("dialog", { name: `Revoke key ${start}…` })).toContainText("stops working at once");
    await page.getByLabel("Reason (optional)").fill("Issued by mistake");
    await page.getByRole("button", { name: "Revoke key" }).click();
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Audit" })).toContainText("Issued by mistake");

    // Suspend: reason required; the partner's own key then answers 403 account_suspended.
    await page.getByRole("button", { name: "Suspend partner" }).click();
    const dialog = page.getByRole("dialog", { name: "Suspend Searchable Gifts" });
    await dialog.getByRole("button", { name: "Suspend partner" }).click();
    await expect(dialog.getByText("Give a reason: it is kept in the audit log.")).toBeVisible();
    await dialog.getByLabel("Reason").fill("Chargebacks under review");
    await expectAccessible(page, "suspend dialog");
    await dialog.getByRole("button", { name: "Suspend partner" }).click();
    await expect(page.getByText("Suspended: its API keys answer 403 account_suspended")).toBeVisible();
    const refused = await request.get("/api/v1/keys", { headers: { "x-api-key": partner.key } });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe("account_suspended");
    await expectAccessible(page, "partner detail (suspended)");
    await page.screenshot({ path: `${SCREENS}/admin-partner-detail.png`, fullPage: true });
    await narrowShot(page, "admin-partner-detail");

    await page.getByRole("button", { name: "Reactivate partner" }).click();
    await page.getByRole("dialog", { name: "Reactivate Searchable Gifts" }).getByLabel("Reason").fill("Review cleared");
    await page.getByRole("dialog", { name: "Reactivate Searchable Gifts" }).getByRole("button", { name: "Reactivate partner" }).click();
    await expect(page.getByRole("button", { name: "Suspend partner" })).toBeVisible();
    expect((await request.get("/api/v1/keys", { headers: { "x-api-key": partner.key } })).status()).toBe(200);
  } finally {
    await context.close();
  }
});

test("go-live queue: the submitted details, reject needs a reason, approve grants live access", async ({ browser, request }) => {
  test.setTimeout(180_000);
  const owner = await signUp(request, "Queue Gifts");
  await requestGoLive(browser, owner);
  const { context, page } = await adminContext(browser, "/admin/go-live");
  try {
    await page.setViewportSize({ width: 1360, height: 900 });
    const card = page.getByRole("article", { name: "Go-live request of Queue Gifts" });
    await expect(card).toContainText("Employee rewards paid out as gift cards.");
    await expect(card).toContainText("09876543");
    await card.getByRole("button", { name: "Reject" }).click();
    const reject = page.getByRole("dialog", { name: "Reject go-live for Queue Gifts" });
    await reject.getByRole("button", { name: "Reject request" }).click();
    await expect(reject.getByText("Give a reason: it is kept in the audit log.")).toBeVisible();
    await reject.getByRole("button", { name: "Cancel" }).click();
    await expectAccessible(page, "go-live queue");
    await page.screenshot({ path: `${SCREENS}/admin-go-live.png`, fullPage: true });

    await card.getByRole("button", { name: "Approve" }).click();
    const approve = page.getByRole("dialog", { name: "Approve go-live for Queue Gifts" });
    await expect(approve).toContainText("live access at once");
    await approve.getByLabel("Note to the partner (optional)").fill("Welcome aboard");
    await approve.getByRole("button", { name: "Approve go-live" }).click();
    await expect(card).toHaveCount(0);
    await page.getByRole("button", { name: "Approved" }).click();
    await expect(page.getByRole("article", { name: "Go-live request of Queue Gifts" })).toContainText("Welcome aboard");
    const decided = await waitForEmail(browser, owner.email, "go_live.decided");
    expect(decided.subject.toLowerCase()).toContain("live");
  } finally {
    await context.close();
  }
});
