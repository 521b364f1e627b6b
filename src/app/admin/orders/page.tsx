import type { Metadata } from "next";
import { Suspense } from "react";
import { AdminOrdersSearch } from "./orders-search";

export const metadata: Metadata = { title: "Orders" };

/** Order support: every partner's orders, searchable; each opens its detail with the actions. */
export default function AdminOrdersPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Orders</h1>
      <p className="mt-1 text-sm text-slate-600">
        Every partner's orders in both environments. Search by order id, reference or product, partner, status and creation date; the filters stay in the
        address.
      </p>
      <div className="mt-6">
        <Suspense>
          <AdminOrdersSearch />
        </Suspense>
      </div>
    </div>
  );
}
