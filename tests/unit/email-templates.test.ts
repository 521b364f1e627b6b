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
    const m = renderWebhookEndpointDisabled({ endpointId: "whe_1", url: "https://hooks.example.com/x", environment: "live", reason: "20 deliveries in a row failed every attempt" });
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
    expect(renderTopupApproved({ amount: "300.0000", currency: "USD", requestId: "t", walletUrl: "x" }).subject).toBe("Steller: your top-up of 300.00 USD was approved");
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
