"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { compareAmounts } from "@/lib/money";
import { createSubAgentInput, limitsInput } from "@/lib/schemas/agency";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";
import { MoneyDialog } from "./money-dialog";

type Amounts = Array<{ currency: string; amount: string; orders: number }>;

function AmountList({ items, locale, empty = "—" }: { items: Amounts; locale: string; empty?: string }) {
  if (items.length === 0) return <span className="text-slate-500">{empty}</span>;
  return (
    <>
      {items.map((v) => (
        <div key={v.currency} className="whitespace-nowrap tabular-nums">
          {money(v.amount, v.currency, locale)} <span className="text-xs text-slate-500">({v.orders})</span>
        </div>
      ))}
    </>
  );
}

/** The agent's dashboard: commission, sub-agents with balances and activity, and the money and limit actions. */
export function AgencyView({ canMoveMoney, isOwner }: { canMoveMoney: boolean; isOwner: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const overview = useQuery(trpc.agency.overview.queryOptions({ environment }));
  const fund = useMutation(trpc.agency.fund.mutationOptions());
  const recall = useMutation(trpc.agency.recall.mutationOptions());
  const payout = useMutation(trpc.agency.payout.mutationOptions());
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.agency.overview.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.wallet.balances.queryKey() }),
    ]);

  if (overview.error) return <ErrorState message={overview.error.message} onRetry={() => overview.refetch()} />;
  if (!overview.data) return <Skeleton className="h-48" />;
  const { commission, subAgents } = overview.data;

  return (
    <div className="space-y-8">
      <section aria-labelledby="commission-h" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="commission-h" className="text-sm font-semibold">
          Commission
        </h2>
        <p className="mt-1 text-xs text-slate-600">
          Your share of Steller's margin on your sub-agents' completed orders (rounded to 4 decimals, half-even); taken back if an order is refunded.
        </p>
        {commission.length === 0 ? (
          <p className="mt-3 text-sm text-slate-600">No commission yet in {environment}.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-100">
            {commission.map((c) => (
              <li key={c.currency} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm" data-testid={`commission-${c.currency}`}>
                <span>
                  <span className="text-lg font-semibold tabular-nums">{money(c.balance, c.currency, locale)}</span>{" "}
                  <span className="text-xs text-slate-600">
                    earned {money(c.earned, c.currency, locale)} · reversed {money(c.reversed, c.currency, locale)} · moved to wallet{" "}
                    {money(c.paidOut, c.currency, locale)}
                  </span>
                </span>
                {canMoveMoney && compareAmounts(c.balance, "0") > 0 && (
                  <MoneyDialog
                    trigger={<Button variant="secondary">Move {c.currency} commission to wallet</Button>}
                    title={`Move ${c.currency} commission to your wallet`}
                    currency={c.currency}
                    defaultAmount={c.balance}
                    effect={(a) => `${money(a, c.currency, locale)} moves from your commission account to your ${environment} ${c.currency} wallet.`}
                    actionLabel={(a) => (a ? `Move ${a} ${c.currency}` : "Move")}
                    onConfirm={async (i) => {
                      await payout.mutateAsync({ environment, currency: c.currency, ...i });
                      toast.success("Commission moved to your wallet.");
                      await refresh();
                    }}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="subagents-h">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="subagents-h" className="text-lg font-semibold">
            Sub-agents
          </h2>
          {isOwner && <CreateSubAgent onCreated={refresh} />}
        </div>
        <div className="mt-3 overflow-hidden rounded-lg border border-slate-200 bg-white">
          {subAgents.length === 0 ? (
            <EmptyState title="No sub-agents yet">Create one: its owner is invited by email, then you fund its wallet so it can sell.</EmptyState>
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable)
            <section className="overflow-x-auto" aria-label="Sub-agents table" tabIndex={0}>
              <table className="w-full text-sm">
                <caption className="sr-only">Sub-agents</caption>
                <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
                  <tr>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Sub-agent
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Balance
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Sold today
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Last 30 days
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Last sale
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Actions
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {subAgents.map((s) => {
                    const currency = s.balances[0]?.currency ?? "USD";
                    const balance = s.balances.find((b) => b.currency === currency)?.balance ?? "0.0000";
                    return (
                      <tr key={s.id} data-testid={`subagent-row-${s.id}`}>
                        <td className="px-4 py-2">
                          <Link href={`/dashboard/agency/${s.id}`} className="font-medium text-brand-700 hover:underline">
                            {s.businessName}
                          </Link>
                          <div className="text-xs text-slate-600">{s.contactEmail}</div>
                          {s.status === "suspended" && <Badge tone="danger">suspended</Badge>}
                        </td>
                        <td className="px-4 py-2 text-right">
                          {s.balances.length === 0 ? (
                            <span className="text-slate-500">{money("0", currency, locale)}</span>
                          ) : (
                            s.balances.map((b) => (
                              <div key={b.currency} className="whitespace-nowrap tabular-nums">
                                {money(b.balance, b.currency, locale)} {b.low && <Badge tone="warning">low balance</Badge>}
                              </div>
                            ))
                          )}
                        </td>
                        <td className="px-4 py-2 text-right">
                          <AmountList items={s.today} locale={locale} />
                        </td>
                        <td className="px-4 py-2 text-right">
                          <AmountList items={s.volume30d} locale={locale} />
                        </td>
                        <td className="px-4 py-2 text-xs whitespace-nowrap text-slate-700">
                          {s.lastOrderAt ? dateTime(s.lastOrderAt, locale) : "No sales yet"}
                        </td>
                        <td className="px-4 py-2">
                          <div className="flex flex-wrap gap-2">
                            {canMoveMoney && (
                              <MoneyDialog
                                trigger={
                                  <Button size="sm" aria-label={`Fund ${s.businessName}`}>
                                    Fund
                                  </Button>
                                }
                                title={`Fund ${s.businessName}`}
                                currency={currency}
                                effect={(a) =>
                                  `${money(a, currency, locale)} moves from your ${environment} wallet to ${s.businessName}'s wallet. You can recall what it has not spent.`
                                }
                                actionLabel={(a) => (a ? `Fund ${a} ${currency}` : "Fund")}
                                onConfirm={async (i) => {
                                  await fund.mutateAsync({ environment, subAgentId: s.id, currency, ...i });
                                  toast.success(`${s.businessName} funded.`);
                                  await refresh();
                                }}
                              />
                            )}
                            {canMoveMoney && (
                              <MoneyDialog
                                trigger={
                                  <Button size="sm" variant="secondary" aria-label={`Recall funds from ${s.businessName}`}>
                                    Recall
                                  </Button>
                                }
                                title={`Recall funds from ${s.businessName}`}
                                currency={currency}
                                defaultAmount={balance}
                                effect={(a) =>
                                  `${money(a, currency, locale)} moves from ${s.businessName}'s wallet (holding ${money(balance, currency, locale)}) back to your ${environment} wallet.`
                                }
                                actionLabel={(a) => (a ? `Recall ${a} ${currency}` : "Recall")}
                                onConfirm={async (i) => {
                                  await recall.mutateAsync({ environment, subAgentId: s.id, currency, ...i });
                                  toast.success(`Funds recalled from ${s.businessName}.`);
                                  await refresh();
                                }}
                              />
                            )}
                            {isOwner && <LimitsDialog subAgent={s} currency={currency} onSaved={refresh} />}
                          </div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </section>
          )}
        </div>
      </section>
    </div>
  );
}

function CreateSubAgent({ onCreated }: { onCreated: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.agency.create.mutationOptions());
  const [open, setOpen] = useState(false);
  const form = useZodForm(createSubAgentInput, { businessName: "", contactEmail: "", phone: "", address: "", country: "", ownerEmail: "" });
  const submit = form.handleSubmit(async (input) => {
    try {
      const made = await create.mutateAsync(input);
      toast.success(`Sub-agent created: ${made.invitation.email} is invited to own it.`);
      form.reset();
      setOpen(false);
      await onCreated();
    } catch (e) {
      applyServerErrors(form, e);
    }
  });
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button>Create sub-agent</Button>
      </DialogTrigger>
      <DialogContent
        title="Create a sub-agent"
        description="A shop that sells your catalog over the counter at your prices, from its dashboard only (no API keys). Its owner gets an invitation by email."
      >
        <form noValidate onSubmit={submit} className="space-y-3" aria-label="Create a sub-agent">
          <FormInput form={form} name="businessName" label="Business name" autoComplete="organization" />
          <FormInput form={form} name="contactEmail" label="Contact email" type="email" autoComplete="email" />
          <div className="grid grid-cols-[1fr_6rem] gap-3">
            <FormInput form={form} name="phone" label="Phone" hint="Optional" autoComplete="tel" />
            <FormInput form={form} name="country" label="Country" hint="e.g. GB" maxLength={2} />
          </div>
          <FormInput form={form} name="address" label="Address" hint="Optional" autoComplete="street-address" />
          <FormInput form={form} name="ownerEmail" label="Owner's email" hint="They receive the invitation to sign in." type="email" />
          <FormError form={form as never} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={form.formState.isSubmitting}>
              {form.formState.isSubmitting ? "Creating…" : "Create and invite owner"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function LimitsDialog({
  subAgent,
  currency,
  onSaved,
}: {
  subAgent: {
    id: string;
    businessName: string;
    limits: Array<{ currency: string; dailyCap: string | null; perOrderCap: string | null; lowBalanceThreshold: string | null }>;
  };
  currency: string;
  onSaved: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const save = useMutation(trpc.agency.setLimits.mutationOptions());
  const [open, setOpen] = useState(false);
  const current = subAgent.limits.find((l) => l.currency === currency);
  const initial = {
    subAgentId: subAgent.id,
    currency,
    dailyCap: current?.dailyCap ?? "",
    perOrderCap: current?.perOrderCap ?? "",
    lowBalanceThreshold: current?.lowBalanceThreshold ?? "",
  };
  const form = useZodForm(limitsInput, initial);
  const submit = form.handleSubmit(async (input) => {
    try {
      await save.mutateAsync(input);
      toast.success(`Limits of ${subAgent.businessName} saved.`);
      setOpen(false);
      await onSaved();
    } catch (e) {
      applyServerErrors(form, e);
    }
  });
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) form.reset(initial);
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="secondary" aria-label={`Limits of ${subAgent.businessName}`}>
          Limits
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Limits of ${subAgent.businessName}`}
        description={`What its sales may cost its ${currency} wallet. A sale over a limit is refused and nothing is charged. Leave a field empty for no limit.`}
      >
        <form noValidate onSubmit={submit} className="space-y-3" aria-label={`Limits of ${subAgent.businessName}`}>
          <FormInput form={form} name="perOrderCap" label={`Per-order limit (${currency})`} inputMode="decimal" autoComplete="off" />
          <FormInput form={form} name="dailyCap" label={`Daily sales limit (${currency})`} hint="Per UTC day." inputMode="decimal" autoComplete="off" />
          <FormInput
            form={form}
            name="lowBalanceThreshold"
            label={`Low-balance alert below (${currency})`}
            hint="Shown in this list when its wallet is below it."
            inputMode="decimal"
            autoComplete="off"
          />
          <FormError form={form as never} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={form.formState.isSubmitting}>
              Save limits
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
