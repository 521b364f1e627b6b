import type { Metadata } from "next";
import { AdminOrderSupport } from "./order-support";

export const metadata: Metadata = { title: "Order support" };

export default async function AdminOrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <AdminOrderSupport orderId={id} />;
}
