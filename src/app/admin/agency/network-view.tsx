"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useId, useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";
import { bpsToPercent, percentToBps } from "./share";

type Env = "sandbox" | "live";

function Amounts({ items, locale }: { items: Array<{ currency: string; balance?: string; amount?: string; orders?: number }>; locale: string }) {
  if (items.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <>
      {items.map((v) => (
        <div key={v.currency} className="whitespace-nowrap tabular-nums">
          {money(v.balance ?? v.amount ?? "0", v.currency, locale)}
          {v.orders !== undefined && <span className="text-xs text-slate-500"> ({v.orders})</span>}
        </div>
      ))}
    </>
  );
}

/** The network tree, the environment in the URL (?env=), and every admin action on a node. */
export function NetworkView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const environment: Env = params.get("env") === "sandbox" ? "sandbox" : "live";
  const tree = useQuery(trpc.admin.agency.tree.queryOptions({ environment }));
  const agents = useQuery(trpc.admin.agency.agents.queryOptions());
  const suspend = useMutation(trpc.admin.partners.suspend.mutationOptions());
  const reactivate = useMutation(trpc.admin.partners.reactivate.mutationOptions());
  const move = useMutation(trpc.admin.agency.move.mutationOptions());
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.admin.agency.tree.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.admin.agency.agents.queryKey() }),
    ]);
  const setEnv = (env: Env) => {
    const next = new URLSearchParams(params);
    next.set("env", env);
    router.replace(`${pathname}?${next.toString()}`);
  };

  const statusAction = (node: { id: string; businessName: string; kind: string; status: string }) =>
    node.status === "active" ? (
      <ReasonDialog
        trigger={
          <Button size="sm" variant="secondary" aria-label={`Suspend ${node.businessName}`}>
            Suspend
          </Button>
        }
        title={`Suspend ${node.businessName}`}
        consequence={
          node.kind === "agent"
            ? `${node.businessName}'s keys and sessions stop working, and none of its sub-agents can sell until it is reactivated. Balances stay as they are.`
            : `${node.businessName}'s sessions stop working and it cannot sell until it is reactivated. Its balance stays as it is.`
        }
        confirmLabel="Suspend"
        danger
        onConfirm={async (reason) => {
          await suspend.mutateAsync({ partnerId: node.id, reason });
          toast.success(`${node.businessName} suspended.`);
          await refresh();
        }}
      />
    ) : (
      <ReasonDialog
        trigger={
          <Button size="sm" variant="secondary" aria-label={`Reactivate ${node.businessName}`}>
            Reactivate
          </Button>
        }
        title={`Reactivate ${node.businessName}`}
        consequence={`${node.businessName} can sign in and sell again${node.kind === "agent" ? ", and so can its sub-agents" : ""}.`}
        confirmLabel="Reactivate"
        onConfirm={async (reason) => {
          await reactivate.mutateAsync({ partnerId: node.id, reason });
          toast.success(`${node.businessName} reactivated.`);
          await refresh();
        }}
      />
    );

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <fieldset className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 shadow-sm">
          <legend className="sr-only">Environment</legend>
          {(["live", "sandbox"] as const).map((env) => (
            <button
              key={env}
              type="button"
              aria-pressed={environment === env}
              onClick={() => setEnv(env)}
              className={
                environment === env ? "rounded bg-slate-900 px-3 py-1 text-sm font-medium text-white" : "rounded px-3 py-1 text-sm font-medium text-slate-700"
              }
            >
              {env === "live" ? "Live" : "Sandbox"}
            </button>
          ))}
        </fieldset>
        <MakeAgent onDone={refresh} />
      </div>

      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
        {tree.error ? (
          <ErrorState message={tree.error.message} onRetry={() => tree.refetch()} />
        ) : !tree.data ? (
          <Skeleton className="m-4 h-40" />
        ) : tree.data.length === 0 ? (
          <EmptyState title="No agents yet">Make a partner an agent: it can then create and fund sub-agents and earns its share of their margin.</EmptyState>
        ) : (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable)
          <section className="overflow-x-auto" aria-label="Agency network table" tabIndex={0}>
            <table className="w-full text-sm">
              <caption className="sr-only">Agents and their sub-agents in {environment}</caption>
              <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Node
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Share
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Wallet
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Commission
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    30-day volume
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Actions
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {tree.data.flatMap((agent) => [
                  <tr key={agent.id} data-testid={`node-${agent.id}`} className="bg-slate-50/60">
                    <th scope="row" className="px-4 py-2 text-left font-semibold">
                      {agent.businessName}{" "}
                      <Badge tone={agent.kind === "agent" ? "brand" : "warning"}>{agent.kind === "agent" ? "agent" : "sub-agent (no agent)"}</Badge>{" "}
                      {agent.status === "suspended" && <Badge tone="danger">suspended</Badge>}
                      <div className="text-xs font-normal text-slate-600">
                        {agent.children.length} sub-agent{agent.children.length === 1 ? "" : "s"}
                      </div>
                    </th>
                    <td className="px-4 py-2 tabular-nums">{agent.revenueShareBps === null ? "—" : `${bpsToPercent(agent.revenueShareBps)} %`}</td>
                    <td className="px-4 py-2 text-right">
                      <Amounts items={agent.balances} locale={locale} />
                    </td>
                    <td className="px-4 py-2 text-right">
                      <Amounts items={agent.commission} locale={locale} />
                    </td>
                    <td className="px-4 py-2 text-right">
                      <Amounts items={agent.volume30d} locale={locale} />
                    </td>
                    <td className="px-4 py-2">
                      <div className="flex flex-wrap gap-2">
                        {agent.kind === "agent" && agent.revenueShareBps !== null && (
                          <ShareDialog agentId={agent.id} name={agent.businessName} current={agent.revenueShareBps} onDone={refresh} />
                        )}
                        {statusAction(agent)}
                      </div>
                    </td>
                  </tr>,
                  ...agent.children.map((sub) => (
                    <tr key={sub.id} data-testid={`node-${sub.id}`}>
                      <th scope="row" className="py-2 pr-4 pl-10 text-left font-medium">
                        <span aria-hidden className="mr-1 text-slate-400">
                          ↳
                        </span>
                        {sub.businessName} <Badge tone="neutral">sub-agent</Badge> {sub.status === "suspended" && <Badge tone="danger">suspended</Badge>}
                        <div className="text-xs font-normal text-slate-600">under {agent.businessName}</div>
                      </th>
                      <td className="px-4 py-2 text-slate-500">—</td>
                      <td className="px-4 py-2 text-right">
                        <Amounts items={sub.balances} locale={locale} />
                      </td>
                      <td className="px-4 py-2 text-right text-slate-500">—</td>
                      <td className="px-4 py-2 text-right">
                        <Amounts items={sub.volume30d} locale={locale} />
                      </td>
                      <td className="px-4 py-2">
                        <div className="flex flex-wrap gap-2">
                          <MoveDialog
                            name={sub.businessName}
                            agents={(agents.data ?? []).filter((a) => a.id !== agent.id)}
                            onMove={async (toAgentId, reason) => {
                              await move.mutateAsync({ subAgentId: sub.id, toAgentId, reason });
                              toast.success(`${sub.businessName} moved.`);
                              await refresh();
                            }}
                          />
                          {statusAction(sub)}
                        </div>
                      </td>
                    </tr>
                  )),
                ])}
              </tbody>
            </table>
          </section>
        )}
      </div>
    </div>
  );
}

