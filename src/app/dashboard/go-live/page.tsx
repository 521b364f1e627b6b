import type { Metadata } from "next";
import { serverApi } from "@/trpc/server";
import { GoLiveForm } from "./go-live-form";

export const metadata: Metadata = { title: "Go live" };

/** Request live access: the state of the latest request, or the form (owners with a verified email). */
export default async function GoLivePage() {
  const api = await serverApi();
  const [status, me] = await Promise.all([api.onboarding.goLive.status(), api.me.get()]);
  const isOwner = me.membership?.role === "owner";
  const latest = status.latest;
  return (
    <div className="max-w-2xl">
      <h1 className="text-2xl font-semibold">Go live</h1>
      <p className="mt-1 text-sm text-slate-600">
        Live API keys and live orders (real gift cards, paid from your live wallet) need live access. Tell us about your company; an administrator reviews the
        request and we email you the decision.
      </p>
      <div className="mt-6" role="status" data-testid="go-live-status">
        {status.live ? (
          <p className="rounded-md border border-green-200 bg-green-50 p-4 text-sm text-green-900">
            Your account has live access: you can create live API keys.
          </p>
        ) : latest?.status === "pending" ? (
          <p className="rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
            Your request of {latest.createdAt.toISOString().slice(0, 10)} is waiting for review. Until it is approved, live keys cannot be created.
          </p>
        ) : latest?.status === "rejected" ? (
          <p className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
            Your last request was not approved: {latest.decisionReason}. You can correct the details and ask again.
          </p>
        ) : (
          <p className="rounded-md border border-slate-200 bg-slate-50 p-4 text-sm text-slate-800">
            Until your request is approved, live keys cannot be created.
          </p>
        )}
      </div>
      {!status.live && latest?.status !== "pending" && (
        <div className="mt-6">
          {!status.emailVerified ? (
            <p className="rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900" data-testid="go-live-unverified">
              Verify your email address first: follow the link in the welcome email we sent you, then come back here.
            </p>
          ) : !isOwner ? (
            <p className="text-sm text-slate-700">Only an owner of your account can request live access.</p>
          ) : (
            <GoLiveForm />
          )}
        </div>
      )}
    </div>
  );
}
