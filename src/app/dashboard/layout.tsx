import { headers } from "next/headers";
import { Forbidden } from "@/components/app-shell";
import { localeFromHeader } from "@/components/ui/format";
import { LocaleProvider } from "@/components/ui/locale";
import { agencyNode } from "@/server/agency/hierarchy";
import { requireUser } from "@/server/auth/guards";
import { getDb } from "@/server/db/client";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { TRPCReactProvider } from "@/trpc/react";
import { dashboardEnvironment } from "./environment";
import { EnvironmentProvider } from "./environment-context";
import { DashboardShell } from "./shell";

export const dynamic = "force-dynamic";

const MOCK_NOTICE = "Live orders use the built-in mock vendor: no Bamboo credentials are configured, so no real cards are bought.";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser("/dashboard");
  if (!user.membership) return <Forbidden message="The partner dashboard is for members of a partner business." />;
  const [environment, locale, node] = await Promise.all([
    dashboardEnvironment(),
    headers().then((h) => localeFromHeader(h.get("accept-language"))),
    agencyNode(getDb(), user.membership.partnerId),
  ]);
  return (
    <LocaleProvider locale={locale}>
      <EnvironmentProvider initial={environment}>
        <DashboardShell
          workspace={user.membership.partnerName}
          role={user.membership.role}
          workspaces={user.memberships}
          activeWorkspace={user.membership.partnerId}
          partnerKind={node?.kind ?? "direct"}
          user={{ name: user.name, email: user.email }}
          notice={liveVendorIsMock() ? MOCK_NOTICE : undefined}
        >
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </DashboardShell>
      </EnvironmentProvider>
    </LocaleProvider>
  );
}
