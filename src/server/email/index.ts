import { desc, eq } from "drizzle-orm";
import { createTransport, type Transporter } from "nodemailer";
import { newId } from "@/lib/ids";
import type { Db, DbOrTx } from "@/server/db/client";
import { emails, partners, users } from "@/server/db/schema";
import { enqueueEvent } from "@/server/outbox";
import { renderEmail, type EmailTemplate, type RenderedEmail } from "./templates";
import { createVerifyToken } from "./verification";

export type Email = typeof emails.$inferSelect;

/**
 * What `email/requested` carries: the recipient, the template and its parameters. The welcome
 * email names its user instead of a link: the verification link is signed when the email is
 * rendered, so no token is ever stored outside the email itself.
 */
export type EmailRequest = { to: string; partnerId?: string | null } & (
  | { template: "welcome"; userId: string; params: { name: string; companyName: string } }
  | { template: "topup_approved"; params: { amount: string; currency: string; requestId: string } }
  | Extract<EmailTemplate, { template: "webhook_endpoint_disabled" }>
  | Extract<EmailTemplate, { template: "team_invite" }>
  | Extract<EmailTemplate, { template: "sale_receipt" }>
  | { template: "activation_nudge"; params: Omit<TemplateParams<"activation_nudge">, "nextStepUrl"> & { nextStepPath: string } }
  | { template: "low_balance"; params: Omit<TemplateParams<"low_balance">, "walletUrl"> }
  | { template: "go_live_decided"; params: Omit<TemplateParams<"go_live_decided">, "dashboardUrl"> }
  | { template: "re_engagement"; params: Omit<TemplateParams<"re_engagement">, "consoleUrl" | "docsUrl"> }
  | { template: "admin_alert"; params: Omit<TemplateParams<"admin_alert">, "operationsUrl"> }
);

type TemplateParams<T extends EmailTemplate["template"]> = Extract<EmailTemplate, { template: T }>["params"];

/**
 * Asks for an email: writes an `email/requested` event to the outbox. Given a transaction, the
 * email is requested with the change that caused it or not at all; the `email-send` function
 * renders and delivers it after the commit, never inside the request. `key` (optional) makes the
 * request idempotent: a second request with the same key is dropped.
 */
export async function requestEmail(db: DbOrTx, input: EmailRequest & { key?: string }): Promise<string> {
  const { key, ...data } = input;
  const [id] = await enqueueEvent(db, { name: "email/requested", data: data as never, ...(key ? { id: `email:${key}` } : {}) });
  return id!;
}

/** What email delivery works with: `services.email`, built at boot (tests build their own). */
export interface EmailRuntime {
  db: Db;
  /** Signs verification links (AUTH_SECRET). */
  secret: string;
  /** Public origin for links (APP_URL, else http://localhost:$PORT). */
  appUrl: string;
  smtpUrl: string | undefined;
  from: string;
}

/** The SMTP transport of the last SMTP_URL used (one connection pool per URL). */
let transport: { url: string; t: Transporter } | undefined;

/** The mailbox's `kind` of each template (as before the templates: `webhook.endpoint_disabled`). */
const KIND: Record<EmailRequest["template"], string> = {
  welcome: "welcome",
  webhook_endpoint_disabled: "webhook.endpoint_disabled",
  topup_approved: "topup.approved",
  activation_nudge: "activation.nudge",
  low_balance: "wallet.low_balance",
  go_live_decided: "go_live.decided",
  team_invite: "team.invite",
  sale_receipt: "agency.sale_receipt",
  re_engagement: "re_engagement",
  admin_alert: "admin.alert",
};

