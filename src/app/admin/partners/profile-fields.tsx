"use client";

import type { FieldValues, Path, UseFormReturn } from "react-hook-form";
import { FormInput } from "@/components/ui/form";

/** The partner profile's inputs, shared by "Create partner" and "Edit profile". */
export function PartnerProfileFields<T extends FieldValues>({ form }: { form: UseFormReturn<T, unknown, unknown> }) {
  const name = (n: string) => n as Path<T>;
  return (
    <>
      <FormInput form={form} name={name("businessName")} label="Business name" autoComplete="organization" />
      <FormInput form={form} name={name("contactEmail")} label="Contact email" type="email" hint="Where account emails (low balance, go-live) are sent." />
      <FormInput form={form} name={name("country")} label="Country (2 letters)" hint="Like GB or US." maxLength={2} />
      <FormInput form={form} name={name("registrationNumber")} label="Registration number" />
      <FormInput form={form} name={name("phone")} label="Phone" type="tel" />
      <FormInput form={form} name={name("address")} label="Address" />
    </>
  );
}
