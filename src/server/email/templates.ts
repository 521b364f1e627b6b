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
  | { template: "topup_approved"; params: { amount: string; currency: string; requestId: string; walletUrl: string } }
  | { template: "activation_nudge"; params: { companyName: string; nextStep: string; nextStepUrl: string; done: string; total: string } }
  | { template: "low_balance"; params: { environment: string; currency: string; balance: string; threshold: string; walletUrl: string } }
  | { template: "go_live_decided"; params: { companyName: string; decision: "approved" | "rejected"; reason: string; dashboardUrl: string } }
  | { template: "team_invite"; params: { inviterName: string; companyName: string; role: string; acceptUrl: string; expiresInDays: string } }
  | {
      template: "sale_receipt";
      params: {
        shopName: string;
        orderId: string;
        brand: string;
        productName: string;
        faceValue: string;
        currency: string;
        environment: string;
        cards: string;
      };
    }
  | { template: "re_engagement"; params: { companyName: string; inactiveDays: string; consoleUrl: string; docsUrl: string } }
  | { template: "admin_alert"; params: { title: string; detail: string; severity: string; operationsUrl: string } };

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
  return `${blocks.map((b) => (typeof b === "string" ? b : "link" in b ? `${b.link}: ${b.href}` : b.code)).join("\n\n")}\n\n— Steller\n`;
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

export function renderWebhookEndpointDisabled(p: Extract<EmailTemplate, { template: "webhook_endpoint_disabled" }>["params"]): RenderedEmail {
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

type Params<T extends TemplateName> = Extract<EmailTemplate, { template: T }>["params"];

/** A partner that signed up but stalled: the next step of its onboarding checklist, with a link to it. */
function renderActivationNudge(p: Params<"activation_nudge">): RenderedEmail {
  return build(`Steller: your next step — ${p.nextStep}`, `Your next step: ${p.nextStep}`, [
    `${p.companyName} has done ${p.done} of the ${p.total} steps to selling gift cards with Steller.`,
    `The next one is "${p.nextStep}". It takes a few minutes in the sandbox, with fake funds.`,
    { link: p.nextStep, href: p.nextStepUrl },
  ]);
}

/** A wallet fell below the partner's threshold (once per crossing). Amounts are decimal strings. */
function renderLowBalance(p: Params<"low_balance">): RenderedEmail {
  const balance = formatAmount(p.balance);
  const threshold = formatAmount(p.threshold);
  return build(`Steller: your ${p.environment} ${p.currency} balance is low (${balance} ${p.currency})`, "Your wallet balance is low", [
    `Your ${p.environment} ${p.currency} wallet holds ${balance} ${p.currency}, below your alert threshold of ${threshold} ${p.currency}.`,
    "Orders that cost more than the balance are refused with insufficient_funds. Top up to keep ordering.",
    { link: "Top up your wallet", href: p.walletUrl },
  ]);
}

/** An admin approved or rejected the partner's go-live request. */
function renderGoLiveDecided(p: Params<"go_live_decided">): RenderedEmail {
  if (p.decision === "approved") {
    return build(`Steller: ${p.companyName} is approved to go live`, "You can go live", [
      `Your request for live access for ${p.companyName} was approved${p.reason ? `: ${p.reason}` : "."}`,
      "You can now create live API keys and fund your live wallet. Live orders buy real gift cards.",
      { link: "Create a live key", href: p.dashboardUrl },
    ]);
  }
  return build(`Steller: your go-live request for ${p.companyName} was not approved`, "Your go-live request was not approved", [
    `We could not approve live access for ${p.companyName} yet. The reason: ${p.reason}`,
    "Your sandbox keeps working. You can correct the details and request live access again from the dashboard.",
    { link: "Open the dashboard", href: p.dashboardUrl },
  ]);
}

/** An invitation to join a partner's team (the invite flow sends it with its own accept link). */
function renderTeamInvite(p: Params<"team_invite">): RenderedEmail {
  return build(`${p.inviterName} invited you to ${p.companyName} on Steller`, `Join ${p.companyName} on Steller`, [
    `${p.inviterName} invited you to join ${p.companyName} on Steller as ${p.role}.`,
    { link: "Accept the invitation", href: p.acceptUrl },
    `The invitation is valid for ${p.expiresInDays} days. If you did not expect it, ignore this email.`,
  ]);
}

/** A partner inactive for a while: what it can pick up again. */
function renderReEngagement(p: Params<"re_engagement">): RenderedEmail {
  return build(`Steller: we have not seen ${p.companyName} for ${p.inactiveDays} days`, "Pick up where you left off", [
    `There has been no API call, order or sign-in for ${p.companyName} in the last ${p.inactiveDays} days.`,
    "Your sandbox is still there, with its test key and fake funds: order a test gift card in the console, or follow the quickstart.",
    { link: "Open the sandbox console", href: p.consoleUrl },
    { link: "Read the quickstart", href: p.docsUrl },
  ]);
}

/** An admin alert (ledger drift, reconciliation, vendor, webhook endpoint): what and where to look. */
function renderAdminAlert(p: Params<"admin_alert">): RenderedEmail {
  return build(`[Steller ${p.severity}] ${p.title}`, p.title, [
    p.detail,
    { link: "Open Operations in the admin dashboard", href: p.operationsUrl },
    "Acknowledge the alert there once someone is on it; it closes by itself when the cause is gone.",
  ]);
}

/** A sub-agent's customer: the receipt of an over-the-counter sale, with the card's code (issue 18). */
function renderSaleReceipt(p: Params<"sale_receipt">): RenderedEmail {
  const value = `${formatAmount(p.faceValue)} ${p.currency}`;
  return build(`Your ${p.brand} gift card from ${p.shopName} (${value})`, `Your ${p.brand} gift card`, [
    `Thank you for your purchase at ${p.shopName}. Here is your ${p.productName} gift card worth ${value} (receipt ${p.orderId}).`,
    ...(p.environment === "sandbox" ? ["This is a sandbox test card: it cannot be spent."] : []),
    { code: p.cards },
    "Keep this email: the code is the card. Anyone who has the code can spend it.",
  ]);
}

export function renderEmail(t: EmailTemplate): RenderedEmail {
  switch (t.template) {
    case "sale_receipt":
      return renderSaleReceipt(t.params);
    case "welcome":
      return renderWelcome(t.params);
    case "webhook_endpoint_disabled":
      return renderWebhookEndpointDisabled(t.params);
    case "topup_approved":
      return renderTopupApproved(t.params);
    case "activation_nudge":
      return renderActivationNudge(t.params);
    case "low_balance":
      return renderLowBalance(t.params);
    case "go_live_decided":
      return renderGoLiveDecided(t.params);
    case "team_invite":
      return renderTeamInvite(t.params);
    case "re_engagement":
      return renderReEngagement(t.params);
    case "admin_alert":
      return renderAdminAlert(t.params);
  }
}
