import type { Metadata } from "next";
import { Suspense } from "react";
import { requireUser } from "@/server/auth/guards";
import { LogsExplorer } from "./logs-explorer";

export const metadata: Metadata = { title: "Request logs" };

/** Request logs: owners and developers (the procedures refuse finance too; this says so instead of failing). */
export default async function LogsPage() {
  const user = await requireUser("/dashboard/logs");
  const role = user.membership?.role;
  return (
    <div>
      <h1 className="text-2xl font-semibold">Request logs</h1>
      <p className="mt-1 text-sm text-slate-600">
        Every API request of the environment shown at the top: status, key, duration and error code. Filters stay in the address: share it or come back to it.
      </p>
      <div className="mt-6">
        {role === "owner" || role === "developer" ? (
          <Suspense>
            <LogsExplorer />
          </Suspense>
        ) : (
          <div role="status" className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-700">
            <p className="font-medium text-slate-900">Request logs are not available for your role ({role ?? "none"}).</p>
            <p className="mt-1">Owners and developers can see them; ask an owner of your team if you need a request looked at.</p>
          </div>
        )}
      </div>
    </div>
  );
}
