import type { Metadata } from "next";
import { OperationsConsole } from "./operations-console";

export const metadata: Metadata = { title: "Operations" };

/** Operations: alerts, the status, every job with its runs, reconciliation and ledger consistency. */
export default function OperationsPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Operations</h1>
      <p className="mt-1 text-sm text-slate-600">
        Alerts, the public status, every background job and cron with its recent runs, reconciliation mismatches and ledger drift. The runbook in the docs says
        what to do about each.
      </p>
      <div className="mt-6">
        <OperationsConsole />
      </div>
    </div>
  );
}
