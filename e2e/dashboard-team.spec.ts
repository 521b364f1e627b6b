import { type Browser, expect, type Page, test } from "@playwright/test";
import { expectAccessible } from "./a11y";
import { readInviteLink, waitForEmail } from "./mailbox";

// Team and settings (issue 16): an owner invites a developer, the invitation email is read from
// the dev mailbox, the invitee accepts as a new person and lands in the owner's workspace; a second
// partner invites the same person, who joins with the account they have and switches between the
// two workspaces; a revoked link says so; the owner changes a role behind its confirmation and
// reads the settings page. axe on every page; screenshots.

const SCREENS = "test-results/screens";
const PASSWORD = "a-long-password";

async function signUpOwner(page: Page, company: string, email: string) {
  const res = await page.request.post("/api/v1/public/signup", {
    data: { companyName: company, contactName: `${company} Owner`, email, password: PASSWORD, country: "GB" },
  });
  expect(res.status()).toBe(201);
}

async function signIn(page: Page, email: string, next = "/dashboard") {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function invite(page: Page, email: string, role: "developer" | "finance" | "owner") {
  await page.goto("/dashboard/team");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${email}`)).toBeVisible();
  await expect(page.getByTestId(`invitation-${email}`)).toContainText("pending");
}

async function newPage(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  return context.newPage();
}

test("an owner invites a developer who accepts from the email; a second workspace joined with the same account; the switcher; roles and settings", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  const stamp = Date.now();
  const ownerEmail = `team-owner+${stamp}@e2e.test`;
  const devEmail = `team-dev+${stamp}@e2e.test`;
  await signUpOwner(page, "Teamwork Gifts", ownerEmail);
  await signIn(page, ownerEmail);
  await expect(page).toHaveURL(/\/dashboard/);

  // The owner invites a developer; the invitation is listed as pending.
  await invite(page, devEmail, "developer");
  await expect(page.getByRole("table", { name: "Members" })).toContainText(ownerEmail);
  await page.screenshot({ path: `${SCREENS}/team-owner.png`, fullPage: true });
  await expectAccessible(page, "the team page (owner)");

  // The invitee opens the link from the email and joins as a new person.
  const link = await readInviteLink(browser, devEmail);
  expect(link).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/);
  const dev = await newPage(browser);
  await dev.goto(link);
  await expect(dev.getByRole("heading", { name: "Join Teamwork Gifts on Steller" })).toBeVisible();
  await expect(dev.getByText(`You are invited as a developer (${devEmail}).`)).toBeVisible();
  await dev.screenshot({ path: `${SCREENS}/invite-accept-new.png`, fullPage: true });
  await expectAccessible(dev, "the invitation page (new person)");
  await dev.getByLabel("Your name").fill("Devi Loper");
  await dev.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await dev.getByRole("button", { name: "Create account and join" }).click();
  await expect(dev).toHaveURL(/\/dashboard$/);
  await expect(dev.getByTestId("workspace-name")).toHaveText("Teamwork Gifts");
  await expect(dev.getByTestId("signed-in-user")).toHaveText("Devi Loper");
  const nav = dev.getByRole("navigation", { name: "Partner dashboard" });
  for (const name of ["Overview", "API keys", "Webhooks", "Request logs", "Team"]) await expect(nav.getByRole("link", { name })).toBeVisible();
  await dev.goto("/dashboard/team");
  await expect(dev.getByRole("heading", { name: "Your profile" })).toBeVisible();
  await expect(dev.getByRole("table", { name: "Members" })).toHaveCount(0);
  await expectAccessible(dev, "the team page (developer)");

  // The link is single-use.
  const used = await newPage(browser);
  await used.goto(link);
  await expect(used.getByRole("heading", { name: "This invitation was already used" })).toBeVisible();
  await used.context().close();

  // A second partner invites the same person, who joins with the account they have.
  const otherOwner = await newPage(browser);
  const otherEmail = `team-owner2+${stamp}@e2e.test`;
  await signUpOwner(otherOwner, "Second Shop", otherEmail);
  await signIn(otherOwner, otherEmail);
  await expect(otherOwner).toHaveURL(/\/dashboard/);
  await invite(otherOwner, devEmail, "finance");
  const second = await readInviteLink(browser, devEmail);
  expect(second).not.toBe(link);
  await dev.goto(second);
  await expect(dev.getByRole("heading", { name: "Join Second Shop on Steller" })).toBeVisible();
  await dev.screenshot({ path: `${SCREENS}/invite-accept-existing.png`, fullPage: true });
  await expectAccessible(dev, "the invitation page (signed in)");
  await dev.getByRole("button", { name: "Join Second Shop" }).click();
  await expect(dev).toHaveURL(/\/dashboard$/);
  await expect(dev.getByTestId("workspace-name")).toHaveText("Second Shop");

  // The switcher lists both workspaces; switching reloads the dashboard in the other one.
  const switcher = dev.getByLabel("Switch workspace");
  await expect(switcher.locator("option")).toHaveText(["Teamwork Gifts (developer)", "Second Shop (finance)"]);
  await dev.screenshot({ path: `${SCREENS}/workspace-switcher.png`, fullPage: true });
  await expectAccessible(dev, "the dashboard with the workspace switcher");
  await switcher.selectOption({ label: "Teamwork Gifts (developer)" });
  await expect(dev.getByTestId("workspace-name")).toHaveText("Teamwork Gifts");
  await dev.reload();
  await expect(dev.getByTestId("workspace-name")).toHaveText("Teamwork Gifts");

  // A revoked invitation's link says so.
  const revokedEmail = `team-revoked+${stamp}@e2e.test`;
  await invite(page, revokedEmail, "finance");
  const revokedLink = await readInviteLink(browser, revokedEmail);
  await page.getByRole("button", { name: `Revoke invitation to ${revokedEmail}` }).click();
  await expect(page.getByRole("dialog")).toContainText(`The link sent to ${revokedEmail} stops working at once`);
  await page.getByRole("button", { name: "Revoke invitation", exact: true }).click();
  await expect(page.getByTestId(`invitation-${revokedEmail}`)).toHaveCount(0);
  const revoked = await newPage(browser);
  await revoked.goto(revokedLink);
  await expect(revoked.getByRole("heading", { name: "This invitation was revoked" })).toBeVisible();
  await revoked.screenshot({ path: `${SCREENS}/invite-revoked.png`, fullPage: true });
  await expectAccessible(revoked, "a revoked invitation's page");
  await revoked.context().close();

  // The owner makes the developer finance (confirmation says the effect); the last owner cannot be demoted.
  await page.goto("/dashboard/team");
  await expect(page.getByRole("button", { name: `Make Teamwork Gifts Owner developer` })).toBeDisabled();
  await page.getByRole("button", { name: "Make Devi Loper finance" }).click();
  await expect(page.getByRole("dialog")).toContainText("Devi Loper");
  await expectAccessible(page, "the change-role confirmation");
  await page.getByRole("button", { name: "Change role to finance" }).click();
  await expect(page.getByTestId(`member-${devEmail}`).getByTestId("member-role")).toHaveText("Finance");
  await page.screenshot({ path: `${SCREENS}/team-after-role-change.png`, fullPage: true });

  // Settings: the owner edits; the threshold of the sandbox wallet.
  await page.goto("/dashboard/settings");
  await expect(page.getByRole("heading", { name: "Company profile" })).toBeVisible();
  await expect(page.getByLabel("Business name")).toHaveValue("Teamwork Gifts");
  await page.getByLabel("Billing contact email").fill(`billing+${stamp}@e2e.test`);
  await page.getByRole("button", { name: "Save contacts" }).click();
  await expect(page.getByText("Contacts saved")).toBeVisible();
  await page.getByLabel("USD sandbox wallet threshold").fill("250.00");
  await page.getByRole("button", { name: "Save USD threshold" }).click();
  await expect(page.getByText("USD sandbox threshold saved")).toBeVisible();
  await page.getByLabel("Re-engagement emails").uncheck();
  await page.getByRole("button", { name: "Save email preferences" }).click();
  await expect(page.getByText("Re-engagement emails are off")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("USD sandbox wallet threshold")).toHaveValue("250.00");
  await expect(page.getByLabel("Re-engagement emails")).not.toBeChecked();
  await page.screenshot({ path: `${SCREENS}/settings-owner.png`, fullPage: true });
  await expectAccessible(page, "the settings page (owner)");

  // The developer (now finance) reads the settings without save buttons.
  await dev.goto("/dashboard/settings");
  await expect(dev.getByText("Only owners can change settings; you can read them.")).toBeVisible();
  await expect(dev.getByRole("button", { name: "Save contacts" })).toHaveCount(0);
  await expectAccessible(dev, "the settings page (read-only)");
  // The welcome email of the first owner is in the mailbox too (the helper reads any kind).
  expect((await waitForEmail(browser, ownerEmail, "welcome")).subject).toContain("Welcome to Steller");
});
