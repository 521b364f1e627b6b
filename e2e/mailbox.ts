import { type Browser, expect } from "@playwright/test";
import { adminContext } from "./admin";

interface MailboxEmail {
  id: string;
  to: string;
  subject: string;
  text: string;
  kind: string | null;
}

/**
 * Reads the dev mailbox as the platform admin (a separate browser context, so the caller's
 * session is untouched), through the admin mailbox's own procedure, polling until an email of
 * `kind` to `to` arrives (the email-send function delivers after the commit). Newest first.
 */
export async function waitForEmail(browser: Browser, to: string, kind: string, timeout = 30_000): Promise<MailboxEmail> {
  // The demo platform admin (seeded, past its second factor) can read the dev mailbox.
  const { context } = await adminContext(browser, "/admin/mailbox");
  try {
    const input = encodeURIComponent(JSON.stringify({ json: { limit: 200 } }));
    let found: MailboxEmail | undefined;
    await expect
      .poll(
        async () => {
          const res = await context.request.get(`/api/trpc/onboarding.admin.mailbox?input=${input}`);
          if (!res.ok()) return false;
          const list = ((await res.json()) as { result: { data: { json: MailboxEmail[] } } }).result.data.json;
          found = list.find((m) => m.to.toLowerCase() === to.toLowerCase() && m.kind === kind);
          return Boolean(found);
        },
        { timeout, message: `an email "${kind}" to ${to} in the dev mailbox` },
      )
      .toBe(true);
    return found!;
  } finally {
    await context.close();
  }
}

/** The accept link of the newest team invitation to `to`, as a path (`/invite/<token>`) for page.goto. */
export async function readInviteLink(browser: Browser, to: string): Promise<string> {
  const email = await waitForEmail(browser, to, "team.invite");
  const url = /Accept the invitation: (\S+)/.exec(email.text)?.[1];
  if (!url) throw new Error(`no accept link in the invitation email to ${to}`);
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}
