"use client";

import { useQuery } from "@tanstack/react-query";
import { inputClasses } from "@/components/ui/field";
import { useTRPC } from "@/trpc/react";

/** A labelled native select of partners (the 100 newest, by name), for the admin pages that work on one partner. */
export function PartnerSelect({
  value,
  onChange,
  id = "partner-select",
  label = "Partner",
}: {
  value: string;
  onChange: (partnerId: string) => void;
  id?: string;
  label?: string;
}) {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.partners.list.queryOptions({ limit: 100 }));
  const partners = [...(list.data?.data ?? [])].sort((a, b) => a.businessName.localeCompare(b.businessName));
  return (
    <div className="text-sm">
      <label htmlFor={id} className="block font-medium text-slate-800">
        {label}
      </label>
      <select id={id} className={`${inputClasses()} mt-1 w-72`} value={value} onChange={(e) => onChange(e.target.value)} disabled={list.isLoading}>
        <option value="">{list.isLoading ? "Loading partners…" : "Choose a partner"}</option>
        {partners.map((p) => (
          <option key={p.id} value={p.id}>
            {p.businessName} ({p.id})
          </option>
        ))}
        {value && !partners.some((p) => p.id === value) && <option value={value}>{value}</option>}
      </select>
    </div>
  );
}
