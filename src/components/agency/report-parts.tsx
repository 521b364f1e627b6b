"use client";

import { Download } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field, inputClasses } from "@/components/ui/field";
import { money } from "@/components/ui/format";
import { useUrlParams } from "@/components/ui/url-state";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The report's dates from the URL (`from`, `to`: whole UTC days), this month so far by default. */
export function useReportRange(): [{ from: string; to: string }, (r: { from: string; to: string }) => void] {
  const [params, setParams] = useUrlParams();
  const today = new Date().toISOString().slice(0, 10);
  const from = params.from && DAY.test(params.from) ? params.from : `${today.slice(0, 7)}-01`;
  const to = params.to && DAY.test(params.to) ? params.to : today;
  return [{ from, to }, (r) => setParams(r)];
}

/** Two date inputs applied together (so a half-typed range never reaches the server). */
export function RangePicker({ range, onChange }: { range: { from: string; to: string }; onChange: (r: { from: string; to: string }) => void }) {
  const [draft, setDraft] = useState(range);
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      aria-label="Report dates"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(draft);
      }}
    >
      <Field id="report-from" label="From">
        <input id="report-from" type="date" className={inputClasses()} value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
      </Field>
      <Field id="report-to" label="To (included)">
        <input id="report-to" type="date" className={inputClasses()} value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
      </Field>
      <Button type="submit" variant="secondary">
        Show report
      </Button>
    </form>
  );
}

/** Saves text as a file in the browser. */
export function saveText(filename: string, text: string, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** A button that fetches a CSV (a refusal is a toast) and saves it. */
export function CsvButton({ label, filename, fetchCsv }: { label: string; filename: string; fetchCsv: () => Promise<string> }) {
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="secondary"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        try {
          saveText(filename, await fetchCsv());
        } catch (e) {
          toast.error(e instanceof Error ? e.message : "The download failed.");
        } finally {
          setBusy(false);
        }
      }}
    >
      <Download aria-hidden className="size-4" /> {busy ? "Preparing…" : label}
    </Button>
  );
}

export interface FigureColumn<R> {
  key: string;
  label: string;
  value: (row: R) => string | number;
  money?: boolean;
}

/** A table of report figures: money right-aligned in its currency, a totals row in bold. */
export function FigureTable<R extends { currency: string }>({
  caption,
  columns,
  rows,
  totals,
  rowKey,
  locale,
  testId,
}: {
  caption: string;
  columns: FigureColumn<R>[];
  rows: R[];
  totals?: R[];
  rowKey: (row: R) => string;
  locale: string;
  testId?: string;
}) {
  const cell = (c: FigureColumn<R>, r: R) => (c.money ? money(String(c.value(r)), r.currency, locale) : String(c.value(r)));
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a horizontally scrolling region must be reachable by keyboard (axe: scrollable-region-focusable)
    <section className="overflow-x-auto rounded-lg border border-slate-200 bg-white" tabIndex={0} aria-label={caption}>
      <table className="w-full text-sm" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={`px-3 py-2 font-medium whitespace-nowrap ${c.money ? "text-right" : ""}`}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={rowKey(r)}>
              {columns.map((c) => (
                <td key={c.key} className={`px-3 py-2 whitespace-nowrap ${c.money ? "text-right tabular-nums" : ""}`}>
                  {cell(c, r)}
                </td>
              ))}
            </tr>
          ))}
          {totals?.map((r) => (
            <tr key={`total-${r.currency}`} className="bg-slate-50 font-semibold" data-testid="report-total">
              {columns.map((c, i) => (
                <td key={c.key} className={`px-3 py-2 whitespace-nowrap ${c.money ? "text-right tabular-nums" : ""}`}>
                  {i === 0 ? `Total (${r.currency})` : cell(c, r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
