import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { simpleParser, type ParsedMail } from "mailparser";
import { renderToStaticMarkup } from "react-dom/server";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import VerifyEmailPage from "@/app/(portal)/verify-email/page";
import { POST as signupRoute } from "@/app/api/v1/public/signup/route";
import { submitSignup } from "@/app/(portal)/signup/submit";
import { emails, jobEvents, partners, users } from "@/server/db/schema";
import { requestTopup } from "@/server/ledger";
import { approvePartnerTopup } from "@/server/partners/funding";
import type { Services } from "@/server/boot/services";
import { deliverEmail, type EmailRuntime } from "@/server/email";
import { createVerifyToken } from "@/server/email/verification";
import { verifyEmail } from "@/server/email/verify";
import { startEmbeddedWorker, type EmbeddedWorker } from "@/server/jobs/executor/worker";
import { sendEmailFunction } from "@/server/jobs/functions/email";
import { bindAppDatabase, call } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner } from "../support/factories";
import { waitFor } from "../support/wait";

// Signup → email/requested in the outbox → the email-send function on the embedded worker →
// the dev mailbox or a real SMTP server → the link → /verify-email → users.email_verified_at.

const SECRET = process.env.AUTH_SECRET!;
const APP = "http://app.steller.test";
let t: TestDatabase;
let worker: EmbeddedWorker;
let services: Services;
const EMAIL: Partial<EmailRuntime> = { secret: SECRET, appUrl: APP, smtpUrl: undefined, from: "Steller <no-reply@steller.test>" };
/** Email delivery of the test's services (the worker's and the route handlers'), as EMAIL with `over`. */
const runtime = (over: Partial<EmailRuntime> = {}) => Object.assign(services.email, EMAIL, over);

beforeAll(async () => {
  t = await createTestDatabase();
  services = bindAppDatabase(t, { email: EMAIL });
  worker = await startEmbeddedWorker({
    db: t.db,
    services: () => services,
    functions: [sendEmailFunction],
    pollMs: 25,
    backoff: { baseMs: 50, maxMs: 200 },
    onError: (e) => console.error("[worker]", e),
  });
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});
beforeEach(() => runtime());

const signupBody = (email: string) => ({ companyName: "Mail Co", contactName: "Mae Mail", email, password: "a-long-password", country: "US" });
const mailTo = (to: string) =>
  waitFor(`an email to ${to}`, async () => {
    const rows = await t.db.select().from(emails).where(eq(emails.to, to));
    return rows.length ? rows : null;
  });
const linkIn = (text: string) => {
  const m = /Verify your email: (\S+)/.exec(text);
  if (!m) throw new Error(`no verification link in:\n${text}`);
  return new URL(m[1]!);
};
/** Follows the link the way a browser would: renders the /verify-email page for its query. */
async function follow(url: URL) {
  expect(url.origin + url.pathname).toBe(`${APP}/verify-email`);
  const token = url.searchParams.get("token") ?? undefined;
  return renderToStaticMarkup(await VerifyEmailPage({ searchParams: Promise.resolve({ token }) }));
}
const verifiedAt = async (email: string) => (await t.db.select({ v: users.emailVerifiedAt }).from(users).where(eq(users.email, email)))[0]!.v;

