import { AppShell, Forbidden } from "@/components/app-shell";
import { requireUser } from "@/server/auth/guards";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { TRPCReactProvider } from "@/trpc/react";

export const dynamic = "force-dynamic";

const MOCK_NOTICE = "Live orders use the built-in mock vendor: no Bamboo credentials are configured, so no real cards are bought.";

const nav = [
  { href: "/dashboard", label: "Overview" },
  { href: "/dashboard/api-keys", label: "API keys" },
  { href: "/dashboard/console", label: "Sandbox console" },
];

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser("/dashboard");
  if (!user.membership) return <Forbidden message="The partner dashboard is for members of a partner business." />;
  return (
    <AppShell title="Partner dashboard" nav={nav} user={user} notice={liveVendorIsMock() ? MOCK_NOTICE : undefined}>
      <TRPCReactProvider>{children}</TRPCReactProvider>
    </AppShell>
  );
}
