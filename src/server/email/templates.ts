import { formatAmount } from "@/lib/money";

/**
 * Email templates: plain functions from their parameters to a subject, a text body and a simple
 * HTML body. No I/O here, so each is unit-tested; the `email-send` function renders them.
 */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export type EmailTemplate =
  | { template: "welcome"; params: { name: string; companyName: string; verifyUrl: string; consoleUrl: string } }
  | { template: "webhook_endpoint_disabled"; params: { endpointId: string; url: string; environment: string; reason: string } }
  | { template: "topup_approved"; params: { amount: string; currency: string; requestId: string; walletUrl: string } };

export type TemplateName = EmailTemplate["template"];

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A paragraph per block of text; `{a: [label, href]}` entries become links. */
type Block = string | { link: string; href: string } | { code: string };

function layout(title: string, blocks: Block[]): string {
  const body = blocks
    .map((b) =>
      typeof b === "string"
        ? `<p style="margin:0 0 16px">${escapeHtml(b)}</p>`
        : "link" in b
          ? `<p style="margin:0 0 16px"><a href="${escapeHtml(b.href)}" style="color:#1d4ed8">${escapeHtml(b.link)}</a></p>`
          : `<pre style="margin:0 0 16px;padding:12px;background:#f3f4f6;white-space:pre-wrap">${escapeHtml(b.code)}</pre>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#111827;line-height:1.5;max-width:560px;margin:0 auto;padding:24px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(title)}</h1>
${body}
<p style="margin:24px 0 0;color:#4b5563;font-size:13px">Steller — gift cards for businesses</p>
</body></html>`;
}

function textOf(blocks: Block[]): string {
  return blocks.map((b) => (typeof b === "string" ? b : "link" in b ? `${b.link}: ${b.href}` : b.code)).join("\n\n") + "\n\n— Steller\n";
}

function build(subject: string, title: string, blocks: Block[]): RenderedEmail {
  return { subject, text: textOf(blocks), html: layout(title, blocks) };
}

export function renderWelcome(p: Extract<EmailTemplate, { template: "welcome" }>["params"]): RenderedEmail {
  return build(`Welcome to Steller, ${p.name}: verify your email`, `Welcome to Steller, ${p.name}`, [
    `Your sandbox for ${p.companyName} is ready: it holds fake funds and a test API key, so you can order test gift cards right away.`,
    "Please confirm this is your email address. Verification is required before going live (not for the sandbox).",
    { link: "Verify your email", href: p.verifyUrl },
    "The link is valid for 7 days.",
    { link: "Open the sandbox console", href: p.consoleUrl },
  ]);
}

export function renderWebhookEndpointDisabled(
  p: Extract<EmailTemplate, { template: "webhook_endpoint_disabled" }>["params"],
): RenderedEmail {
  return build(`Steller: your webhook endpoint ${p.url} was disabled`, "Your webhook endpoint was disabled", [
    `We disabled your ${p.environment} webhook endpoint ${p.url} (${p.endpointId}) because ${p.reason}.`,
    "Events are no longer sent to it. Fix the endpoint so it answers 2xx, then re-enable it with",
    { code: `PATCH /api/v1/webhook-endpoints/${p.endpointId} {"enabled": true}` },
    "Failed deliveries can be replayed with POST /api/v1/webhook-deliveries/{id}/replay.",
  ]);
}

export function renderTopupApproved(p: Extract<EmailTemplate, { template: "topup_approved" }>["params"]): RenderedEmail {
  const amount = formatAmount(p.amount); // the decimal string in display form ("300.0000" → "300.00"), never a float
  return build(`Steller: your top-up of ${amount} ${p.currency} was approved`, "Top-up approved", [
    `Your top-up request ${p.requestId} of ${amount} ${p.currency} was approved and the funds are in your live wallet.`,
    { link: "See your wallet", href: p.walletUrl },
  ]);
}

export function renderEmail(t: EmailTemplate): RenderedEmail {
  switch (t.template) {
    case "welcome":
      return renderWelcome(t.params);
    case "webhook_endpoint_disabled":
      return renderWebhookEndpointDisabled(t.params);
    case "topup_approved":
      return renderTopupApproved(t.params);
  }
}
