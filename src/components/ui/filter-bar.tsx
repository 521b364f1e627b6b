"use client";

import { Search } from "lucide-react";
import { Button } from "./button";
import { cn } from "./cn";
import { inputClasses } from "./field";
import { Select } from "./select";
import type { UrlParams } from "./url-state";

/**
 * One filter of a list. Selects apply at once; text and date inputs are applied together when
 * the form is submitted (one history entry, not one per keystroke). `name` is the URL parameter.
 */
export type FilterField =
  | { kind: "select"; name: string; label: string; options: Array<{ value: string; label: string }>; placeholder?: string; className?: string }
  | { kind: "text"; name: string; label: string; placeholder?: string; search?: boolean; className?: string }
  | { kind: "date"; name: string; label: string; className?: string };

/**
 * A list's filter bar over its URL state (`useUrlParams`): every input with a visible label,
 * an Apply button for the typed filters, and — when any filter is set — "Clear filters", which
 * empties these filters only (the page's other parameters, such as a tab, stay). `leading`
 * controls (e.g. a currency that is a view, not a filter) come first; `actions` (e.g. Export
 * CSV) sit at the right end.
 */
export function FilterBar({
  fields,
  params,
  apply,
  label,
  submitLabel = "Apply filters",
  leading,
  actions,
}: {
  fields: readonly FilterField[];
  params: UrlParams;
  apply: (patch: UrlParams) => void;
  /** The form's accessible name, e.g. "Order filters". */
  label: string;
  submitLabel?: string;
  leading?: React.ReactNode;
  actions?: React.ReactNode;
}) {
  const typed = fields.filter((f) => f.kind !== "select");
  const filtered = fields.some((f) => Boolean(params[f.name]));
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
        {leading}
        {fields
          .filter((f) => f.kind === "select")
          .map((f) => (
            <div key={f.name} className="text-sm">
              <span className="block font-medium text-slate-800">{f.label}</span>
              <Select
                id={`${f.name}-filter`}
                label={f.label}
                className={cn("mt-1 w-40", f.className)}
                value={params[f.name] ?? ""}
                onValueChange={(v) => apply({ [f.name]: v })}
                placeholder={f.placeholder ?? "All"}
                options={f.options}
              />
            </div>
          ))}
        {typed.length > 0 && (
          <form
            key={JSON.stringify(params)}
            className="contents"
            aria-label={label}
            onSubmit={(e) => {
              e.preventDefault();
              const data = new FormData(e.currentTarget);
              apply(Object.fromEntries(typed.map((f) => [f.name, String(data.get(f.name) ?? "").trim()])));
            }}
          >
            {typed.map((f) => (
              <div key={f.name} className="text-sm">
                <label htmlFor={`${f.name}-filter`} className="block font-medium text-slate-800">
                  {f.label}
                </label>
                <span className="relative mt-1 block">
                  {f.kind === "text" && f.search && <Search aria-hidden className="absolute top-2.5 left-2.5 size-4 text-slate-500" />}
                  <input
                    id={`${f.name}-filter`}
                    type={f.kind === "date" ? "date" : "text"}
                    name={f.name}
                    defaultValue={params[f.name]}
                    placeholder={f.kind === "text" ? f.placeholder : undefined}
                    className={cn(inputClasses(), f.kind === "text" && f.search ? "w-56 pl-8" : "w-40", f.className)}
                  />
                </span>
              </div>
            ))}
            <Button type="submit" variant="secondary">
              {submitLabel}
            </Button>
          </form>
        )}
        {actions && <div className="ml-auto flex items-end gap-2">{actions}</div>}
      </div>
      {filtered && (
        <p className="text-sm text-slate-700">
          Filtered view.{" "}
          <button type="button" className="font-medium text-brand-700 underline" onClick={() => apply(Object.fromEntries(fields.map((f) => [f.name, ""])))}>
            Clear filters
          </button>
        </p>
      )}
    </div>
  );
}
