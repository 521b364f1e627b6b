import { desc } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { DbOrTx } from "@/server/db/client";
import { emails } from "@/server/db/schema";

export type Email = typeof emails.$inferSelect;

/**
 * Sends an email. Today every email is stored in the `emails` table, the dev mailbox admins
 * read; delivery over SMTP is not implemented yet. Given a transaction, the email is recorded
 * with the change that caused it or not at all.
 */
export async function sendEmail(
  db: DbOrTx,
  input: { to: string; subject: string; text: string; kind?: string; partnerId?: string | null },
): Promise<Email> {
  const [row] = await db
    .insert(emails)
    .values({ id: newId("eml"), to: input.to, subject: input.subject, text: input.text, kind: input.kind ?? null, partnerId: input.partnerId ?? null })
    .returning();
  return row!;
}

/** The dev mailbox, newest first. */
export async function listEmails(db: DbOrTx, opts: { limit?: number } = {}): Promise<Email[]> {
  return db.select().from(emails).orderBy(desc(emails.id)).limit(Math.min(Math.max(opts.limit ?? 50, 1), 200));
}
