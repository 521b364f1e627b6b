import type { Metadata } from "next";
import Link from "next/link";
import { logoutAction } from "@/server/auth/actions";
import { getSessionUser } from "@/server/auth";
import { getDb } from "@/server/db/client";
import { lookUpInvitation } from "@/server/team/invitations";
import { JoinForm, NewAccountForm } from "./accept-forms";

export const metadata: Metadata = { title: "Team invitation" };
export const dynamic = "force-dynamic";

const REFUSED = {
  invalid: {
    title: "This invitation link is not valid",
    body: "The link is incomplete, was changed, or was replaced by a newer invitation. Open the latest email exactly as it was sent.",
  },
  expired: { title: "This invitation has expired", body: "Invitations are valid for 7 days. Ask an owner of the team to send you a new one." },
  accepted: { title: "This invitation was already used", body: "Each invitation link works once. If it was you, sign in to reach the team." },
  revoked: { title: "This invitation was revoked", body: "An owner of the team withdrew it. Ask them for a new invitation if you should join." },
} as const;

function Frame({ children, status }: { children: React.ReactNode; status: string }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md">
        <Link href="/" className="mb-8 block text-center text-2xl font-semibold tracking-tight text-brand-900">
          Steller
        </Link>
        <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm" data-status={status}>
          {children}
        </div>
      </div>
    </main>
  );
}

const ROLE = { owner: "an owner", developer: "a developer", finance: "finance" } as const;

/** The invitation's link: who invites whom where, and the way to accept that fits the visitor. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [inv, user] = await Promise.all([lookUpInvitation(getDb(), decodeURIComponent(token)), getSessionUser()]);
  if (inv.state !== "pending") {
    const m = REFUSED[inv.state];
    return (
      <Frame status={inv.state}>
        <div role="alert">
          <h1 className="mb-4 text-xl font-semibold">{m.title}</h1>
          <p className="text-slate-700">{m.body}</p>
        </div>
        <p className="mt-6">
          <Link href="/login" className="font-medium text-brand-700 underline-offset-2 hover:underline">
            Go to sign in
          </Link>
        </p>
      </Frame>
    );
  }
  const here = `/invite/${encodeURIComponent(decodeURIComponent(token))}`;
  const sameUser = user && user.email.toLowerCase() === inv.email;
  return (
    <Frame status="pending">
      <h1 className="mb-2 text-xl font-semibold">Join {inv.partnerName} on Steller</h1>
      <p className="mb-6 text-slate-700">
        You are invited as {ROLE[inv.role]} ({inv.email}).
      </p>
      {sameUser ? (
        <JoinForm token={decodeURIComponent(token)} partnerName={inv.partnerName} />
      ) : user ? (
        <div className="space-y-4">
          <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
            You are signed in as {user.email}, but this invitation is for {inv.email}. Sign out, then open the link again.
          </p>
          <form action={logoutAction}>
            <button type="submit" className="font-medium text-brand-700 underline-offset-2 hover:underline">
              Sign out
            </button>
          </form>
        </div>
      ) : inv.accountExists ? (
        <div className="space-y-4">
          <p className="text-sm text-slate-700">You already have a Steller account with this address: sign in and the team is added to it.</p>
          <Link
            href={`/login?next=${encodeURIComponent(here)}`}
            className="block w-full rounded-md bg-brand-600 px-4 py-2 text-center font-medium text-white hover:bg-brand-700"
          >
            Sign in to accept
          </Link>
        </div>
      ) : (
        <NewAccountForm token={decodeURIComponent(token)} email={inv.email} />
      )}
    </Frame>
  );
}
