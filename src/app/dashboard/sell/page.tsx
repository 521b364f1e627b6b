import type { Metadata } from "next";
import { SellForm } from "./sell-form";
import { TodaysSales } from "./todays-sales";

export const metadata: Metadata = { title: "Sell a card" };

export default function SellPage() {
  return (
    <div className="max-w-5xl">
      <h1 className="text-2xl font-semibold">Sell a card</h1>
      <p className="mt-1 text-sm text-slate-600">
        Sell a gift card over the counter: its price is taken from your wallet, and the card is on a receipt you can print (and email to the customer).
      </p>
      <div className="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <SellForm />
        <TodaysSales />
      </div>
    </div>
  );
}
