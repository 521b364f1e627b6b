import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { expectAccessible } from "./a11y";

// The webhooks portal (issue 16, item 7): an endpoint to a loopback receiver started here (the
// server runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true), its secret shown once, a test event whose
// delivery appears with 200, its detail (request headers and body, the receiver's answer), the
// success rate, a failing delivery recovered once the receiver is fixed.

const SCREENS = "test-results/screens";

test("webhooks: create an endpoint, send a test event, see the delivery with 200 and its detail, recover a failed one", async ({ page, request }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  let answer = 200;
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = answer;
      res.setHeader("content-type", "text/plain");
      res.end(answer === 200 ? "received by the e2e receiver" : "receiver is down");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/steller-hooks`;
  try {
    const email = `hooks+${Date.now()}@e2e.test`;
    const password = "a-long-password";
    const signup = await request.post("/api/v1/public/signup", {
      data: { companyName: "Hooked Gifts", contactName: "Hook Er", email, password, country: "GB" },
    });
    expect(signup.status()).toBe(201);

    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/dashboard/);
    await page.getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
    await expect(page.getByText("No sandbox endpoints yet")).toBeVisible();

    // Create: a URL the API would refuse is refused inline; then the loopback receiver.
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByLabel("Endpoint URL").fill("https://user:secret@example.com/hooks");
    await page.getByRole("button", { name: "Create endpoint" }).click();
    await expect(page.locator("[data-field-error='f-url']")).toContainText("must not contain credentials");
    await page.getByLabel("Endpoint URL").fill(url);
    await page.getByLabel("Description").fill("E2E receiver");
    await page.getByText("Example payload of order.completed").click();
    await expect(page.getByText('"cardsDelivered": 2')).toBeVisible();
    await page.screenshot({ path: `${SCREENS}/dashboard-webhooks-new.png`, fullPage: true });
    await expectAccessible(page, "the new endpoint form");
    await page.getByRole("button", { name: "Create endpoint" }).click();
    await expect(page.getByTestId("signing-secret")).toHaveText(/^whsec_/);
    const secret = (await page.getByTestId("signing-secret").textContent())!;
    await page.screenshot({ path: `${SCREENS}/dashboard-webhooks-secret.png`, fullPage: true });
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("signing-secret")).toHaveCount(0);
    await expect(page.getByText(secret)).toHaveCount(0);
    await page.screenshot({ path: `${SCREENS}/dashboard-webhooks.png`, fullPage: true });
    await expectAccessible(page, "the endpoints list");

    // The endpoint's page: send a test event, see its delivery appear with 200.
    await page.getByRole("link", { name: url }).click();
    await expect(page.getByRole("heading", { name: /Webhook endpoint/, level: 1 })).toBeVisible();
    await expect(page.getByText("No deliveries yet")).toBeVisible();
    await page.getByRole("button", { name: "Send test event" }).click();
    const rows = page.locator("tbody tr[data-testid^='delivery-row-']");
    await expect(rows).toHaveCount(1, { timeout: 15_000 });
    await expect(rows.first()).toContainText("200", { timeout: 15_000 });
    await expect(rows.first()).toContainText("succeeded");
    await expect(rows.first()).toContainText("webhook.test");
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["webhook-signature"]).toMatch(/^v1,/);
    await page.screenshot({ path: `${SCREENS}/dashboard-webhook-endpoint.png`, fullPage: true });
    await expectAccessible(page, "the endpoint page");

    // Its detail: request headers and body as sent, the receiver's answer.
    await rows
      .first()
      .getByRole("button", { name: /Details of delivery/ })
      .click();
    const drawer = page.getByRole("dialog");
    await expect(drawer.getByLabel("Request headers")).toContainText(`webhook-id:${received[0]!.headers["webhook-id"]}`);
    await expect(drawer.getByLabel("Request headers")).toContainText(String(received[0]!.headers["webhook-signature"]));
    await expect(drawer.getByText('"type": "webhook.test"')).toBeVisible();
    await expect(drawer.getByText("HTTP 200")).toBeVisible();
    await expect(drawer.getByText("received by the e2e receiver")).toBeVisible();
    await page.screenshot({ path: `${SCREENS}/dashboard-webhook-delivery.png`, fullPage: true });
    await expectAccessible(page, "the delivery drawer");
    await page.keyboard.press("Escape");

    // A failing receiver, then recover once it is fixed: the confirm dialog counts 1; pressing again sends nothing.
    answer = 500;
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(rows).toHaveCount(2, { timeout: 15_000 });
    // The default schedule retries after 5 s, then after 5 min: both attempts fail, then it waits.
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(3);
    await expect(rows.first()).toContainText("500", { timeout: 15_000 });
    await page.getByLabel("Status").click();
    await page.getByRole("option", { name: "failed" }).click();
    await expect(page).toHaveURL(/[?&]status=failed/);
    await expect(rows).toHaveCount(1);
    await page.reload();
    await expect(rows).toHaveCount(1);
    await page.screenshot({ path: `${SCREENS}/dashboard-webhook-failed-filter.png`, fullPage: true });
    answer = 200;
    await page.getByRole("button", { name: "Recover failed deliveries" }).click();
    const confirm = page.getByRole("dialog");
    await expect(confirm).toContainText("1 failed delivery since");
    await page.screenshot({ path: `${SCREENS}/dashboard-webhook-recover.png`, fullPage: true });
    await expectAccessible(page, "the recover confirmation");
    await confirm.getByRole("button", { name: "Re-send 1 delivery" }).click();
    await expect(page.getByText("1 delivery queued again.")).toBeVisible();
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(4);
    expect(received[3]!.headers["webhook-id"]).toBe(received[1]!.headers["webhook-id"]);
    await page.getByRole("button", { name: "Recover failed deliveries" }).click();
    await expect(confirm).toContainText("nothing will be sent");
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("success-rate-summary")).toContainText("finished deliveries succeeded in the last 7 days");
    await page.getByRole("button", { name: "30 days" }).click();
    await expect(page.getByRole("button", { name: "30 days" })).toHaveAttribute("aria-pressed", "true");
    await expect(page).toHaveURL(/[?&]days=30/);
    await page.screenshot({ path: `${SCREENS}/dashboard-webhook-endpoint-30d.png`, fullPage: true });
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});
