import type { Metadata } from "next";
import { Suspense } from "react";
import { WalletsView } from "./wallets-view";

export const metadata: Metadata = { title: "Wallets" };

/** Balances of every partner, credits and adjustments, the top-up queue, a partner's ledger and statement. */
export default function WalletsPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Wallets</h1>
      <p className="mt-1 text-sm text-slate-600">
        Every partner&apos;s balances per environment and currency. Credits, adjustments and top-up decisions need a reason and are written to the audit log.
      </p>
      <div className="mt-6">
        <Suspense>
          <WalletsView />
        </Suspense>
      </div>
    </div>
  );
}
