import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";

// The API keys page (issue 16, item 6): badges (rate-limited recently from real 429s), create
// with an IP allowlist validated inline and an expiry, the secret once, rotate with an overlap
// and revoke behind their confirmations, and live keys refused until go-live.

const SCREENS = "test-results/screens";

test("API keys: create with allowlist and expiry, secret once, rotate with overlap, revoke, badges, live refused before go-live", async ({ page, request }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  const email = `keys+${Date.now()}@e2e.test`;
  const password = "a-long-password";
  const signup = await request.post("/api/v1/public/signup", {
    data: { companyName: "Keyed Gifts", contactName: "Kay Eyes", email, password, country: "GB" },
  });
  expect(signup.status()).toBe(201);
  const first = (await signup.json()).apiKey.secret as string;
  const firstStart = first.slice(0, 14);
  // Bursts beyond the key's bucket (50, refilled at 25/s) until one request answers 429: a burst
  // of 90 that the machine happens to spread over more than ~1.6 s is all 200s.
  const statuses: number[] = [];
  for (let burst = 0; burst < 10 && !statuses.includes(429); burst++) {
    statuses.push(
      ...(await Promise.all(Array.from({ length: 90 }, () => request.get("/api/v1/keys", { headers: { "x-api-key": first } }).then((r) => r.status())))),
    );
  }
  expect(statuses).toContain(429);

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/dashboard/api-keys");
  const firstRow = page.getByTestId(`key-row-${firstStart}`);
  await expect(async () => {
    await page.reload();
    await expect(firstRow).toContainText("rate-limited recently", { timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  await expect(firstRow).toContainText("active");
  await expect(firstRow).toContainText(/ago|just now/);
  await expectAccessible(page, "the API keys page");

  // Create: an allowlist row with a mistake is refused on that row, by the same schema as the server.
  await page.getByRole("button", { name: "Create API key" }).click();
  const sheet = page.getByRole("dialog", { name: "Create a test API key" });
  await sheet.getByLabel("Key name").fill("Office server");
  await sheet.getByRole("button", { name: "Add IP range" }).click();
  await sheet.getByLabel("IP range 1", { exact: true }).fill("10.0.0.999");
  await sheet.getByRole("button", { name: "Add IP range" }).click();
  await sheet.getByLabel("IP range 2", { exact: true }).fill("198.51.100.0/24");
  await sheet.getByRole("button", { name: "Add IP range" }).click();
  await sheet.getByRole("button", { name: "Remove allowlist row 3" }).click();
  await expect(sheet.getByLabel("IP range 3", { exact: true })).toHaveCount(0);
  await sheet.getByRole("combobox", { name: "Expiry" }).click();
  await page.getByRole("option", { name: "30 days" }).click();
  await sheet.getByRole("button", { name: "Create key" }).click();
  await expect(sheet.getByText('"10.0.0.999" is not an IPv4/IPv6 address or CIDR range')).toBeVisible();
  await expect(sheet.getByLabel("IP range 1", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: `${SCREENS}/dashboard-keys-create-invalid.png`, fullPage: true });
  await expectAccessible(page, "the create-key panel with an error");
  await sheet.getByLabel("IP range 1", { exact: true }).fill("203.0.113.7");
  await sheet.getByRole("button", { name: "Create key" }).click();
  const secret = await sheet.getByTestId("new-key").textContent();
  expect(secret).toMatch(/^stlr_test_/);
  await expect(sheet.getByRole("button", { name: "Copy key" })).toBeVisible();
  await expect(sheet.getByRole("button", { name: "Done" })).toBeDisabled();
  await page.screenshot({ path: `${SCREENS}/dashboard-keys-secret.png`, fullPage: true });
  await sheet.getByLabel("I have stored it").check();
  await sheet.getByRole("button", { name: "Done" }).click();
  const newStart = secret!.slice(0, 14);
  const newRow = page.getByTestId(`key-row-${newStart}`);
  await expect(newRow).toContainText("Office server");
  await expect(newRow).toContainText("203.0.113.7, 198.51.100.0/24");
  await expect(newRow).toContainText("active");
  await expect(newRow).toContainText("never"); // not used yet

  // Rotate the first key with a 1-hour overlap: the confirmation says until when the old key works.
  await page.getByRole("button", { name: `Rotate key ${firstStart}` }).click();
  const rotate = page.getByRole("dialog", { name: `Rotate key ${firstStart}…`, exact: true });
  await rotate.getByRole("combobox", { name: "Overlap" }).click();
  await page.getByRole("option", { name: "1 hour" }).click();
  await rotate.getByRole("button", { name: "Rotate key…" }).click();
  const confirmRotate = page.getByRole("dialog", { name: `Rotate key ${firstStart}…?` });
  await expect(confirmRotate).toContainText(`The old key ${firstStart}… keeps working until`);
  await expectAccessible(page, "the rotate confirmation");
  await confirmRotate.getByRole("button", { name: "Rotate key" }).click();
  const rotated = await rotate.getByTestId("new-key").textContent();
  expect(rotated).toMatch(/^stlr_test_/);
  await rotate.getByLabel("I have stored it").check();
  await rotate.getByRole("button", { name: "Done" }).click();
  await expect(firstRow).toContainText("rotating");
  await expect(page.getByTestId(`key-row-${rotated!.slice(0, 14)}`)).toContainText("active");
  expect((await request.get("/api/v1/keys", { headers: { "x-api-key": first } })).status()).toBe(200);

  // Revoke the new key: the confirmation says what happens; the API refuses it at once.
  await page.getByRole("button", { name: `Revoke key ${newStart}` }).click();
  const confirmRevoke = page.getByRole("dialog", { name: `Revoke key ${newStart}…?` });
  await expect(confirmRevoke).toContainText("Requests with this key will fail with 401 immediately");
  await page.screenshot({ path: `${SCREENS}/dashboard-keys-revoke.png`, fullPage: true });
  await confirmRevoke.getByRole("button", { name: "Revoke key" }).click();
  await expect(newRow).toContainText("revoked");
  const refused = await request.get("/api/v1/keys", { headers: { "x-api-key": secret! } });
  expect(refused.status()).toBe(401);
  await page.screenshot({ path: `${SCREENS}/dashboard-keys.png`, fullPage: true });
  await expectAccessible(page, "the API keys page after rotate and revoke");

  // Live: no live key before go-live approval, and the page says why.
  await page.getByTestId("env-live").click();
  await expect(page.getByRole("button", { name: "Create API key" })).toBeDisabled();
  await expect(page.getByText("Live keys are available once your go-live request is approved.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Request live access" })).toHaveAttribute("href", "/dashboard/go-live");
  await page.screenshot({ path: `${SCREENS}/dashboard-keys-live.png`, fullPage: true });
  await expectAccessible(page, "the live API keys page");
  await page.getByTestId("env-sandbox").click();
});
