import { AppShell } from "@/components/app-shell";
import { requireUser } from "@/server/auth/guards";
import { TRPCReactProvider } from "@/trpc/react";

export const dynamic = "force-dynamic";

/** The signed-in user's own settings, for admins and partner members alike. */
export default async function AccountLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser("/account/password");
  const home = user.isAdmin ? { href: "/admin", label: "Admin dashboard" } : { href: "/dashboard", label: "Partner dashboard" };
  return (
    <AppShell title="Your account" nav={[home, { href: "/account/password", label: "Password" }]} user={user}>
      <TRPCReactProvider>{children}</TRPCReactProvider>
    </AppShell>
  );
}