/** Search a direct partner and make it an agent with a share. */
function MakeAgent({ onDone }: { onDone: () => Promise<unknown> }) {
  const id = useId();
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const [picked, setPicked] = useState<{ id: string; businessName: string } | null>(null);
  const [share, setShare] = useState("10");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const candidates = useQuery({ ...trpc.admin.agency.candidates.queryOptions({ q: q.trim() || "-" }), enabled: q.trim().length > 1 });
  const convert = useMutation(trpc.admin.agency.convert.mutationOptions());
  const bps = percentToBps(share);
  const shareError = share && bps === null ? "Enter a percentage from 0 to 100, at most 2 decimals, such as 10." : undefined;
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        setError(null);
        if (!o) {
          setPicked(null);
          setQ("");
        }
      }}
    >
      <DialogTrigger asChild>
        <Button>Make a partner an agent</Button>
      </DialogTrigger>
      <DialogContent
        title="Make a partner an agent"
        description={
          picked && bps !== null
            ? `${picked.businessName} becomes an agent: it can create and fund sub-agents, and earns ${bpsToPercent(bps)} % of Steller's margin on their completed orders.`
            : "Find the partner, then set its revenue share: its percentage of Steller's margin on its sub-agents' completed orders."
        }
      >
        <form
          noValidate
          className="space-y-4"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!picked || bps === null) return;
            setError(null);
            try {
              await convert.mutateAsync({ partnerId: picked.id, revenueShareBps: bps, reason: reason.trim() || undefined });
              toast.success(`${picked.businessName} is now an agent.`);
              setOpen(false);
              await onDone();
            } catch (err) {
              setError(err instanceof Error ? err.message : "That did not work.");
            }
          }}
        >
          <Field id={`${id}-q`} label="Search partners" hint="Name, contact email or id; only direct partners are listed.">
            <input
              id={`${id}-q`}
              className={inputClasses()}
              value={q}
              autoComplete="off"
              onChange={(e) => {
                setQ(e.target.value);
                setPicked(null);
              }}
              {...describedBy(`${id}-q`, { hint: "x" })}
            />
          </Field>
          {!picked && candidates.data && (
            <ul className="max-h-48 divide-y divide-slate-100 overflow-y-auto rounded-md border border-slate-200" aria-label="Matching partners">
              {candidates.data.length === 0 ? (
                <li className="px-3 py-2 text-sm text-slate-600">No direct partner matches.</li>
              ) : (
                candidates.data.map((c) => (
                  <li key={c.id} className="flex items-center justify-between gap-2 px-3 py-2 text-sm">
                    <span>
                      <span className="font-medium">{c.businessName}</span> <span className="text-xs text-slate-600">{c.contactEmail}</span>
                    </span>
                    <Button type="button" size="sm" variant="secondary" onClick={() => setPicked(c)}>
                      Choose {c.businessName}
                    </Button>
                  </li>
                ))
              )}
            </ul>
          )}
          {picked && (
            <p className="text-sm">
              Chosen: <span className="font-medium">{picked.businessName}</span>
            </p>
          )}
          <Field id={`${id}-share`} label="Revenue share (%)" error={shareError}>
            <input
              id={`${id}-share`}
              className={inputClasses(!!shareError)}
              inputMode="decimal"
              value={share}
              onChange={(e) => setShare(e.target.value)}
              {...describedBy(`${id}-share`, { error: shareError })}
            />
          </Field>
          <Field id={`${id}-reason`} label="Note for the audit log" hint="Optional, e.g. agency contract signed.">
            <input
              id={`${id}-reason`}
              className={inputClasses()}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              {...describedBy(`${id}-reason`, { hint: "x" })}
            />
          </Field>
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={!picked || bps === null || convert.isPending}>
              Make agent
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function ShareDialog({ agentId, name, current, onDone }: { agentId: string; name: string; current: number; onDone: () => Promise<unknown> }) {
  const id = useId();
  const trpc = useTRPC();
  const save = useMutation(trpc.admin.agency.setRevenueShare.mutationOptions());
  const [open, setOpen] = useState(false);
  const [share, setShare] = useState(bpsToPercent(current));
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const bps = percentToBps(share);
  const shareError = share && bps === null ? "Enter a percentage from 0 to 100, at most 2 decimals." : undefined;
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        setError(null);
        if (o) {
          setShare(bpsToPercent(current));
          setReason("");
        }
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="secondary" aria-label={`Change the revenue share of ${name}`}>
          Change share
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Revenue share of ${name}`}
        description={`Now ${bpsToPercent(current)} %. A new share applies to margins recognised from now on; commission already credited stays.`}
      >
        <form
          noValidate
          className="space-y-4"
          onSubmit={async (e) => {
            e.preventDefault();
            if (bps === null) return;
            if (!reason.trim()) {
              setError("Give a reason: it is kept in the audit log.");
              return;
            }
            try {
              await save.mutateAsync({ agentId, revenueShareBps: bps, reason });
              toast.success(`Share of ${name} saved.`);
              setOpen(false);
              await onDone();
            } catch (err) {
              setError(err instanceof Error ? err.message : "That did not work.");
            }
          }}
        >
          <Field id={`${id}-share`} label="Revenue share (%)" error={shareError}>
            <input
              id={`${id}-share`}
              className={inputClasses(!!shareError)}
              inputMode="decimal"
              value={share}
              onChange={(e) => setShare(e.target.value)}
              {...describedBy(`${id}-share`, { error: shareError })}
            />
          </Field>
          <Field id={`${id}-reason`} label="Reason">
            <input id={`${id}-reason`} className={inputClasses()} value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={bps === null || save.isPending}>
              Save share
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function MoveDialog({
  name,
  agents,
  onMove,
}: {
  name: string;
  agents: Array<{ id: string; businessName: string }>;
  onMove: (toAgentId: string, reason: string) => Promise<unknown>;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const target = agents.find((a) => a.id === to);
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        setError(null);
        if (o) {
          setTo("");
          setReason("");
        }
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="secondary" aria-label={`Move ${name} to another agent`} disabled={agents.length === 0}>
          Move
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Move ${name}`}
        description={
          target
            ? `${name} goes under ${target.businessName} with its wallet, orders and limits; commission on its later orders goes to ${target.businessName}. The move is kept in its history.`
            : "Choose the agent it goes under. Its wallet, orders and limits go with it."
        }
      >
        <form
          noValidate
          className="space-y-4"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!to || !reason.trim()) {
              setError(!to ? "Choose the agent to move it to." : "Give a reason: it is kept with the move.");
              return;
            }
            try {
              await onMove(to, reason);
              setOpen(false);
            } catch (err) {
              setError(err instanceof Error ? err.message : "That did not work.");
            }
          }}
        >
          <Field id={`${id}-to`} label="New agent">
            <select id={`${id}-to`} className={inputClasses()} value={to} onChange={(e) => setTo(e.target.value)}>
              <option value="">Choose an agent…</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.businessName}
                </option>
              ))}
            </select>
          </Field>
          <Field id={`${id}-reason`} label="Reason">
            <input id={`${id}-reason`} className={inputClasses()} value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit">Move sub-agent</Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
