"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { dateTime } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";
import { type CatalogEvent, EndpointForm } from "./endpoint-form";
import { EndpointStatusBadge, SecretOnce } from "./parts";

/** The environment's endpoints, and a form to add one (its signing secret shown once). */
export function EndpointsList({ catalog }: { catalog: CatalogEvent[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const list = useQuery(trpc.webhooks.list.queryOptions({ environment }));
  const create = useMutation(trpc.webhooks.create.mutationOptions());
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<{ id: string; url: string; secret: string } | null>(null);

  return (
    <div className="max-w-5xl space-y-6">
      {created ? (
        <SecretOnce
          title={`Endpoint created: ${created.url}`}
          secret={created.secret}
          onDone={() => setCreated(null)}
          extra={
            <Link href={`/dashboard/webhooks/${created.id}`} className="text-sm font-medium text-brand-700 underline">
              Open the endpoint to send a test event
            </Link>
          }
        />
      ) : adding ? (
        <section aria-labelledby="new-endpoint-h" className="rounded-lg border border-slate-200 bg-white p-6">
          <h2 id="new-endpoint-h" className="mb-4 text-base font-semibold">
            New {environment} endpoint
          </h2>
          <EndpointForm
            catalog={catalog}
            submitLabel="Create endpoint"
            onCancel={() => setAdding(false)}
            onSubmit={async (values) => {
              const { endpoint, secret } = await create.mutateAsync({ ...values, environment });
              await queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
              setAdding(false);
              setCreated({ id: endpoint.id, url: endpoint.url, secret });
              toast.success("Endpoint created.");
            }}
          />
        </section>
      ) : (
        <Button onClick={() => setAdding(true)}>
          <Plus aria-hidden className="size-4" /> Add endpoint
        </Button>
      )}

      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm">
          <caption className="sr-only">{environment} webhook endpoints</caption>
          <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">
                Endpoint
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Events
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Status
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Created
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {list.data?.map((e) => (
              <tr key={e.id} data-testid={`endpoint-row-${e.id}`}>
                <td className="px-4 py-2">
                  <Link href={`/dashboard/webhooks/${e.id}`} className="font-mono text-xs break-all text-brand-700 underline-offset-2 hover:underline">
                    {e.url}
                  </Link>
                  {e.description && <p className="text-xs text-slate-600">{e.description}</p>}
                </td>
                <td className="px-4 py-2 font-mono text-xs">{e.events.join(", ")}</td>
                <td className="px-4 py-2">
                  <EndpointStatusBadge status={e.status} />
                </td>
                <td className="px-4 py-2 text-xs whitespace-nowrap text-slate-700">{dateTime(e.createdAt, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.isLoading && <Skeleton className="m-4 h-10" />}
        {list.error && <ErrorState message={list.error.message} onRetry={() => list.refetch()} />}
        {list.data?.length === 0 && (
          <EmptyState title={`No ${environment} endpoints yet`}>Add one to receive order and wallet events as they happen.</EmptyState>
        )}
      </div>
    </div>
  );
}
