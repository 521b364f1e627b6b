import type { Metadata } from "next";
import { Suspense } from "react";
import { PricingView } from "./pricing-view";

export const metadata: Metadata = { title: "Pricing" };

/** Per partner: the products they may sell live and their markup; the catalog preview at their prices. */
export default function PricingPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Pricing and catalog</h1>
      <p className="mt-1 text-sm text-slate-600">
        Choose the products a partner may sell live and their markup over the vendor&apos;s cost (basis points: 500 = 5%). Sandbox shows the whole catalog.
      </p>
      <div className="mt-6">
        <Suspense>
          <PricingView />
        </Suspense>
      </div>
    </div>
  );
}
