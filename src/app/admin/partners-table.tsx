"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";

export function PartnersTable() {
  const trpc = useTRPC();
  const { data, isLoading, error } = useQuery(trpc.admin.partners.list.queryOptions());
  if (isLoading) return <p className="text-sm text-slate-500">Loading partners…</p>;
  if (error) return <p className="text-sm text-red-600">Could not load partners: {error.message}</p>;
  if (!data?.data.length) return <p className="text-sm text-slate-500">No partners yet.</p>;
  return (
    <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
      <thead className="bg-slate-50 text-left text-xs uppercase tracking-wider text-slate-500">
        <tr>
          <th className="px-4 py-3">Business</th>
          <th className="px-4 py-3">Contact</th>
          <th className="px-4 py-3">Status</th>
          <th className="px-4 py-3">Onboarding</th>
          <th className="px-4 py-3 text-right">Members</th>
          <th className="px-4 py-3">Joined</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {data.data.map((p) => (
          <tr key={p.id}>
            <td className="px-4 py-3 font-medium">{p.businessName}</td>
            <td className="px-4 py-3 text-slate-600">{p.contactEmail}</td>
            <td className="px-4 py-3">
              <span
                className={`rounded-full px-2 py-0.5 text-xs font-medium ${p.status === "active" ? "bg-emerald-50 text-emerald-700" : "bg-amber-50 text-amber-700"}`}
              >
                {p.status}
              </span>
            </td>
            <td className="px-4 py-3 text-slate-600">{p.onboardingState.replace("_", " ")}</td>
            <td className="px-4 py-3 text-right tabular-nums">{p.members}</td>
            <td className="px-4 py-3 text-slate-600">{p.createdAt.toISOString().slice(0, 10)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
