import { AppShell, Forbidden } from "@/components/app-shell";
import { requireUser } from "@/server/auth/guards";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { TRPCReactProvider } from "@/trpc/react";

export const dynamic = "force-dynamic";

const MOCK_NOTICE = "Live orders use the built-in mock vendor: no Bamboo credentials are configured, so no real cards are bought.";

const nav = [
  { href: "/admin", label: "Partners" },
  { href: "/admin/go-live", label: "Go-live requests" },
  { href: "/admin/mailbox", label: "Mailbox" },
];

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser("/admin");
  if (!user.isAdmin) return <Forbidden message="The admin dashboard is for Steller platform administrators." />;
  return (
    <AppShell title="Admin" nav={nav} user={user} notice={liveVendorIsMock() ? MOCK_NOTICE : undefined}>
      <TRPCReactProvider>{children}</TRPCReactProvider>
    </AppShell>
  );
}