describe("welcome email with verification (dev mailbox)", () => {
  it("API signup enqueues the welcome email with the signup; the function puts it in the mailbox; the link verifies the address", async () => {
    const r = await call(signupRoute, "/api/v1/public/signup", { body: signupBody("mae@mail.test"), ip: "198.51.100.1" });
    expect(r.status).toBe(201);
    // Enqueued in the signup's transaction, not sent in the request.
    const [evt] = await t.db.select().from(jobEvents).where(eq(jobEvents.name, "email/requested"));
    expect(evt?.data).toMatchObject({ template: "welcome", to: "mae@mail.test" });
    const [mail] = await mailTo("mae@mail.test");
    expect(mail).toMatchObject({
      kind: "welcome",
      transport: "mailbox",
      partnerId: r.json.partner.id,
      subject: "Welcome to Steller, Mae Mail: verify your email",
    });
    expect(mail!.html).toContain("/verify-email?token=");
    expect(await verifiedAt("mae@mail.test")).toBeNull();

    const page = await follow(linkIn(mail!.text));
    expect(page).toContain("Email verified");
    expect(page).toContain('data-status="verified"');
    const at = await verifiedAt("mae@mail.test");
    expect(at).toBeInstanceOf(Date);
    // Following it again changes nothing and says so.
    expect(await follow(linkIn(mail!.text))).toContain("Email already verified");
    expect(await verifiedAt("mae@mail.test")).toEqual(at);
  });

  it("the signup page goes through the same path", async () => {
    const f = new FormData();
    for (const [k, v] of Object.entries(signupBody("page@mail.test"))) f.set(k, v);
    const { state } = await submitSignup(t.db, "198.51.100.2", f);
    expect(state.done).toBeTruthy();
    const [mail] = await mailTo("page@mail.test");
    expect(await follow(linkIn(mail!.text))).toContain("Email verified");
    expect(await verifiedAt("page@mail.test")).toBeInstanceOf(Date);
  });

  it("refuses an expired or tampered token and verifies nothing", async () => {
    const r = await call(signupRoute, "/api/v1/public/signup", { body: signupBody("late@mail.test"), ip: "198.51.100.3" });
    const userId = (await t.db.select({ id: users.id }).from(users).where(eq(users.email, "late@mail.test")))[0]!.id;
    expect(r.status).toBe(201);
    const expired = createVerifyToken(SECRET, userId, "late@mail.test", Date.now() - 8 * 24 * 3600_000);
    expect(await follow(new URL(`${APP}/verify-email?token=${encodeURIComponent(expired)}`))).toContain("This link has expired");
    const [mail] = await mailTo("late@mail.test");
    const good = linkIn(mail!.text).searchParams.get("token")!;
    const [u, exp, sig] = good.split(".");
    const tampered = [`${u}.${Number(exp) + 86_400}.${sig}`, `${u}.${exp}.${sig!.slice(0, -2)}${sig!.endsWith("AA") ? "BB" : "AA"}`];
    for (const token of tampered) {
      expect(await follow(new URL(`${APP}/verify-email?token=${encodeURIComponent(token)}`))).toContain("This link is not valid");
    }
    expect(await follow(new URL(`${APP}/verify-email`))).toContain("This link is not valid");
    // A token signed for another user is not good for this one.
    const other = (await t.db.select({ id: users.id }).from(users).where(eq(users.email, "mae@mail.test")))[0]!.id;
    const forOther = createVerifyToken(SECRET, other, "late@mail.test");
    expect((await verifyEmail(t.db, SECRET, forOther)).status).toBe("invalid");
    expect(await verifiedAt("late@mail.test")).toBeNull();
  });

  it("an approved top-up emails the partner's contact once, however often it is approved", async () => {
    const partnerId = await makePartner(t.db);
    const [p] = await t.db.select().from(partners).where(eq(partners.id, partnerId));
    const request = await requestTopup(t.db, { partnerId, environment: "live", currency: "USD", amount: "300.00", requestedBy: "usr_x" });
    await approvePartnerTopup(t.db, { requestId: request.id, actor: "usr_admin" });
    await approvePartnerTopup(t.db, { requestId: request.id, actor: "usr_admin" });
    const [mail] = await mailTo(p!.contactEmail);
    expect(mail).toMatchObject({ kind: "topup.approved", partnerId, subject: "Steller: your top-up of 300.00 USD was approved" });
    expect(mail!.text).toContain(`${APP}/dashboard`);
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.db.select().from(emails).where(eq(emails.to, p!.contactEmail))).toHaveLength(1);
  });

  it("a retried run (same event) records and sends the email once", async () => {
    const data = {
      to: "retry@mail.test",
      partnerId: null,
      template: "topup_approved" as const,
      params: { amount: "10.00", currency: "USD", requestId: "top_x" },
    };
    const rt = services.email;
    const a = await deliverEmail(rt, "evt_retry_1", data);
    const b = await deliverEmail(rt, "evt_retry_1", data);
    expect(b.emailId).toBe(a.emailId);
    expect(
      await t.db
        .select()
        .from(emails)
        .where(and(eq(emails.to, "retry@mail.test"))),
    ).toHaveLength(1);
  });
});

describe("SMTP", () => {
  let server: SMTPServer;
  let smtpUrl: string;
  const received: ParsedMail[] = [];
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, _session, cb) {
        simpleParser(stream)
          .then((m) => {
            received.push(m);
            cb();
          })
          .catch(cb);
      },
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it("with SMTP_URL the welcome email goes through a real SMTP server; its link verifies the address", async () => {
    runtime({ smtpUrl });
    const r = await call(signupRoute, "/api/v1/public/signup", { body: signupBody("smtp@mail.test"), ip: "198.51.100.4" });
    expect(r.status).toBe(201);
    const msg = await waitFor("the welcome message at the SMTP server", async () => received.find((m) => m.subject?.startsWith("Welcome to Steller")) ?? null);
    expect(msg.from?.text).toContain("no-reply@steller.test");
    expect((msg.to as { text: string }).text).toBe("smtp@mail.test");
    expect(msg.html).toContain("/verify-email?token=");
    expect(await follow(linkIn(msg.text!))).toContain("Email verified");
    expect(await verifiedAt("smtp@mail.test")).toBeInstanceOf(Date);
    const [row] = await t.db.select().from(emails).where(eq(emails.to, "smtp@mail.test"));
    expect(row).toMatchObject({ transport: "smtp", deliveredAt: expect.any(Date) });
    expect(msg.messageId).toBe(`<${row!.id}@app.steller.test>`);
  });

  it("a retried run does not send twice; a run whose hand-off failed sends it on retry", async () => {
    runtime({ smtpUrl });
    const rt = services.email;
    const data = {
      to: "once@mail.test",
      partnerId: null,
      template: "topup_approved" as const,
      params: { amount: "25.50", currency: "USD", requestId: "top_once" },
    };
    expect((await deliverEmail(rt, "evt_once", data)).sent).toBe(true);
    expect((await deliverEmail(rt, "evt_once", data)).sent).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((m) => m.subject === "Steller: your top-up of 25.50 USD was approved")).toHaveLength(1);

    // The SMTP server is unreachable: the run fails, the row stays undelivered, the retry sends it.
    runtime({ smtpUrl: "smtp://127.0.0.1:1" });
    const down = services.email;
    const data2 = { ...data, to: "later@mail.test", params: { ...data.params, requestId: "top_later" } };
    await expect(deliverEmail(down, "evt_later", data2)).rejects.toThrow();
    runtime({ smtpUrl });
    const up = services.email;
    expect((await deliverEmail(up, "evt_later", data2)).sent).toBe(true);
    const rows = await t.db.select().from(emails).where(eq(emails.to, "later@mail.test"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.deliveredAt).toBeInstanceOf(Date);
  });
});
