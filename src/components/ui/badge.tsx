import { cva, type VariantProps } from "class-variance-authority";
import { cn } from "./cn";

const badge = cva("inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap", {
  variants: {
    tone: {
      neutral: "bg-slate-100 text-slate-700",
      brand: "bg-brand-50 text-brand-700",
      success: "bg-emerald-50 text-emerald-800",
      warning: "bg-amber-50 text-amber-800",
      danger: "bg-red-50 text-red-700",
    },
  },
  defaultVariants: { tone: "neutral" },
});

export type BadgeTone = NonNullable<VariantProps<typeof badge>["tone"]>;

export function Badge({ tone, className, ...props }: React.HTMLAttributes<HTMLSpanElement> & VariantProps<typeof badge>) {
  return <span className={cn(badge({ tone }), className)} {...props} />;
}

const ORDER_TONES: Record<string, BadgeTone> = {
  completed: "success",
  failed: "danger",
  refunded: "warning",
  partially_refunded: "warning",
  processing: "brand",
  pending: "neutral",
};

/** An order's status as a badge, one colour per status everywhere. */
export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={ORDER_TONES[status] ?? "neutral"}>{status.replace(/_/g, " ")}</Badge>;
}
