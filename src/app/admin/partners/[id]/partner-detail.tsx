"use client";

import { useQuery } from "@tanstack/react-query";
import { Check, Circle } from "lucide-react";
import Link from "next/link";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { RelativeTime } from "@/components/ui/relative-time";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";
import { OnboardingBadge, PartnerStatusBadge } from "../badges";
import { PartnerActions } from "./partner-actions";
import { PartnerKeys } from "./partner-keys";

function Section({ title, action, children, className }: { title: string; action?: React.ReactNode; children: React.ReactNode; className?: string }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section aria-labelledby={id} className={`min-w-0 rounded-lg border border-slate-200 bg-white p-5 ${className ?? ""}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={id} className="text-base font-semibold">
          {title}
        </h2>
        {action}
      </div>
      <div className="mt-3">{children}</div>
    </section>
  );
}

const linkClass = "text-sm font-medium text-brand-700 underline-offset-2 hover:underline";

/** One partner: profile, onboarding, team, wallets, recent orders, API keys, go-live, audit. */
export function PartnerDetail({ partnerId }: { partnerId: string }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const q = useQuery(trpc.admin.partners.get.queryOptions({ partnerId }));
  if (q.isPending) return <Skeleton className="h-64 w-full" />;
  if (q.error)
    return (
      <div>
        <Link href="/admin" className={linkClass}>
          ← Partners
        </Link>
        <ErrorState message={q.error.message} onRetry={() => q.refetch()} className="mt-4" />
      </div>
    );
  const { partner: p, team, invitations, onboarding, wallets, recentOrders, keys, goLive, audit } = q.data;
  const enc = encodeURIComponent(p.id);
  return (
    <div className="space-y-6">
      <div>
        <Link href="/admin" className={linkClass}>
          ← Partners
        </Link>
        <div className="mt-2 flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <h1 className="text-2xl font-semibold [overflow-wrap:anywhere]">{p.businessName}</h1>
            <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
              <span className="font-mono text-xs">{p.id}</span>
              <PartnerStatusBadge status={p.status} />
              <OnboardingBadge state={p.onboardingState} />
              <span>joined {dateTime(p.createdAt, locale)}</span>
            </p>
          </div>
          <PartnerActions partner={p} />
        </div>
        {p.status === "suspended" && (
          <p role="status" className="mt-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
            Suspended: its API keys answer 403 account_suspended and its team cannot use the dashboard. The reason is in the audit below.
          </p>
        )}
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <Section
          title="Profile"
          action={
            <Link href={`/admin/pricing?partner=${enc}`} className={linkClass}>
              Pricing and products
            </Link>
          }
        >
          <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm">
            {(
              [
                ["Contact email", p.contactEmail],
                ["Registration", p.registrationNumber],
                ["Country", p.country],
                ["Phone", p.phone],
                ["Address", p.address],
                ["Signed up via", p.signupSource],
              ] as const
            ).map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-slate-600">{k}</dt>
                <dd className="text-slate-900 [overflow-wrap:anywhere]">{v || "—"}</dd>
              </div>
            ))}
          </dl>
        </Section>

        <Section
          title="Onboarding"
          action={
            <span className="text-sm text-slate-600">
              {onboarding.done} of {onboarding.total} steps
            </span>
          }
        >
          <ol className="space-y-1 text-sm">
            {onboarding.steps.map((s) => (
              <li key={s.milestone} className="flex items-center gap-2">
                {s.doneAt ? <Check aria-hidden className="size-4 text-emerald-600" /> : <Circle aria-hidden className="size-4 text-slate-300" />}
                <span className={s.doneAt ? "text-slate-900" : "text-slate-600"}>{s.label}</span>
                <span className="sr-only">{s.doneAt ? "done" : "not yet"}</span>
                {s.doneAt && <span className="ml-auto text-xs text-slate-600">{dateTime(s.doneAt, locale)}</span>}
              </li>
            ))}
          </ol>
        </Section>

        <Section title="Team">
          <ul className="divide-y divide-slate-100 text-sm">
            {team.map((m) => (
              <li key={m.userId} className="flex items-center justify-between gap-2 py-1.5">
                <span className="min-w-0 [overflow-wrap:anywhere]">
                  {m.name} <span className="text-slate-600">· {m.email}</span>
                </span>
                <Badge>{m.role}</Badge>
              </li>
            ))}
            {invitations.map((i) => (
              <li key={i.id} className="flex items-center justify-between gap-2 py-1.5">
                <span className="min-w-0 text-slate-700 [overflow-wrap:anywhere]">{i.email}</span>
                <Badge tone="warning">
                  {i.role} · invitation {i.state}
                </Badge>
              </li>
            ))}
            {team.length + invitations.length === 0 && <li className="py-1.5 text-slate-600">No member yet.</li>}
          </ul>
        </Section>

        <Section
          title="Wallets"
          action={
            <Link href={`/admin/wallets?partner=${enc}`} className={linkClass}>
              Open wallets
            </Link>
          }
        >
          {wallets.length === 0 ? (
            <p className="text-sm text-slate-600">No wallet yet (one opens with the first credit or sandbox grant).</p>
          ) : (
            <ul className="grid gap-2 sm:grid-cols-2">
              {wallets.map((w) => (
                <li
                  key={`${w.environment}-${w.currency}`}
                  className="rounded-md border border-slate-100 p-3"
                  data-testid={`admin-wallet-${w.environment}-${w.currency}`}
                >
                  <span className="text-xs text-slate-600 uppercase">
                    {w.environment} · {w.currency}
                  </span>
                  <span className="block text-lg font-semibold tabular-nums">{money(w.balance, w.currency, locale)}</span>
                </li>
              ))}
            </ul>
          )}
        </Section>

        <Section
          title="Recent orders"
          className="lg:col-span-2"
          action={
            <Link href={`/admin/orders?partner=${enc}`} className={linkClass}>
              All orders
            </Link>
          }
        >
          {recentOrders.length === 0 ? (
            <p className="text-sm text-slate-600">No order yet.</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="w-full text-sm">
                <caption className="sr-only">Recent orders</caption>
                <thead className="text-left text-xs tracking-wider text-slate-600 uppercase">
                  <tr>
                    {["Created", "Order", "Environment", "Product", "Total", "Status"].map((h) => (
                      <th key={h} scope="col" className="py-2 pr-3 font-medium">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {recentOrders.map((o) => (
                    <tr key={o.id}>
                      <td className="py-2 pr-3 text-xs whitespace-nowrap">{dateTime(o.createdAt, locale)}</td>
                      <td className="py-2 pr-3">
                        <Link href={`/admin/orders/${o.id}`} className="font-mono text-xs text-brand-700 underline-offset-2 hover:underline">
                          {o.referenceId}
                        </Link>
                      </td>
                      <td className="py-2 pr-3">{o.environment}</td>
                      <td className="py-2 pr-3 font-mono text-xs">{o.sku}</td>
                      <td className="py-2 pr-3 whitespace-nowrap tabular-nums">{money(o.totalPrice, o.currency, locale)}</td>
                      <td className="py-2 pr-3">
                        <StatusBadge status={o.status} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>

        <Section title="API keys" className="lg:col-span-2">
          <PartnerKeys partnerId={p.id} live={p.onboardingState === "live"} keys={keys} />
        </Section>

        <Section
          title="Go-live"
          action={
            <Link href="/admin/go-live" className={linkClass}>
              Go-live queue
            </Link>
          }
        >
          {goLive.length === 0 ? (
            <p className="text-sm text-slate-600">No go-live request.</p>
          ) : (
            <ul className="space-y-2 text-sm">
              {goLive.map((r) => (
                <li key={r.id} className="rounded-md border border-slate-100 p-3">
                  <div className="flex items-center justify-between gap-2">
                    <span className="font-medium">{r.legalName}</span>
                    <Badge tone={r.status === "approved" ? "success" : r.status === "rejected" ? "danger" : "warning"}>{r.status}</Badge>
                  </div>
                  <p className="mt-1 text-xs text-slate-600">
                    Asked {dateTime(r.createdAt, locale)} · {r.website} · volume {r.expectedMonthlyVolume} USD/month
                  </p>
                  {r.decisionReason && <p className="mt-1 text-xs text-slate-700">Reason: {r.decisionReason}</p>}
                </li>
              ))}
            </ul>
          )}
        </Section>

        <Section
          title="Audit"
          action={
            <Link href={`/admin/audit?partner=${enc}`} className={linkClass}>
              Full audit log
            </Link>
          }
        >
          {audit.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing recorded yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {audit.map((a) => (
                <li key={a.id} className="flex items-start justify-between gap-3 py-1.5">
                  <span>
                    <span className="font-mono text-xs">{a.action}</span>
                    {a.reason && <span className="block text-xs text-slate-600">“{a.reason}”</span>}
                  </span>
                  <span className="text-xs whitespace-nowrap text-slate-600">
                    <RelativeTime value={a.at} /> · {a.actorType}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </div>
  );
}
