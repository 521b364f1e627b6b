import { cn } from "./cn";
import { CopyButton } from "./copy-button";

/** A code sample on a dark panel, with a copy button named after it. */
export function CodeBlock({ title, code, className, testId }: { title: string; code: string; className?: string; testId?: string }) {
  return (
    <figure className={cn("overflow-hidden rounded-lg border border-slate-800 bg-slate-950", className)}>
      <figcaption className="flex items-center justify-between border-b border-slate-800 px-4 py-2">
        <span className="text-xs font-medium text-slate-300">{title}</span>
        <CopyButton value={code} label={`Copy ${title}`} className="h-7 border-slate-700 bg-slate-900 text-slate-100 hover:bg-slate-800" />
      </figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable) */}
      <pre className="overflow-x-auto p-4 text-[13px] leading-relaxed text-slate-100" data-testid={testId} tabIndex={0}>
        <code>{code}</code>
      </pre>
    </figure>
  );
}
