import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/server/auth";
import { homePathOf } from "@/server/auth/guards";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const user = await getSessionUser();
  if (user) redirect(homePathOf(user));
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <Link href="/" className="mb-8 block text-center text-2xl font-semibold tracking-tight text-brand-900">
          Steller
        </Link>
        <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
          <h1 className="mb-6 text-xl font-semibold">Sign in to your account</h1>
          <LoginForm next={next ?? ""} />
        </div>
        <p className="mt-6 text-center text-sm text-slate-700">
          New to Steller?{" "}
          <Link href="/signup" className="font-medium text-brand-700 underline-offset-2 hover:underline">
            Create a free sandbox account
          </Link>
        </p>
      </div>
    </main>
  );
}
