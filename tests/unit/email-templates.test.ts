import { describe, expect, it } from "vitest";
import { escapeHtml, renderEmail, renderTopupApproved, renderWebhookEndpointDisabled, renderWelcome } from "@/server/email/templates";
import { checkVerifyToken, createVerifyToken, parseVerifyToken } from "@/server/email/verification";

const SECRET = "s".repeat(40);

describe("email templates", () => {
  it("welcome: greets by name, names the company, and carries the verification and console links in text and HTML", () => {
    const verifyUrl = "https://app.example.com/verify-email?token=usr_1.2.abc&x=1";
    const m = renderWelcome({ name: "Ada", companyName: "Acme <Gifts>", verifyUrl, consoleUrl: "https://app.example.com/dashboard/console" });
    expect(m.subject).toBe("Welcome to Steller, Ada: verify your email");
    expect(m.text).toContain(`Verify your email: ${verifyUrl}`);
    expect(m.text).toContain("Acme <Gifts>");
    expect(m.text).toContain("https://app.example.com/dashboard/console");
    expect(m.html).toContain(`href="${escapeHtml(verifyUrl)}"`);
    expect(m.html).toContain("Acme &lt;Gifts&gt;"); // escaped, never raw markup
    expect(m.html).not.toContain("<Gifts>");
  });

  it("webhook endpoint disabled: says which endpoint, why, and how to re-enable it", () => {
    const m = renderWebhookEndpointDisabled({
      endpointId: "whe_1",
      url: "https://hooks.example.com/x",
      environment: "live",
      reason: "20 deliveries in a row failed every attempt",
    });
    expect(m.subject).toBe("Steller: your webhook endpoint https://hooks.example.com/x was disabled");
    expect(m.text).toContain("We disabled your live webhook endpoint https://hooks.example.com/x (whe_1) because 20 deliveries in a row failed every attempt.");
    expect(m.text).toContain('PATCH /api/v1/webhook-endpoints/whe_1 {"enabled": true}');
    expect(m.html).toContain("{&quot;enabled&quot;: true}");
  });

  it("top-up approved: the amount as the decimal string it is, and the wallet link", () => {
    const m = renderTopupApproved({ amount: "1000.10", currency: "USD", requestId: "top_1", walletUrl: "https://app.example.com/dashboard" });
    expect(m.subject).toBe("Steller: your top-up of 1000.10 USD was approved");
    expect(m.text).toContain("top_1 of 1000.10 USD");
    expect(m.html).toContain('href="https://app.example.com/dashboard"');
    // As stored (numeric(…, 4)): shown in display form, digits kept exactly.
    expect(renderTopupApproved({ amount: "300.0000", currency: "USD", requestId: "t", walletUrl: "x" }).subject).toBe(
      "Steller: your top-up of 300.00 USD was approved",
    );
    expect(renderTopupApproved({ amount: "12345678901234.1250", currency: "USD", requestId: "t", walletUrl: "x" }).text).toContain("12345678901234.125 USD");
  });

  it("renderEmail dispatches on the template name", () => {
    const p = { amount: "5.00", currency: "EUR", requestId: "top_2", walletUrl: "http://x/d" };
    expect(renderEmail({ template: "topup_approved", params: p })).toEqual(renderTopupApproved(p));
  });
});

