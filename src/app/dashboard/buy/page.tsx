import type { Metadata } from "next";
import { BuyCardsForm } from "./buy-form";

export const metadata: Metadata = { title: "Buy cards" };

export default function BuyCardsPage() {
  return (
    <div className="max-w-2xl">
      <h1 className="text-2xl font-semibold">Buy cards</h1>
      <p className="mt-1 text-sm text-slate-600">
        The same order as <code>POST /api/v1/orders</code>, paid from the wallet of the environment shown at the top. Sending the same reference again never
        orders twice.
      </p>
      <div className="mt-6">
        <BuyCardsForm />
      </div>
    </div>
  );
}
