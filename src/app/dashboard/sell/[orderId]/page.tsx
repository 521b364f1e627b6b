import type { Metadata } from "next";
import { ReceiptView } from "./receipt-view";

export const metadata: Metadata = { title: "Receipt" };

export default async function SaleReceiptPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await params;
  return <ReceiptView orderId={orderId} />;
}
