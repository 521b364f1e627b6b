import type { Metadata } from "next";
import { MailboxList } from "./mailbox-list";

export const metadata: Metadata = { title: "Mailbox" };

/** The dev mailbox: every email the app has sent or kept (table `emails`), newest first. */
export default function MailboxPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Mailbox</h1>
      <p className="mt-1 text-sm text-slate-600">
        Every email the app sent, newest first. Without SMTP_URL this is where they stay (the dev mailbox); with it, they were also delivered.
      </p>
      <div className="mt-6">
        <MailboxList />
      </div>
    </div>
  );
}
