"use client";

import {
  BarChart3,
  FlaskConical,
  KeyRound,
  LayoutDashboard,
  Network,
  Receipt,
  Rocket,
  ScrollText,
  Settings,
  ShoppingCart,
  Store,
  Terminal,
  Users,
  Wallet,
  Webhook,
  Zap,
} from "lucide-react";
import Link from "next/link";
import { cn } from "@/components/ui/cn";
import { SidebarNav } from "@/components/ui/sidebar-nav";
import { SidebarLayout } from "@/components/ui/sidebar-layout";
import { Tooltip } from "@/components/ui/tooltip";
import { UserMenu } from "@/components/user-menu";
import { useEnvironment } from "./environment-context";
import { WorkspaceSwitcher } from "./workspace-switcher";

/** The dashboard's pages; only pages that exist are linked. */
const NAV = [
  { href: "/dashboard", label: "Overview", icon: LayoutDashboard },
  { href: "/dashboard/orders", label: "Orders", icon: Receipt },
  { href: "/dashboard/buy", label: "Buy cards", icon: ShoppingCart },
  { href: "/dashboard/wallet", label: "Wallet", icon: Wallet },
  { href: "/dashboard/api-keys", label: "API keys", icon: KeyRound },
  { href: "/dashboard/webhooks", label: "Webhooks", icon: Webhook },
  { href: "/dashboard/logs", label: "Request logs", icon: ScrollText },
  { href: "/dashboard/console", label: "Sandbox console", icon: Terminal },
  { href: "/dashboard/team", label: "Team", icon: Users },
  { href: "/dashboard/settings", label: "Settings", icon: Settings },
  { href: "/dashboard/go-live", label: "Go live", icon: Rocket },
];

/** A partner's place in the agency network (issue 18): what its navigation offers. */
export type PartnerKind = "direct" | "agent" | "sub_agent";

/** Sub-agents sell over the counter through the dashboard only: no API, no bulk buying, no go-live of their own. */
const SUB_AGENT_HIDDEN = new Set([
  "/dashboard/buy",
  "/dashboard/api-keys",
  "/dashboard/webhooks",
  "/dashboard/logs",
  "/dashboard/console",
  "/dashboard/go-live",
]);

function navFor(kind: PartnerKind) {
  if (kind === "sub_agent") {
    const items = NAV.filter((i) => !SUB_AGENT_HIDDEN.has(i.href));
    items.splice(2, 0, { href: "/dashboard/sell", label: "Sell a card", icon: Store });
    items.splice(4, 0, { href: "/dashboard/agency/reports", label: "Reports", icon: BarChart3 });
    return items;
  }
  if (kind === "agent") {
    const items = [...NAV];
    items.splice(
      3,
      0,
      { href: "/dashboard/agency", label: "Agency", icon: Network },
      { href: "/dashboard/agency/reports", label: "Agency reports", icon: BarChart3 },
    );
    return items;
  }
  return NAV;
}

/** Sandbox ↔ live, always visible at the top of every dashboard page. */
function EnvironmentSwitch() {
  const { environment, setEnvironment, pending } = useEnvironment();
  return (
    <fieldset className="flex items-center gap-2" aria-busy={pending}>
      <legend className="sr-only">Environment</legend>
      <div className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 shadow-sm">
        {(["sandbox", "live"] as const).map((env) => (
          <Tooltip
            key={env}
            content={env === "live" ? "Live: real cards, paid from your live wallet." : "Sandbox: test cards and test money, nothing is bought."}
          >
            <button
              type="button"
              aria-pressed={environment === env}
              data-testid={`env-${env}`}
              onClick={() => environment !== env && setEnvironment(env)}
              className={cn(
                "inline-flex items-center gap-1.5 rounded px-3 py-1 text-sm font-medium",
                environment === env ? (env === "live" ? "bg-emerald-700 text-white" : "bg-amber-500 text-slate-950") : "text-slate-700 hover:bg-slate-100",
              )}
            >
              {env === "live" ? <Zap aria-hidden className="size-3.5" /> : <FlaskConical aria-hidden className="size-3.5" />}
              {env === "live" ? "Live" : "Sandbox"}
            </button>
          </Tooltip>
        ))}
      </div>
    </fieldset>
  );
}

/** The partner dashboard's frame: workspace, navigation, environment switch and user menu. */
export function DashboardShell({
  workspace,
  role,
  user,
  notice,
  workspaces = [],
  activeWorkspace = "",
  partnerKind = "direct",
  children,
}: {
  workspace: string;
  /** Every workspace of the user (the switcher shows when there are several). */
  workspaces?: Array<{ partnerId: string; partnerName: string; role: string }>;
  activeWorkspace?: string;
  role: string;
  /** Agents get the Agency pages; sub-agents "Sell a card" and no API pages. */
  partnerKind?: PartnerKind;
  user: { name: string; email: string };
  notice?: string;
  children: React.ReactNode;
}) {
  const { environment } = useEnvironment();
  return (
    <SidebarLayout
      sidebar={
        <>
          <div className="px-5 py-5">
            <Link href="/" className="text-lg font-semibold tracking-tight text-brand-900">
              Steller
            </Link>
            <p className="mt-3 truncate text-sm font-semibold text-slate-900" data-testid="workspace-name">
              {workspace}
            </p>
            <p className="text-xs text-slate-600">Partner workspace</p>
            <WorkspaceSwitcher active={activeWorkspace} workspaces={workspaces} />
          </div>
          <SidebarNav items={navFor(partnerKind)} label="Partner dashboard" />
        </>
      }
      header={
        <>
          <div className="mr-auto">
            <EnvironmentSwitch />
          </div>
          <UserMenu name={user.name} email={user.email} detail={`${workspace} · ${role}`} />
        </>
      }
      banner={
        environment === "sandbox" && (
          <p className="bg-amber-100 px-4 py-1 text-xs font-medium text-amber-950 md:px-8" data-testid="sandbox-banner">
            Sandbox: test data. Orders here use test cards and test money.
          </p>
        )
      }
    >
      {notice && environment === "live" && (
        <p role="status" className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800">
          {notice}
        </p>
      )}
      {children}
    </SidebarLayout>
  );
}
