import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/server/auth";
import { homePathOf } from "@/server/auth/guards";
import { VerifyForm } from "./verify-form";

export const metadata: Metadata = { title: "Two-step verification" };

/** Sign-in, second step for platform admins: the authenticator's code (or a recovery code). */
export default async function VerifyPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/admin");
  const destination = next?.startsWith("/admin") ? next : "/admin";
  if (user.adminFactor === "enrol") redirect("/admin/security");
  // Past the factor, or not a platform admin (who then meets the admin area's refusal): on to the page asked for.
  if (user.adminFactor !== "verify") redirect(user.isAdmin || next?.startsWith("/admin") ? destination : homePathOf(user));
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <Link href="/" className="mb-8 block text-center text-2xl font-semibold tracking-tight text-brand-900">
          Steller
        </Link>
        <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
          <h1 className="text-xl font-semibold">Two-step verification</h1>
          <p className="mt-2 mb-6 text-sm text-slate-700">
            Enter the 6-digit code your authenticator app shows for Steller ({user.email}), or one of your recovery codes.
          </p>
          <VerifyForm next={destination} />
        </div>
      </div>
    </main>
  );
}
