import { Link2 } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { docPage, docSection } from "./registry";

/** A page's title block, from the registry. */
export function DocTitle({ slug }: { slug: string }) {
  const page = docPage(slug);
  if (!page) throw new Error(`docs: no page "${slug}" in the registry`);
  return (
    <header className="mb-8 border-b border-slate-200 pb-6">
      <p className="text-sm font-semibold text-brand-700">{page.group}</p>
      <h1 className="mt-1 text-3xl font-bold tracking-tight text-slate-950 sm:text-4xl">{page.title}</h1>
      <p className="mt-3 text-lg text-slate-600">{page.summary}</p>
    </header>
  );
}

/** A section whose heading (and anchor) come from the registry, so search and page agree. */
export function DocSection({ page, id, children }: { page: string; id: string; children: ReactNode }) {
  const s = docSection(page, id);
  return (
    <section id={id} aria-labelledby={`${id}-h`} className="scroll-mt-24 py-6" data-doc-section={id}>
      <h2 id={`${id}-h`} className="group flex items-center gap-2 text-xl font-semibold tracking-tight text-slate-950 sm:text-2xl">
        {s.title}
        <a
          href={`#${id}`}
          className="rounded text-slate-400 opacity-0 group-hover:opacity-100 focus-visible:opacity-100 focus-visible:outline-2 focus-visible:outline-brand-600"
          aria-label={`Link to ${s.title}`}
        >
          <Link2 className="size-4" aria-hidden />
        </a>
      </h2>
      <div className="mt-3 space-y-4 text-[15px] leading-7 text-slate-700">{children}</div>
    </section>
  );
}

export function C({ children }: { children: ReactNode }) {
  return <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[0.85em] text-slate-900">{children}</code>;
}

export function Callout({ tone = "info", title, children }: { tone?: "info" | "warn"; title: string; children: ReactNode }) {
  return (
    <aside
      className={cn(
        "rounded-lg border px-4 py-3 text-sm leading-6",
        tone === "warn" ? "border-amber-300 bg-amber-50 text-amber-950" : "border-brand-100 bg-brand-50 text-slate-800",
      )}
    >
      <p className="font-semibold">{title}</p>
      <div className="mt-1">{children}</div>
    </aside>
  );
}

export function Table({ head, rows, caption }: { head: string[]; rows: ReactNode[][]; caption?: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard
    <section className="overflow-x-auto rounded-lg border border-slate-200" tabIndex={0} aria-label={caption ?? head.join(", ")}>
      <table className="min-w-full divide-y divide-slate-200 text-left text-sm">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead className="bg-slate-50">
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-semibold text-slate-900">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static rows
            <tr key={i} className="align-top">
              {r.map((cell, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: static cells
                <td key={j} className="px-3 py-2 text-slate-700">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
