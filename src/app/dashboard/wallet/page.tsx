import type { Metadata } from "next";
import { Suspense } from "react";
import { requireUser } from "@/server/auth/guards";
import { WalletView } from "./wallet-view";

export const metadata: Metadata = { title: "Wallet" };

export default async function WalletPage() {
  const user = await requireUser("/dashboard/wallet");
  const role = user.membership?.role ?? "developer";
  return (
    <div>
      <h1 className="text-2xl font-semibold">Wallet</h1>
      <p className="mt-1 text-sm text-slate-600">
        Balances, every movement of money, statements and top-up requests of the environment shown at the top. The same data as <code>/api/v1/wallet</code>.
      </p>
      <div className="mt-6">
        <Suspense>
          <WalletView canSeeMoney={role === "owner" || role === "finance"} />
        </Suspense>
      </div>
    </div>
  );
}
