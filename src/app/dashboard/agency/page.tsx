import type { Metadata } from "next";
import { Forbidden } from "@/components/app-shell";
import { agencyNode } from "@/server/agency/hierarchy";
import { requireUser } from "@/server/auth/guards";
import { getDb } from "@/server/db/client";
import { AgencyView } from "./agency-view";

export const metadata: Metadata = { title: "Agency" };

export default async function AgencyPage() {
  const user = await requireUser("/dashboard/agency");
  const node = user.membership ? await agencyNode(getDb(), user.membership.partnerId) : null;
  if (node?.kind !== "agent") return <Forbidden message="The agency pages are for agents: ask Steller to make your business an agent." />;
  const role = user.membership!.role;
  return (
    <div>
      <h1 className="text-2xl font-semibold">Agency</h1>
      <p className="mt-1 text-sm text-slate-600">
        Your sub-agents, the money you lend them and your commission, in the environment shown at the top. Funding and recalls move money between your wallet
        and theirs: nothing is created or lost.
      </p>
      <div className="mt-6">
        <AgencyView canMoveMoney={role === "owner" || role === "finance"} isOwner={role === "owner"} />
      </div>
    </div>
  );
}
