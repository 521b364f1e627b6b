const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/**
 * The target before and after, side by side, one line per field; changed fields are marked
 * (in words, not by colour alone).
 */
export function BeforeAfter({ before, after }: { before: Record<string, unknown> | null; after: Record<string, unknown> | null }) {
  if (!before && !after) return <p className="mt-2 text-sm text-slate-600">This action recorded no before/after state.</p>;
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return (
    <div className="mt-2 overflow-x-auto rounded border border-slate-200">
      <table className="w-full text-xs">
        <caption className="sr-only">The target's fields before and after the action</caption>
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">
              Field
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Before
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              After
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => {
            const b = show(before?.[k]);
            const a = show(after?.[k]);
            const changed = b !== a;
            return (
              <tr key={k} className={changed ? "bg-amber-50" : undefined} data-changed={changed || undefined}>
                <th scope="row" className="px-3 py-2 text-left font-mono font-normal text-slate-700">
                  {k}
                  {changed && <span className="ml-1 text-amber-800">(changed)</span>}
                </th>
                <td className="px-3 py-2 font-mono break-all text-slate-800">{before ? b || "—" : "—"}</td>
                <td className="px-3 py-2 font-mono break-all text-slate-900">{after ? a || "—" : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
