import type { Metadata } from "next";
import { DocsSidebar } from "@/components/docs/sidebar";
import { SiteFooter } from "@/components/portal/site-footer";
import { SiteHeader } from "@/components/portal/site-header";

export const metadata: Metadata = {
  title: { default: "Docs", template: "%s · Steller docs" },
  description: "Integrate Steller's gift card API: quickstart, keys, orders, webhooks, errors, the sandbox and going live.",
};

/** The integrator docs: the portal's header and footer, a sidebar with search, the page. */
export default function DocsLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col bg-white">
      <SiteHeader />
      <div className="mx-auto flex w-full max-w-7xl flex-1 flex-col gap-8 px-4 sm:px-6 lg:flex-row lg:gap-10">
        <aside className="border-b border-slate-200 py-6 lg:sticky lg:top-0 lg:h-screen lg:w-60 lg:shrink-0 lg:overflow-y-auto lg:border-b-0 lg:border-r lg:pr-6">
          <DocsSidebar />
        </aside>
        <div className="min-w-0 flex-1">{children}</div>
      </div>
      <SiteFooter />
    </div>
  );
}
