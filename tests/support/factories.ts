import { newId } from "@/lib/ids";
import { hashPassword } from "@/server/auth/password";
import type { MemberRole } from "@/server/auth/session-user";
import type { DbOrTx } from "@/server/db/client";
import { memberships, partners, users } from "@/server/db/schema";

export async function makePartner(db: DbOrTx, name = "Acme Rewards") {
  const id = newId("ptn");
  await db.insert(partners).values({ id, businessName: name, contactEmail: `ops@${id}.test` });
  return id;
}

export async function makeUser(db: DbOrTx, opts: { admin?: boolean; partnerId?: string; role?: MemberRole; password?: string; email?: string } = {}) {
  const id = newId("usr");
  const email = opts.email ?? `${id}@example.test`;
  await db.insert(users).values({
    id,
    email,
    name: `User ${id.slice(-4)}`,
    passwordHash: await hashPassword(opts.password ?? "correct horse battery"),
    platformRole: opts.admin ? "admin" : null,
  });
  if (opts.partnerId) {
    await db.insert(memberships).values({ id: newId("mem"), userId: id, partnerId: opts.partnerId, role: opts.role ?? "owner" });
  }
  return { id, email };
}
