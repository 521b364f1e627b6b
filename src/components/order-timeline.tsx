"use client";

import { CircleDot, CreditCard, RotateCcw, Send, Server } from "lucide-react";
import { dateTime, money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import type { RouterOutputs } from "@/trpc/react";

/** One event of an order's timeline (src/server/orders/timeline.ts), as the partner and admin order pages receive it. */
type TimelineEvent = RouterOutputs["dashboard"]["orders"]["timeline"][number];

const ICONS: Record<TimelineEvent["kind"], typeof CircleDot> = {
  state: CircleDot,
  payment: CreditCard,
  refund: RotateCcw,
  supplier_call: Server,
  webhook: Send,
};

function detailText(e: TimelineEvent, locale: string): string {
  const d = e.detail;
  if ((e.kind === "payment" || e.kind === "refund") && d.amount && d.currency) return money(String(d.amount), String(d.currency), locale);
  return Object.entries(d)
    .filter(([k, v]) => v !== null && v !== "" && k !== "amount" && k !== "currency" && k !== "totalPrice")
    .map(([k, v]) => `${k.replace(/([A-Z])/g, " $1").toLowerCase()}: ${v}`)
    .join(" · ");
}

/** An order's timeline, oldest first: state changes, payment and refunds, supplier calls, webhook attempts. */
export function OrderTimelineList({ events }: { events: TimelineEvent[] }) {
  const locale = useLocale();
  return (
    <ol className="mt-4 space-y-4 border-l border-slate-200 pl-5" data-testid="order-timeline">
      {events.map((e, i) => {
        const Icon = ICONS[e.kind];
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: events of one order in a fixed order; several can share a time
          <li key={i} className="relative">
            <span className="absolute top-0.5 -left-[29px] rounded-full bg-white p-0.5">
              <Icon aria-hidden className="size-4 text-brand-600" />
            </span>
            <p className="text-sm font-medium text-slate-900">{e.title}</p>
            <p className="text-xs text-slate-600">
              {dateTime(e.at, locale)}
              {detailText(e, locale) ? ` · ${detailText(e, locale)}` : ""}
            </p>
          </li>
        );
      })}
    </ol>
  );
}
