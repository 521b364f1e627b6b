import type { Metadata } from "next";
import { Suspense } from "react";
import { GoLiveDecisions } from "./go-live-decisions";

export const metadata: Metadata = { title: "Go-live requests" };

/** Go-live requests: pending first; approve, or reject with a reason the partner is emailed. */
export default function GoLiveRequestsPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Go-live requests</h1>
      <p className="mt-1 text-sm text-slate-600">
        Approving grants live access (live API keys); the partner is emailed either way, with your reason, and the decision is kept in the audit log.
      </p>
      <div className="mt-6">
        <Suspense>
          <GoLiveDecisions />
        </Suspense>
      </div>
    </div>
  );
}
