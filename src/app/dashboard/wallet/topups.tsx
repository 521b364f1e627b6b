"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { topupForm } from "@/lib/schemas/dashboard-wallet";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

const TONES: Record<string, BadgeTone> = { pending: "warning", approved: "success", rejected: "danger" };

/** The request form (`POST /api/v1/wallet/topup-requests`'s fields) and the history of requests. */
export function Topups({ currencies }: { currencies: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const history = useQuery(trpc.wallet.topups.list.queryOptions({ environment }));
  const create = useMutation(trpc.wallet.topups.create.mutationOptions());
  const form = useZodForm(topupForm, { amount: "", currency: currencies[0] ?? "USD", note: "" });

  const submit = form.handleSubmit(async (input) => {
    try {
      const made = await create.mutateAsync({ ...input, environment });
      toast.success(`Top-up request for ${money(made.amount, made.currency, locale)} sent: nothing moves until Steller approves it.`);
      form.reset({ amount: "", currency: input.currency, note: "" });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.wallet.topups.list.queryKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.wallet.balances.queryKey() }),
      ]);
    } catch (e) {
      applyServerErrors(form, e);
    }
  });

  return (
    <div className="space-y-6">
      <form className="max-w-xl space-y-4 rounded-lg border border-slate-200 bg-white p-5" noValidate onSubmit={submit} aria-label="Request a top-up">
        <p className="text-sm text-slate-700">
          {environment === "sandbox"
            ? "Sandbox money is not real: your sandbox starts with USD 1,000.00 of test funds, and a sandbox request is approved by Steller like a live one. Use the sandbox console to try orders."
            : "Send the bank transfer, then tell us here: Steller credits your live wallet once the money has arrived and the request is approved."}
        </p>
        <div className="grid grid-cols-[1fr_6rem] gap-3">
          <FormInput form={form} name="amount" label="Amount" inputMode="decimal" placeholder="5000.00" autoComplete="off" />
          <FormInput form={form} name="currency" label="Currency" autoComplete="off" maxLength={3} />
        </div>
        <FormInput form={form} name="note" label="Note or bank transfer reference" hint="Optional, e.g. PO 4471, wire sent today." />
        <FormError form={form as never} />
        <Button type="submit" disabled={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? "Sending…" : "Request top-up"}
        </Button>
      </form>

      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
        {history.error ? (
          <ErrorState message={history.error.message} onRetry={() => history.refetch()} />
        ) : !history.data ? (
          <Skeleton className="m-4 h-32" />
        ) : history.data.length === 0 ? (
          <EmptyState title={`No ${environment} top-up requests yet`}>Requests you send appear here with Steller's decision.</EmptyState>
        ) : (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable)
          <section className="overflow-x-auto" aria-label="Top-up requests table" tabIndex={0}>
            <table className="w-full text-sm">
              <caption className="sr-only">Top-up requests</caption>
              <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Requested
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Amount
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    By
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Note
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Decision
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {history.data.map((r) => (
                  <tr key={r.id} data-testid={`topup-row-${r.id}`}>
                    <td className="px-4 py-2 text-xs whitespace-nowrap text-slate-700">{dateTime(r.createdAt, locale)}</td>
                    <td className="px-4 py-2 text-right whitespace-nowrap tabular-nums">{money(r.amount, r.currency, locale)}</td>
                    <td className="px-4 py-2">
                      <Badge tone={TONES[r.status] ?? "neutral"}>{r.status}</Badge>
                    </td>
                    <td className="px-4 py-2 text-xs">{r.requestedBy}</td>
                    <td className="px-4 py-2 text-xs">{r.note ?? ""}</td>
                    <td className="px-4 py-2 text-xs">
                      {r.decidedAt ? `${dateTime(r.decidedAt, locale)}${r.decisionReason ? `: ${r.decisionReason}` : ""}` : "Waiting for Steller"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </div>
    </div>
  );
}
