"use client";

import { Activity, BadgeDollarSign, BarChart3, Building2, Inbox, Network, Receipt, Rocket, ScrollText, ShieldCheck, Wallet } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { SidebarNav } from "@/components/ui/sidebar-nav";
import { SidebarLayout } from "@/components/ui/sidebar-layout";
import { UserMenu } from "@/components/user-menu";

/** The admin dashboard's pages, one per area of the admin router. */
const NAV = [
  { href: "/admin", label: "Partners", icon: Building2 },
  { href: "/admin/go-live", label: "Go-live requests", icon: Rocket },
  { href: "/admin/pricing", label: "Pricing", icon: BadgeDollarSign },
  { href: "/admin/wallets", label: "Wallets", icon: Wallet },
  { href: "/admin/orders", label: "Orders", icon: Receipt },
  { href: "/admin/agency", label: "Agency network", icon: Network },
  { href: "/admin/metrics", label: "Growth metrics", icon: BarChart3 },
  { href: "/admin/audit", label: "Audit log", icon: ScrollText },
  { href: "/admin/operations", label: "Operations", icon: Activity },
  { href: "/admin/mailbox", label: "Mailbox", icon: Inbox },
  { href: "/admin/security", label: "Security", icon: ShieldCheck },
] as const;

/** The admin dashboard's frame: navigation, vendor mode, the user menu and page-wide notices. */
export function AdminShell({
  user,
  vendorMode,
  banner,
  children,
}: {
  user: { name: string; email: string };
  /** Where live orders go: the built-in mock vendor or Bamboo. */
  vendorMode: "mock" | "bamboo";
  /** Page-wide notices above every page (e.g. open alerts). */
  banner?: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <SidebarLayout
      sidebar={
        <>
          <div className="px-5 py-5">
            <Link href="/" className="text-lg font-semibold tracking-tight text-brand-900">
              Steller
            </Link>
            <p className="mt-3 text-sm font-semibold text-slate-900">Admin</p>
            <p className="text-xs text-slate-600">Steller operations</p>
          </div>
          <SidebarNav items={NAV} label="Admin dashboard" />
        </>
      }
      header={
        <>
          <p className="mr-auto flex items-center gap-2 text-sm text-slate-700" data-testid="vendor-mode">
            Live vendor:
            {vendorMode === "mock" ? <Badge tone="warning">Mock vendor</Badge> : <Badge tone="success">Bamboo</Badge>}
          </p>
          <UserMenu name={user.name} email={user.email} detail="Platform admin" />
        </>
      }
      banner={banner}
    >
      {vendorMode === "mock" && (
        <p role="status" className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800">
          Live orders use the built-in mock vendor: no Bamboo credentials are configured, so no real cards are bought.
        </p>
      )}
      {children}
    </SidebarLayout>
  );
}
