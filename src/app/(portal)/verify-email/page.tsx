import type { Metadata } from "next";
import Link from "next/link";
import { env } from "@/lib/env";
import { getDb } from "@/server/db/client";
import { verifyEmail } from "@/server/email/verify";

export const metadata: Metadata = { title: "Verify your email" };
export const dynamic = "force-dynamic";

const MESSAGES = {
  verified: { title: "Email verified", body: "Thank you: your email address is verified." },
  already_verified: { title: "Email already verified", body: "This email address was verified before; nothing else to do." },
  expired: { title: "This link has expired", body: "Verification links are valid for 7 days, and this one is older. Contact support for a new one." },
  invalid: { title: "This link is not valid", body: "The link is incomplete or was changed. Open it again from the email, exactly as it was sent." },
} as const;

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const result = typeof token === "string" && token ? await verifyEmail(getDb(), env().AUTH_SECRET, token) : { status: "invalid" as const };
  const m = MESSAGES[result.status];
  const ok = result.status === "verified" || result.status === "already_verified";
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md">
        <Link href="/" className="mb-8 block text-center text-2xl font-semibold tracking-tight text-brand-900">
          Steller
        </Link>
        <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm" role={ok ? "status" : "alert"} data-status={result.status}>
          <h1 className="mb-4 text-xl font-semibold">{m.title}</h1>
          <p className="text-slate-700">{m.body}</p>
          {"email" in result ? <p className="mt-2 text-sm text-slate-700">Address: {result.email}</p> : null}
          <p className="mt-6">
            <Link href="/dashboard" className="font-medium text-brand-700 underline-offset-2 hover:underline">
              Go to the dashboard
            </Link>
          </p>
        </div>
      </div>
    </main>
  );
}
