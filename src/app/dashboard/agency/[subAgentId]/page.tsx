import type { Metadata } from "next";
import { SubAgentDetail } from "./sub-agent-detail";

export const metadata: Metadata = { title: "Sub-agent" };

export default async function SubAgentPage({ params }: { params: Promise<{ subAgentId: string }> }) {
  const { subAgentId } = await params;
  return <SubAgentDetail subAgentId={subAgentId} />;
}
