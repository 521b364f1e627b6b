import type { Metadata } from "next";
import { serverApi } from "@/trpc/server";
import { ChecklistCard } from "./go-live/checklist-card";
import { PartnerOverview } from "./overview";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardHome() {
  const api = await serverApi();
  const { partner, team } = await api.partner.overview();
  return (
    <div>
      <h1 className="text-2xl font-semibold" data-testid="partner-name">
        {partner.businessName}
      </h1>
      <p className="mt-1 text-sm text-slate-600">
        Status <span className="font-medium">{partner.status}</span> · onboarding{" "}
        <span className="font-medium">{partner.onboardingState.replace("_", " ")}</span>
      </p>
      <ChecklistCard />
      <div className="mt-8">
        <PartnerOverview />
      </div>
      <section className="mt-8 max-w-2xl rounded-lg border border-slate-200 bg-white">
        <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold">Team</h2>
        <ul className="divide-y divide-slate-100">
          {team.map((m) => (
            <li key={m.userId} className="flex items-center justify-between px-4 py-3 text-sm">
              <span>
                <span className="font-medium">{m.name}</span> <span className="text-slate-500">{m.email}</span>
              </span>
              <span className="rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700">{m.role}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
