import type { Metadata } from "next";
import { getSessionUser } from "@/server/auth";
import { listAdminFactors, recoveryCodesLeft } from "@/server/auth/totp";
import { getDb } from "@/server/db/client";
import { SecurityPanel } from "./security-panel";

export const metadata: Metadata = { title: "Security · Admin" };
export const dynamic = "force-dynamic";

/** The admins' second factor: this admin's recovery codes, and every admin's authenticator (reset for a lost one). */
export default async function SecurityPage() {
  const user = await getSessionUser();
  // Without the second factor the admin layout shows the enrolment instead of this page.
  if (!user?.isAdmin) return null;
  const db = getDb();
  const [left, admins] = await Promise.all([recoveryCodesLeft(db, user.id), listAdminFactors(db)]);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Security</h1>
        <p className="mt-1 text-sm text-slate-600">Two-step verification of the platform administrators.</p>
      </div>
      <SecurityPanel
        me={user.id}
        recoveryCodesLeft={left}
        admins={admins.map((a) => ({ ...a, enrolledAt: a.enrolledAt ? a.enrolledAt.toISOString() : null }))}
      />
    </div>
  );
}
