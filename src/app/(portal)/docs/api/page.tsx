import type { Metadata } from "next";
import { TryItReference } from "@/components/docs/try-it";
import { SiteHeader } from "@/components/portal/site-header";
import { getSessionUser } from "@/server/auth";
import { TRPCReactProvider } from "@/trpc/react";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "API reference",
  description: "Every endpoint of the Steller Partner API, with a Try it console against the sandbox.",
};

async function whoIsAsking(): Promise<"can-create" | "no-role" | "signed-out"> {
  try {
    const user = await getSessionUser();
    if (!user) return "signed-out";
    return user.membership && (user.membership.role === "owner" || user.membership.role === "developer") ? "can-create" : "no-role";
  } catch {
    return "signed-out";
  }
}

/** The interactive reference of /api/v1/openapi.json (Scalar, served from this app). */
export default async function ApiReferencePage() {
  const signedIn = await whoIsAsking();
  return (
    <div className="flex min-h-screen flex-col bg-white">
      <SiteHeader />
      <main id="main" className="flex-1">
        <h1 className="sr-only">Steller API reference</h1>
        <TRPCReactProvider>
          <TryItReference signedIn={signedIn} />
        </TRPCReactProvider>
      </main>
    </div>
  );
}
