"use client";

import { Search } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { cn } from "@/components/ui/cn";
import { DOC_PAGES, docHref } from "./registry";

const GROUPS = ["Get started", "Build", "Reference", "Ship"] as const;

interface Hit {
  href: string;
  page: string;
  title: string;
}

function search(query: string): Hit[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const hits: Array<Hit & { score: number }> = [];
  for (const p of DOC_PAGES) {
    const pageText = `${p.title} ${p.summary}`.toLowerCase();
    if (words.every((w) => pageText.includes(w))) hits.push({ href: docHref(p.slug), page: p.title, title: p.title, score: 2 });
    for (const s of p.sections) {
      const text = `${s.title} ${s.keywords ?? ""} ${p.title}`.toLowerCase();
      if (words.every((w) => text.includes(w)))
        hits.push({ href: docHref(p.slug, s.id), page: p.title, title: s.title, score: s.title.toLowerCase().includes(words[0]!) ? 1 : 0 });
    }
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, 12);
}

/** The docs' navigation: every page by group, and a search over page and section titles. */
export function DocsSidebar() {
  const pathname = usePathname();
  const [query, setQuery] = useState("");
  const hits = useMemo(() => search(query), [query]);
  const inputId = useId();
  const resultsId = useId();

  return (
    <nav aria-label="Docs" className="text-sm">
      <div className="relative">
        <label htmlFor={inputId} className="sr-only">
          Search the docs
        </label>
        <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-500" aria-hidden />
        <input
          id={inputId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search the docs"
          aria-controls={resultsId}
          className="h-9 w-full rounded-md border border-slate-300 bg-white pl-8 pr-2 text-sm text-slate-900 placeholder:text-slate-500 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-brand-600"
        />
      </div>
      <div id={resultsId} aria-live="polite">
        {query.trim() ? (
          <div className="mt-4">
            <p className="px-2 text-xs font-semibold uppercase tracking-wider text-slate-500">
              {hits.length ? `${hits.length} result${hits.length > 1 ? "s" : ""}` : "No results"}
            </p>
            <ul className="mt-2 space-y-1" data-testid="docs-search-results">
              {hits.map((h) => (
                <li key={h.href}>
                  <Link
                    href={h.href}
                    onClick={() => setQuery("")}
                    className="block rounded-md px-2 py-1.5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-600"
                  >
                    <span className="font-medium text-slate-900">{h.title}</span>
                    {h.title !== h.page ? <span className="block text-xs text-slate-500">{h.page}</span> : null}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      <div className={cn("mt-5 space-y-5", query.trim() && "hidden lg:block lg:opacity-60")}>
        {GROUPS.map((g) => (
          <div key={g}>
            <p className="px-2 text-xs font-semibold uppercase tracking-wider text-slate-500">{g}</p>
            <ul className="mt-1.5 space-y-0.5">
              {DOC_PAGES.filter((p) => p.group === g).map((p) => {
                const href = docHref(p.slug);
                const current = pathname === href;
                return (
                  <li key={p.slug}>
                    <Link
                      href={href}
                      aria-current={current ? "page" : undefined}
                      className={cn(
                        "block rounded-md px-2 py-1.5 focus-visible:outline-2 focus-visible:outline-brand-600",
                        current ? "bg-brand-50 font-semibold text-brand-700" : "text-slate-700 hover:bg-slate-100 hover:text-slate-950",
                      )}
                    >
                      {p.title}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
        <div>
          <p className="px-2 text-xs font-semibold uppercase tracking-wider text-slate-500">API</p>
          <ul className="mt-1.5 space-y-0.5">
            <li>
              <a
                href="/docs/api"
                className="block rounded-md px-2 py-1.5 text-slate-700 hover:bg-slate-100 hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-brand-600"
              >
                API reference
              </a>
            </li>
            <li>
              <a
                href="/api/v1/openapi.json"
                className="block rounded-md px-2 py-1.5 text-slate-700 hover:bg-slate-100 hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-brand-600"
              >
                OpenAPI document
              </a>
            </li>
          </ul>
        </div>
      </div>
    </nav>
  );
}

/** "On this page": the current page's sections. */
export function OnThisPage({ slug }: { slug: string }) {
  const page = DOC_PAGES.find((p) => p.slug === slug);
  if (!page) return null;
  return (
    <nav aria-label="On this page" className="text-sm">
      <p className="text-xs font-semibold uppercase tracking-wider text-slate-500">On this page</p>
      <ul className="mt-2 space-y-1.5 border-l border-slate-200">
        {page.sections.map((s) => (
          <li key={s.id}>
            <a
              href={`#${s.id}`}
              className="-ml-px block border-l border-transparent pl-3 text-slate-600 hover:border-slate-400 hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-brand-600"
            >
              {s.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
