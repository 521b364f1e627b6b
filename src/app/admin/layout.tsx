import { headers } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Forbidden } from "@/components/app-shell";
import { localeFromHeader } from "@/components/ui/format";
import { LocaleProvider } from "@/components/ui/locale";
import { requireUser } from "@/server/auth/guards";
import { liveVendorIsMock } from "@/server/supplier/bamboo";
import { TRPCReactProvider } from "@/trpc/react";
import { AlertsBanner } from "./operations/alerts-banner";
import { EnrolSecondFactor } from "./security/enrol";
import { AdminShell } from "./shell";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser("/admin");
  // A platform admin is an admin only past the second factor (src/server/auth/totp.ts): without an
  // authenticator they see only its enrolment (at /admin/security), with one they enter its code.
  if (user.adminFactor === "verify") redirect("/login/verify?next=/admin");
  if (user.adminFactor === "enrol") {
    return (
      <main className="mx-auto max-w-2xl px-4 py-10">
        <Link href="/" className="text-2xl font-semibold tracking-tight text-brand-900">
          Steller
        </Link>
        <h1 className="mt-6 text-2xl font-semibold">Admin security</h1>
        <div className="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <EnrolSecondFactor email={user.email} />
        </div>
      </main>
    );
  }
  if (!user.isAdmin) return <Forbidden message="The admin dashboard is for Steller platform administrators." />;
  const locale = localeFromHeader((await headers()).get("accept-language"));
  return (
    <LocaleProvider locale={locale}>
      <AdminShell user={{ name: user.name, email: user.email }} vendorMode={liveVendorIsMock() ? "mock" : "bamboo"} banner={<AlertsBanner />}>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </AdminShell>
    </LocaleProvider>
  );
}
