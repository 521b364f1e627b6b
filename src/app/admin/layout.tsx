import { headers } from "next/headers";
import { Forbidden } from "@/components/app-shell";
import { localeFromHeader } from "@/components/ui/format";
import { LocaleProvider } from "@/components/ui/locale";
import { requireUser } from "@/server/auth/guards";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { TRPCReactProvider } from "@/trpc/react";
import { AdminShell } from "./shell";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser("/admin");
  if (!user.isAdmin) return <Forbidden message="The admin dashboard is for Steller platform administrators." />;
  const locale = localeFromHeader((await headers()).get("accept-language"));
  return (
    <LocaleProvider locale={locale}>
      <AdminShell user={{ name: user.name, email: user.email }} vendorMode={liveVendorIsMock() ? "mock" : "bamboo"}>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </AdminShell>
    </LocaleProvider>
  );
}
