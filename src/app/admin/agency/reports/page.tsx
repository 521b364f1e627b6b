import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { NetworkReport } from "./network-report";

export const metadata: Metadata = { title: "Agency network report" };

export default function AdminAgencyReportsPage() {
  return (
    <div className="max-w-6xl">
      <Link href="/admin/agency" className="text-sm font-medium text-brand-700 hover:text-brand-900">
        ← Agency network
      </Link>
      <h1 className="mt-2 text-2xl font-semibold">Agency network report</h1>
      <p className="mt-1 text-sm text-slate-600">
        Per agent and for the whole network: its sub-agents' fundings, recalls, sales, cost, margin, the agents' commission and the sub-agents' balances, summed
        from the ledger for the dates shown (UTC, both included).
      </p>
      <div className="mt-6">
        <Suspense>
          <NetworkReport />
        </Suspense>
      </div>
    </div>
  );
}
