"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { Select } from "@/components/ui/select";
import { sellCardInput } from "@/lib/schemas/sell";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

const newSaleKey = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
const AMOUNT = /^\d{1,12}(\.\d{1,4})?$/;

/** Product, face value, the customer's contact → one card sold from the sub-agent's wallet, after a confirmation stating the price. */
export function SellForm() {
  const trpc = useTRPC();
  const locale = useLocale();
  const router = useRouter();
  const { environment } = useEnvironment();
  const [saleKey] = useState(newSaleKey);
  const form = useZodForm(sellCardInput, { sku: "", faceValue: "", customerEmail: "", customerPhone: "", saleKey });
  const products = useQuery(trpc.subagent.products.queryOptions({ environment }));
  const sell = useMutation(trpc.subagent.sell.mutationOptions());
  const values = form.watch();
  const product = products.data?.find((p) => p.sku === values.sku);
  const quote = useQuery(
    trpc.subagent.quote.queryOptions(
      { environment, sku: values.sku, faceValue: values.faceValue?.trim() ?? "" },
      { enabled: !!values.sku && AMOUNT.test(values.faceValue?.trim() ?? "") },
    ),
  );
  const skuError = form.formState.errors.sku?.message;

  const range = product
    ? product.denomination.type === "fixed"
      ? `Exactly ${money(product.denomination.faceValue, product.faceCurrency, locale)}.`
      : `From ${money(product.denomination.minFaceValue, product.faceCurrency, locale)} to ${money(product.denomination.maxFaceValue, product.faceCurrency, locale)}.`
    : "Choose a product first.";

  const submit = form.handleSubmit(async (input) => {
    try {
      const { orderId } = await sell.mutateAsync({ ...input, environment });
      router.push(`/dashboard/sell/${orderId}`);
    } catch (e) {
      applyServerErrors(form, e);
      throw e;
    }
  });

  const price = quote.data ? money(quote.data.price, quote.data.currency, locale) : null;
  return (
    <form
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-6"
      noValidate
      aria-label="Sell a card"
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <Field id="sell-product" label="Product" error={skuError} hint={products.error ? products.error.message : undefined}>
        <Select
          id="sell-product"
          label="Product"
          value={values.sku}
          onValueChange={(v) => form.setValue("sku", v, { shouldValidate: true })}
          placeholder={products.isLoading ? "Loading products…" : "Choose a product"}
          options={(products.data ?? []).map((p) => ({ value: p.sku, label: `${p.brand} · ${p.name} (${p.faceCurrency}) · ${p.sku}` }))}
          className="w-full"
        />
      </Field>
      <FormInput form={form} name="faceValue" label="Face value" hint={range} inputMode="decimal" placeholder="25.00" autoComplete="off" />
      <div className="grid gap-4 sm:grid-cols-2">
        <FormInput form={form} name="customerEmail" label="Customer email (optional)" hint="The receipt is emailed here." type="email" autoComplete="off" />
        <FormInput form={form} name="customerPhone" label="Customer phone (optional)" hint="Printed on the receipt." type="tel" autoComplete="off" />
      </div>
      <p className="text-sm text-slate-700" aria-live="polite" data-testid="sell-price">
        {price ? (
          <>
            Price from your {environment} wallet: <span className="font-semibold tabular-nums">{price}</span>
          </>
        ) : values.sku && values.faceValue && quote.isFetched ? (
          "This product cannot be sold at this face value."
        ) : (
          "The price shows once the product and face value are chosen."
        )}
      </p>
      <FormError form={form as never} />
      <div className="flex justify-end">
        <ConfirmDialog
          title={`Sell a ${product?.brand ?? "gift"} card worth ${values.faceValue || "?"} ${product?.faceCurrency ?? ""}?`}
          consequence={`${price ?? "The card's price"} is taken from your ${environment} wallet now and given back if the order fails. The card's code shows on the receipt${values.customerEmail ? ` and is emailed to ${values.customerEmail}` : ""}.`}
          confirmLabel="Sell card"
          onConfirm={submit}
          trigger={<Button>Review sale</Button>}
        />
      </div>
    </form>
  );
}
