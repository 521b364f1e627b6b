import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { OrderDetail } from "./order-detail";

export const metadata: Metadata = { title: "Order" };

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/dashboard/orders/${id}`);
  // The procedure enforces the same rule; this only spares finance a button they cannot use.
  const canReveal = user.membership?.role === "owner" || user.membership?.role === "developer";
  return <OrderDetail orderId={id} canReveal={canReveal} />;
}
