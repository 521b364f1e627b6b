import type { Metadata } from "next";
import Link from "next/link";
import { CreatePartnerForm } from "./create-partner-form";

export const metadata: Metadata = { title: "Create a partner" };

/** Manual onboarding: the business and its owner's invitation. */
export default function NewPartnerPage() {
  return (
    <div className="max-w-2xl">
      <Link href="/admin" className="text-sm text-brand-700 underline-offset-2 hover:underline">
        ← Partners
      </Link>
      <h1 className="mt-2 text-2xl font-semibold">Create a partner</h1>
      <p className="mt-1 text-sm text-slate-600">
        For a business onboarded by hand. The partner starts in the sandbox; its owner gets an email invitation to set a password and join (valid 7 days). Next:
        review its go-live request, fund its wallet, choose its products and prices, issue its keys.
      </p>
      <div className="mt-6">
        <CreatePartnerForm />
      </div>
    </div>
  );
}
