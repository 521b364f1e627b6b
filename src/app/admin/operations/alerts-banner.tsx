import { AlertTriangle } from "lucide-react";
import Link from "next/link";
import { listAlerts } from "@/server/alerts";
import { getDb } from "@/server/db/client";

/**
 * Above every admin page: the open alerts no admin has acknowledged yet (read when the page is
 * rendered), with a link to acknowledge them on the Operations page. Nothing when there are none.
 */
export async function AlertsBanner() {
  const alerts = await listAlerts(getDb(), { state: "unacknowledged", limit: 5 }).catch(() => []);
  if (alerts.length === 0) return null;
  const critical = alerts.some((a) => a.severity === "critical");
  return (
    <div
      role="alert"
      data-testid="alerts-banner"
      className={`flex flex-wrap items-start gap-3 border-b px-8 py-3 text-sm ${critical ? "border-red-200 bg-red-50 text-red-800" : "border-amber-200 bg-amber-50 text-amber-900"}`}
    >
      <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0" />
      <div className="min-w-0 flex-1">
        <p className="font-medium">
          {alerts.length === 1 ? "1 alert needs attention" : `${alerts.length}${alerts.length === 5 ? "+" : ""} alerts need attention`}
        </p>
        <ul className="mt-1 list-disc pl-5">
          {alerts.slice(0, 3).map((a) => (
            <li key={a.id} className="break-words">
              {a.title}
            </li>
          ))}
        </ul>
      </div>
      <Link href="/admin/operations#alerts" className="font-medium underline">
        Review and acknowledge
      </Link>
    </div>
  );
}
