import type { Metadata } from "next";
import { Suspense } from "react";
import { OrdersList } from "./orders-list";

export const metadata: Metadata = { title: "Orders" };

export default function OrdersPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Orders</h1>
      <p className="mt-1 text-sm text-slate-600">
        Every order of the environment shown at the top, from the API and this dashboard. Filters stay in the address: share it or come back to it.
      </p>
      <div className="mt-6">
        <Suspense>
          <OrdersList />
        </Suspense>
      </div>
    </div>
  );
}
