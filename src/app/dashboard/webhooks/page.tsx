import type { Metadata } from "next";
import { webhooksAccess } from "./access";
import { catalogForPage } from "./catalog";
import { EndpointsList } from "./endpoints-list";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const { allowed, notice } = await webhooksAccess("/dashboard/webhooks");
  return (
    <div>
      <h1 className="text-2xl font-semibold">Webhooks</h1>
      <p className="mt-1 text-sm text-slate-600">
        Endpoints of the environment shown at the top receive signed events (Standard Webhooks). Each delivery and attempt is logged on the endpoint&apos;s
        page.
      </p>
      <div className="mt-6">{allowed ? <EndpointsList catalog={catalogForPage()} /> : notice}</div>
    </div>
  );
}
