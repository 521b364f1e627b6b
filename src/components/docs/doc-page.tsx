import { ArrowLeft, ArrowRight } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { DocTitle } from "./prose";
import { DOC_PAGES, docHref } from "./registry";
import { OnThisPage } from "./sidebar";

/** One docs page: title, content, "on this page" and the previous/next pages. */
export function DocPage({ slug, children }: { slug: string; children: ReactNode }) {
  const i = DOC_PAGES.findIndex((p) => p.slug === slug);
  const prev = DOC_PAGES[i - 1];
  const next = DOC_PAGES[i + 1];
  return (
    <div className="flex gap-10 py-8 lg:py-10">
      <main id="main" className="min-w-0 max-w-3xl flex-1" data-doc-page={slug || "quickstart"}>
        <DocTitle slug={slug} />
        <div className="divide-y divide-slate-100">{children}</div>
        <nav aria-label="Previous and next page" className="mt-10 flex justify-between gap-4 border-t border-slate-200 pt-6 text-sm">
          {prev ? (
            <Link
              href={docHref(prev.slug)}
              className="inline-flex items-center gap-1.5 rounded font-medium text-brand-700 hover:text-brand-900 focus-visible:outline-2 focus-visible:outline-brand-600"
            >
              <ArrowLeft className="size-4" aria-hidden /> {prev.title}
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link
              href={docHref(next.slug)}
              className="inline-flex items-center gap-1.5 rounded font-medium text-brand-700 hover:text-brand-900 focus-visible:outline-2 focus-visible:outline-brand-600"
            >
              {next.title} <ArrowRight className="size-4" aria-hidden />
            </Link>
          ) : (
            <Link
              href="/docs/api"
              className="inline-flex items-center gap-1.5 rounded font-medium text-brand-700 hover:text-brand-900 focus-visible:outline-2 focus-visible:outline-brand-600"
            >
              API reference <ArrowRight className="size-4" aria-hidden />
            </Link>
          )}
        </nav>
      </main>
      <aside className="hidden w-52 shrink-0 xl:block">
        <div className="sticky top-8">
          <OnThisPage slug={slug} />
        </div>
      </aside>
    </div>
  );
}