describe("verification tokens", () => {
  const now = Date.UTC(2026, 0, 1);
  const token = createVerifyToken(SECRET, "usr_abc", "ada@example.com", now);

  it("a fresh token for the same user and address verifies", () => {
    expect(parseVerifyToken(token)?.userId).toBe("usr_abc");
    expect(checkVerifyToken(SECRET, token, "ada@example.com", now + 1000)).toBe("ok");
  });

  it("expires after 7 days", () => {
    expect(checkVerifyToken(SECRET, token, "ada@example.com", now + 7 * 24 * 3600_000 - 1000)).toBe("ok");
    expect(checkVerifyToken(SECRET, token, "ada@example.com", now + 7 * 24 * 3600_000 + 1000)).toBe("expired");
  });

  it("is refused when any part is changed, for another address, or under another secret", () => {
    const [u, exp, sig] = token.split(".");
    expect(checkVerifyToken(SECRET, `${u}.${Number(exp) + 3600}.${sig}`, "ada@example.com", now)).toBe("invalid");
    expect(checkVerifyToken(SECRET, `usr_abd.${exp}.${sig}`, "ada@example.com", now)).toBe("invalid");
    const flipped = sig!.slice(0, -1) + (sig!.endsWith("A") ? "B" : "A");
    expect(checkVerifyToken(SECRET, `${u}.${exp}.${flipped}`, "ada@example.com", now)).toBe("invalid");
    expect(checkVerifyToken(SECRET, token, "eve@example.com", now)).toBe("invalid");
    expect(checkVerifyToken("t".repeat(40), token, "ada@example.com", now)).toBe("invalid");
    expect(checkVerifyToken(SECRET, "garbage", "ada@example.com", now)).toBe("invalid");
  });
});

describe("engagement, wallet, go-live and team templates", () => {
  it("activation nudge: the next step, its link and the progress", () => {
    const m = renderEmail({
      template: "activation_nudge",
      params: { companyName: "Acme", nextStep: "Order a test gift card", nextStepUrl: "https://app.example.com/dashboard/console", done: "2", total: "9" },
    });
    expect(m.subject).toBe("Steller: your next step — Order a test gift card");
    expect(m.text).toContain("Acme has done 2 of the 9 steps");
    expect(m.text).toContain("Order a test gift card: https://app.example.com/dashboard/console");
  });

  it("low balance: balance and threshold as the decimal strings they are", () => {
    const m = renderEmail({
      template: "low_balance",
      params: { environment: "live", currency: "USD", balance: "12.3400", threshold: "100.00", walletUrl: "https://app.example.com/dashboard" },
    });
    expect(m.subject).toBe("Steller: your live USD balance is low (12.34 USD)");
    expect(m.text).toContain("holds 12.34 USD, below your alert threshold of 100.00 USD");
    expect(m.html).toContain('href="https://app.example.com/dashboard"');
  });

  it("go-live decided: approval points at live keys; rejection gives the reason, escaped", () => {
    const ok = renderEmail({
      template: "go_live_decided",
      params: { companyName: "Acme", decision: "approved", reason: "", dashboardUrl: "https://x/dashboard/api-keys" },
    });
    expect(ok.subject).toBe("Steller: Acme is approved to go live");
    expect(ok.text).toContain("create live API keys");
    const no = renderEmail({
      template: "go_live_decided",
      params: { companyName: "Acme", decision: "rejected", reason: "Website <missing>", dashboardUrl: "https://x/dashboard/go-live" },
    });
    expect(no.subject).toBe("Steller: your go-live request for Acme was not approved");
    expect(no.text).toContain("The reason: Website <missing>");
    expect(no.html).toContain("Website &lt;missing&gt;");
  });

  it("team invite: who invited, to what role, the accept link and its validity", () => {
    const m = renderEmail({
      template: "team_invite",
      params: { inviterName: "Ada", companyName: "Acme", role: "developer", acceptUrl: "https://x/invite?t=1&u=2", expiresInDays: "7" },
    });
    expect(m.subject).toBe("Ada invited you to Acme on Steller");
    expect(m.text).toContain("as developer");
    expect(m.text).toContain("Accept the invitation: https://x/invite?t=1&u=2");
    expect(m.html).toContain('href="https://x/invite?t=1&amp;u=2"');
    expect(m.text).toContain("valid for 7 days");
  });

  it("re-engagement: how long, and the ways back in", () => {
    const m = renderEmail({
      template: "re_engagement",
      params: { companyName: "Acme", inactiveDays: "14", consoleUrl: "https://x/dashboard/console", docsUrl: "https://x/docs" },
    });
    expect(m.subject).toBe("Steller: we have not seen Acme for 14 days");
    expect(m.text).toContain("in the last 14 days");
    expect(m.text).toContain("https://x/dashboard/console");
    expect(m.text).toContain("Read the quickstart: https://x/docs");
  });
});
