"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { buyCardsInput } from "@/lib/schemas/dashboard-orders";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

const newReference = () => `dash-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`;

/** Product, face value, quantity and reference → one order; asks before spending. */
export function BuyCardsForm() {
  const trpc = useTRPC();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const form = useZodForm(buyCardsInput, { sku: "", faceValue: "", quantity: "1", referenceId: newReference() });
  const buy = useMutation(trpc.dashboard.orders.buy.mutationOptions());
  const values = form.watch();

  const submit = form.handleSubmit(async (input) => {
    try {
      const { order, created } = await buy.mutateAsync({ ...input, environment });
      toast.success(created ? `Order ${order.id} placed.` : `This reference was already used: order ${order.id} shown, nothing bought twice.`);
    } catch (e) {
      applyServerErrors(form, e);
      throw e;
    }
  });

  return (
    <form
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-6"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <FormInput form={form} name="sku" label="Product SKU" hint="From the catalog, e.g. BAM-990001." autoComplete="off" />
      <div className="grid grid-cols-2 gap-4">
        <FormInput form={form} name="faceValue" label="Face value" inputMode="decimal" placeholder="25.00" />
        <FormInput form={form} name="quantity" label="Quantity" inputMode="numeric" />
      </div>
      <FormInput form={form} name="referenceId" label="Your reference" hint="Your own id for this order; reusing it returns the first order." />
      <FormError form={form as never} />
      <div className="flex items-center justify-between gap-3">
        {buy.data ? (
          <Link href={`/dashboard/orders/${buy.data.order.id}`} className="text-sm font-medium text-brand-700 underline" data-testid="bought-order">
            Open order {buy.data.order.id} ({money(buy.data.order.totalPrice, buy.data.order.currency, locale)})
          </Link>
        ) : (
          <span />
        )}
        <ConfirmDialog
          title={`Buy ${values.quantity || "?"} card(s) in ${environment}?`}
          consequence={`${values.quantity || "?"} × ${values.sku || "?"} at face value ${values.faceValue || "?"}: the price is taken from your ${environment} wallet now and given back if the order fails.`}
          confirmLabel="Buy cards"
          onConfirm={submit}
          trigger={<Button>Review and buy</Button>}
        />
      </div>
    </form>
  );
}
