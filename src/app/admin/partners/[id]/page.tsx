import type { Metadata } from "next";
import { PartnerDetail } from "./partner-detail";

export const metadata: Metadata = { title: "Partner" };

/** Everything about one partner, and the admin's actions on it. */
export default async function PartnerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PartnerDetail partnerId={decodeURIComponent(id)} />;
}
