import { headers } from "next/headers";
import { Forbidden } from "@/components/app-shell";
import { localeFromHeader } from "@/components/ui/format";
import { LocaleProvider } from "@/components/ui/locale";
import { requireUser } from "@/server/auth/guards";
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
  const [environment, locale] = await Promise.all([dashboardEnvironment(), headers().then((h) => localeFromHeader(h.get("accept-language")))]);
  return (
    <LocaleProvider locale={locale}>
      <EnvironmentProvider initial={environment}>
        <DashboardShell
          workspace={user.membership.partnerName}
          role={user.membership.role}
          workspaces={user.memberships}
          activeWorkspace={user.membership.partnerId}
          user={{ name: user.name, email: user.email }}
          notice={liveVendorIsMock() ? MOCK_NOTICE : undefined}
        >
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </DashboardShell>
      </EnvironmentProvider>
    </LocaleProvider>
  );
}
