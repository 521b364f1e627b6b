import { Check } from "lucide-react";
import type { Metadata } from "next";
import { countryOptions } from "@/components/portal/countries";
import { Logo } from "@/components/portal/logo";
import { getSessionUser } from "@/server/auth";
import { SignupForm } from "./signup-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign up" };

const PERKS = [
  "A sandbox API key the moment you sign up",
  "Test funds to order test gift cards right away",
  "A console to order, follow and debug without writing code",
  "Live access when your business is verified",
];

export default async function SignupPage() {
  // A signed-in visitor still gets the page (it is also where a new account's key is shown,
  // and signing in re-renders it), with a link to the dashboard.
  const user = await getSessionUser();
  return (
    <div className="min-h-screen bg-slate-50">
      <div className="mx-auto grid min-h-screen max-w-6xl gap-10 px-4 py-8 sm:px-6 lg:grid-cols-[1fr_28rem] lg:items-center lg:gap-16 lg:py-12">
        <div className="lg:pb-24">
          <Logo />
          <h1 className="mt-8 text-3xl font-bold tracking-tight text-slate-950 sm:text-4xl">Create your Steller account</h1>
          <p className="mt-3 max-w-md text-slate-700">Free to start. Your first test gift card is a minute away.</p>
          <ul className="mt-8 hidden space-y-3 sm:block">
            {PERKS.map((perk) => (
              <li key={perk} className="flex items-start gap-3 text-slate-800">
                <Check aria-hidden className="mt-0.5 size-5 shrink-0 text-brand-600" />
                {perk}
              </li>
            ))}
          </ul>
        </div>
        <main id="main" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
          <SignupForm countries={countryOptions()} signedInAs={user?.email ?? null} />
        </main>
      </div>
    </div>
  );
}
