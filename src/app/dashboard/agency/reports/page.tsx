import type { Metadata } from "next";
import { Suspense } from "react";
import { agencyNode } from "@/server/agency/hierarchy";
import { requireUser } from "@/server/auth/guards";
import { getDb } from "@/server/db/client";
import { AgencyReportsView } from "./reports-view";

export const metadata: Metadata = { title: "Agency reports" };

export default async function AgencyReportsPage() {
  const user = await requireUser("/dashboard/agency/reports");
  const node = user.membership ? await agencyNode(getDb(), user.membership.partnerId) : null;
  const scope = node?.kind ?? "direct";
  if (scope === "direct") {
    return (
      <div className="max-w-2xl">
        <h1 className="text-2xl font-semibold">Agency reports</h1>
        <p className="mt-2 text-sm text-slate-600">Reports are for agents and their sub-agents. Ask Steller to make your business an agent.</p>
      </div>
    );
  }
  return (
    <div className="max-w-6xl">
      <h1 className="text-2xl font-semibold">{scope === "agent" ? "Agency reports" : "Your sales report"}</h1>
      <p className="mt-1 text-sm text-slate-600">
        {scope === "agent"
          ? "For each of your sub-agents and in total: sales, cost, margin, your commission, fundings and recalls, with opening and closing balances."
          : "Your sales and balance movements, with opening and closing balances."}
      </p>
      <div className="mt-6">
        <Suspense>
          <AgencyReportsView scope={scope} />
        </Suspense>
      </div>
    </div>
  );
}
