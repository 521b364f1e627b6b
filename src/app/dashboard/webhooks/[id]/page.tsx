import type { Metadata } from "next";
import { Suspense } from "react";
import { webhooksAccess } from "../access";
import { catalogForPage } from "../catalog";
import { EndpointDetail } from "./endpoint-detail";

export const metadata: Metadata = { title: "Webhook endpoint" };

export default async function WebhookEndpointPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { allowed, notice } = await webhooksAccess(`/dashboard/webhooks/${id}`);
  if (!allowed) {
    return (
      <div>
        <h1 className="text-2xl font-semibold">Webhook endpoint</h1>
        <div className="mt-6">{notice}</div>
      </div>
    );
  }
  return (
    <Suspense>
      <EndpointDetail endpointId={id} catalog={catalogForPage()} />
    </Suspense>
  );
}
