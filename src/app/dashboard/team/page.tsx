import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { TeamManager } from "./team-manager";

export const metadata: Metadata = { title: "Team" };

export default async function TeamPage() {
  const user = await requireUser("/dashboard/team");
  return (
    <div>
      <h1 className="text-2xl font-semibold">Team</h1>
      <p className="mt-1 text-sm text-slate-600">
        Owners invite people and manage roles. Developers manage API keys, webhooks and logs; finance sees wallets, statements and orders. A partner always
        keeps at least one owner.
      </p>
      <div className="mt-6">
        <TeamManager role={user.membership?.role ?? "developer"} selfId={user.id} />
      </div>
    </div>
  );
}