/** Renders a request: the welcome email gets its verification link signed now. */
async function render(rt: EmailRuntime, data: EmailRequest): Promise<RenderedEmail & { kind: string }> {
  if (data.template === "welcome") {
    const [user] = await rt.db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, data.userId));
    if (!user) throw new Error(`welcome email: no user ${data.userId}`);
    const token = createVerifyToken(rt.secret, user.id, user.email);
    const verifyUrl = `${rt.appUrl}/verify-email?token=${encodeURIComponent(token)}`;
    return { kind: KIND.welcome, ...renderEmail({ template: "welcome", params: { ...data.params, verifyUrl, consoleUrl: `${rt.appUrl}/dashboard/console` } }) };
  }
  if (data.template === "topup_approved") {
    return { kind: KIND[data.template], ...renderEmail({ template: data.template, params: { ...data.params, walletUrl: `${rt.appUrl}/dashboard` } }) };
  }
  if (data.template === "activation_nudge") {
    const { nextStepPath, ...params } = data.params;
    return { kind: KIND[data.template], ...renderEmail({ template: data.template, params: { ...params, nextStepUrl: `${rt.appUrl}${nextStepPath}` } }) };
  }
  if (data.template === "low_balance") {
    return { kind: KIND[data.template], ...renderEmail({ template: data.template, params: { ...data.params, walletUrl: `${rt.appUrl}/dashboard` } }) };
  }
  if (data.template === "go_live_decided") {
    const path = data.params.decision === "approved" ? "/dashboard/api-keys" : "/dashboard/go-live";
    return { kind: KIND[data.template], ...renderEmail({ template: data.template, params: { ...data.params, dashboardUrl: `${rt.appUrl}${path}` } }) };
  }
  if (data.template === "re_engagement") {
    return {
      kind: KIND[data.template],
      ...renderEmail({ template: data.template, params: { ...data.params, consoleUrl: `${rt.appUrl}/dashboard/console`, docsUrl: `${rt.appUrl}/docs` } }),
    };
  }
  if (data.template === "admin_alert") {
    return {
      kind: KIND[data.template],
      ...renderEmail({ template: data.template, params: { ...data.params, operationsUrl: `${rt.appUrl}/admin/operations` } }),
    };
  }
  return { kind: KIND[data.template], ...renderEmail(data) };
}

function smtp(url: string): Transporter {
  if (transport?.url !== url) {
    transport?.t.close();
    transport = { url, t: createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never) };
  }
  return transport.t;
}

/**
 * Delivers the email of one `email/requested` event, once: the row keyed by the event id is
 * written first (a retried run finds it and does not render or record again); with SMTP it is
 * then handed to the server and marked delivered, so a retry after a failed hand-off sends it,
 * and one after a success does not. (A crash between the server's acceptance and the mark can
 * resend it; the Message-ID, derived from the key, lets receivers drop the duplicate.)
 */
export async function deliverEmail(rt: EmailRuntime, eventId: string, data: EmailRequest): Promise<{ emailId: string; transport: string; sent: boolean }> {
  let [row] = await rt.db.select().from(emails).where(eq(emails.key, eventId));
  if (!row) {
    const r = await render(rt, data);
    await rt.db
      .insert(emails)
      .values({
        id: newId("eml"),
        key: eventId,
        to: data.to,
        subject: r.subject,
        text: r.text,
        html: r.html,
        kind: r.kind,
        partnerId: data.partnerId ?? null,
        transport: rt.smtpUrl ? "smtp" : "mailbox",
      })
      .onConflictDoNothing({ target: emails.key });
    [row] = await rt.db.select().from(emails).where(eq(emails.key, eventId));
  }
  if (!row) throw new Error(`email ${eventId} was not recorded`);
  if (row.transport !== "smtp" || row.deliveredAt) return { emailId: row.id, transport: row.transport ?? "mailbox", sent: false };
  if (!rt.smtpUrl) throw new Error(`email ${row.id} is for SMTP but SMTP_URL is not set`);
  const host = new URL(rt.appUrl).hostname || "steller";
  await smtp(rt.smtpUrl).sendMail({
    from: rt.from,
    to: row.to,
    subject: row.subject,
    text: row.text,
    ...(row.html ? { html: row.html } : {}),
    messageId: `<${row.id}@${host}>`,
  });
  await rt.db.update(emails).set({ deliveredAt: new Date() }).where(eq(emails.id, row.id));
  return { emailId: row.id, transport: "smtp", sent: true };
}

/** The dev mailbox, newest first. */
export async function listEmails(db: DbOrTx, opts: { limit?: number } = {}): Promise<Email[]> {
  return db
    .select()
    .from(emails)
    .orderBy(desc(emails.id))
    .limit(Math.min(Math.max(opts.limit ?? 50, 1), 200));
}

/**
 * The low-balance email of a live wallet that just fell below its threshold (called with the
 * alert, once per crossing, in its transaction); sandbox wallets only get the webhook.
 */
export async function requestLowBalanceEmail(
  db: DbOrTx,
  input: { partnerId: string; environment: string; currency: string; balance: string; threshold: string; alertKey: string },
): Promise<void> {
  if (input.environment !== "live") return;
  const [partner] = await db.select({ to: partners.contactEmail }).from(partners).where(eq(partners.id, input.partnerId));
  if (!partner?.to) return;
  await requestEmail(db, {
    to: partner.to,
    partnerId: input.partnerId,
    template: "low_balance",
    params: { environment: input.environment, currency: input.currency, balance: input.balance, threshold: input.threshold },
    key: `low_balance:${input.alertKey}`,
  });
}
