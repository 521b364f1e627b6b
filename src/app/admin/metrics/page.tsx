import type { Metadata } from "next";
import { Suspense } from "react";
import { GrowthMetrics } from "./growth-metrics";

export const metadata: Metadata = { title: "Growth metrics" };

/** Growth metrics: signups, activation, active partners, orders, sales and platform revenue, for a range in the URL. */
export default function MetricsPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Growth metrics</h1>
      <p className="mt-1 text-sm text-slate-600">
        Computed by the database for the range below (whole UTC days), by day or by week (weeks start on Monday). The range stays in the address.
      </p>
      <div className="mt-6">
        <Suspense>
          <GrowthMetrics />
        </Suspense>
      </div>
    </div>
  );
}
