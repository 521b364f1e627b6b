import { Plus } from "lucide-react";
import type { Metadata } from "next";
import { Suspense } from "react";
import { ButtonLink } from "@/components/ui/button";
import { PartnersTable } from "./partners-table";

export const metadata: Metadata = { title: "Partners" };

export default function AdminHome() {
  return (
    <div>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Partners</h1>
          <p className="mt-1 text-sm text-slate-600">Every business on Steller, newest first: search by name, email or id; balances per environment.</p>
        </div>
        <ButtonLink href="/admin/partners/new">
          <Plus aria-hidden className="size-4" /> Create partner
        </ButtonLink>
      </div>
      <div className="mt-6">
        <Suspense>
          <PartnersTable />
        </Suspense>
      </div>
    </div>
  );
}
