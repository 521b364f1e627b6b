"use client";

import { type ColumnDef, flexRender, getCoreRowModel, type SortingState, useReactTable } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown, ChevronRight, ChevronsLeft } from "lucide-react";
import { Button } from "./button";
import { cn } from "./cn";
import { EmptyState, ErrorState, Skeleton } from "./states";
import { useUrlParams } from "./url-state";

/**
 * A server-paged table whose sorting and page live in the URL (`sort` = "column" or "-column",
 * `after` = the cursor), next to the page's own filters. The server sorts and pages: the table
 * only shows the rows it is given. Columns that can be sorted say `enableSorting: true`.
 */
export function DataTable<Row>({
  columns,
  rows,
  loading,
  error,
  onRetry,
  nextCursor,
  empty,
  caption,
  rowTestId,
}: {
  columns: ColumnDef<Row, unknown>[];
  rows: Row[] | undefined;
  loading: boolean;
  error?: string | null;
  onRetry?: () => void;
  nextCursor: string | null | undefined;
  empty: React.ReactNode;
  caption: string;
  rowTestId?: (row: Row) => string;
}) {
  const [params, setParams] = useUrlParams();
  const sorting: SortingState = params.sort ? [{ id: params.sort.replace(/^-/, ""), desc: params.sort.startsWith("-") }] : [];
  const table = useReactTable({
    data: rows ?? [],
    columns,
    state: { sorting },
    manualSorting: true,
    manualPagination: true,
    getCoreRowModel: getCoreRowModel(),
  });
  return (
    <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  const sortable = h.column.columnDef.enableSorting === true;
                  return (
                    <th
                      key={h.id}
                      scope="col"
                      className="px-4 py-2 font-medium"
                      aria-sort={sorted ? (sorted === "desc" ? "descending" : "ascending") : undefined}
                    >
                      {sortable ? (
                        <button
                          type="button"
                          className="inline-flex items-center gap-1 uppercase hover:text-slate-900"
                          onClick={() => setParams({ sort: sorted === "desc" ? h.column.id : `-${h.column.id}` })}
                        >
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          {sorted === "desc" ? (
                            <ArrowDown aria-hidden className="size-3" />
                          ) : sorted === "asc" ? (
                            <ArrowUp aria-hidden className="size-3" />
                          ) : (
                            <ArrowUpDown aria-hidden className="size-3" />
                          )}
                        </button>
                      ) : (
                        flexRender(h.column.columnDef.header, h.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100">
            {loading
              ? Array.from({ length: 5 }, (_, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows have no identity
                  <tr key={i}>
                    {columns.map((_c, j) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: placeholder cells have no identity
                      <td key={j} className="px-4 py-3">
                        <Skeleton className="h-4 w-full" />
                      </td>
                    ))}
                  </tr>
                ))
              : table.getRowModel().rows.map((row) => (
                  <tr key={row.id} data-testid={rowTestId?.(row.original)}>
                    {row.getVisibleCells().map((cell) => (
                      <td key={cell.id} className={cn("px-4 py-2", (cell.column.columnDef.meta as { className?: string } | undefined)?.className)}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </td>
                    ))}
                  </tr>
                ))}
          </tbody>
        </table>
      </div>
      {error ? <ErrorState message={error} onRetry={onRetry} /> : !loading && rows?.length === 0 ? <EmptyState title="Nothing here">{empty}</EmptyState> : null}
      <div className="flex items-center justify-end gap-2 border-t border-slate-100 px-4 py-2">
        <Button variant="ghost" size="sm" disabled={!params.after} onClick={() => setParams({ after: "" })}>
          <ChevronsLeft aria-hidden className="size-4" /> First page
        </Button>
        <Button variant="secondary" size="sm" disabled={!nextCursor} onClick={() => nextCursor && setParams({ after: nextCursor })}>
          Next page <ChevronRight aria-hidden className="size-4" />
        </Button>
      </div>
    </div>
  );
}
