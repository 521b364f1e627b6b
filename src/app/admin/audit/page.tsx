import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditView } from "./audit-view";

export const metadata: Metadata = { title: "Audit log" };

/** The audit log: every admin and money action, filterable, exportable; and the admin API tokens that read it. */
export default function AuditLogPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <p className="mt-1 text-sm text-slate-600">
        Who did what, when, from where and why: every admin action and every money movement, written in the same transaction as the change. Filters stay in the
        address; the CSV export and the API (<code className="font-mono text-xs">GET /api/admin/audit-log</code>) use the same filters.
      </p>
      <div className="mt-6">
        <Suspense>
          <AuditView />
        </Suspense>
      </div>
    </div>
  );
}
