import { AppShell, Forbidden } from "@/components/app-shell";
import { requireUser } from "@/server/auth/guards";
import { TRPCReactProvider } from "@/trpc/react";

export const dynamic = "force-dynamic";

const nav = [{ href: "/admin", label: "Partners" }];

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser("/admin");
  if (!user.isAdmin) return <Forbidden message="The admin dashboard is for Steller platform administrators." />;
  return (
    <AppShell title="Admin" nav={nav} user={user}>
      <TRPCReactProvider>{children}</TRPCReactProvider>
    </AppShell>
  );
}
