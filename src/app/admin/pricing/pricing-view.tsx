"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { AlertTriangle } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ConfirmDialog } from "@/components/ui/dialog";
import { inputClasses } from "@/components/ui/field";
import { money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { Select } from "@/components/ui/select";
import { EmptyState } from "@/components/ui/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useUrlParams } from "@/components/ui/url-state";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { PartnerSelect } from "../partner-select";

type Product = RouterOutputs["admin"]["pricing"]["products"]["data"][number];
type CatalogItem = RouterOutputs["admin"]["pricing"]["preview"]["data"][number];

const PAGE = 50;

/** The markup typed in the field as whole basis points, or null while it is not one. */
function parseBps(text: string): number | null {
  if (!/^-?\d{1,5}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= -10_000 && n <= 10_000 ? n : null;
}

const percent = (bps: number) => `${(bps / 100).toFixed(2)}%`;
const faceValues = (p: { minFaceValue: string; maxFaceValue: string; currency: string }, locale: string) =>
  p.minFaceValue === p.maxFaceValue
    ? money(p.minFaceValue, p.currency, locale)
    : `${money(p.minFaceValue, p.currency, locale)} – ${money(p.maxFaceValue, p.currency, locale)}`;

/** One assigned row's markup, edited in place (the profit guard answers on save). */
function RowMarkup({ product, save }: { product: Product; save: (markupBps: number) => Promise<unknown> }) {
  const [text, setText] = useState(String(product.markupBps ?? ""));
  const [busy, setBusy] = useState(false);
  const bps = parseBps(text);
  const id = `markup-${product.id}`;
  return (
    <div className="flex items-center gap-1">
      <label htmlFor={id} className="sr-only">
        Markup of {product.sku} (bps)
      </label>
      <input id={id} inputMode="numeric" className={`${inputClasses(bps === null)} w-20 py-1`} value={text} onChange={(e) => setText(e.target.value)} />
      <Button
        size="sm"
        variant="secondary"
        aria-label={`Save markup of ${product.sku}`}
        disabled={busy || bps === null || bps === product.markupBps}
        onClick={async () => {
          setBusy(true);
          try {
            await save(bps!);
          } finally {
            setBusy(false);
          }
        }}
      >
        Save
      </Button>
    </div>
  );
}

function ProductsTab({ partnerId, partnerName }: { partnerId: string; partnerName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const [markupText, setMarkupText] = useState("500");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const markup = parseBps(markupText);
  const offset = Number(params.after ?? 0) || 0;
  const filters = {
    search: params.search || undefined,
    brand: params.brand || undefined,
    country: params.country || undefined,
    currency: params.currency || undefined,
    assigned: params.show === "assigned" || params.show === "unassigned" ? params.show : undefined,
  } as const;
  const facets = useQuery(trpc.admin.pricing.facets.queryOptions());
  const list = useQuery(
    trpc.admin.pricing.products.queryOptions(
      { partnerId, ...filters, proposedMarkupBps: markup ?? undefined, limit: PAGE, offset },
      { placeholderData: (prev) => prev },
    ),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.pricing.pathKey() });
  const assign = useMutation(trpc.admin.pricing.assign.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.admin.pricing.remove.mutationOptions({ onSuccess: refresh }));
  const rows = list.data?.data ?? [];
  const below = rows.filter((r) => r.proposedBelowCost);
  const total = list.data?.total ?? 0;
  const bulkMatch = { brand: filters.brand, country: filters.country, currency: filters.currency };
  const bulkLabel = [
    filters.brand && `brand ${filters.brand}`,
    filters.country && `country ${filters.country}`,
    filters.currency && `currency ${filters.currency}`,
  ]
    .filter(Boolean)
    .join(", ");
  const example = rows.find((r) => selected.has(r.id)) ?? rows[0];

  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));

  const columns: ColumnDef<Product, unknown>[] = [
    {
      id: "select",
      header: () => (
        <input
          type="checkbox"
          aria-label="Select all on this page"
          className="size-4"
          checked={allOnPage}
          onChange={(e) => setSelected(e.target.checked ? new Set([...selected, ...rows.map((r) => r.id)]) : new Set())}
        />
      ),
      cell: ({ row }) => (
        <input
          type="checkbox"
          aria-label={`Select ${row.original.sku}`}
          className="size-4"
          checked={selected.has(row.original.id)}
          onChange={(e) => toggle(row.original.id, e.target.checked)}
        />
      ),
    },
    {
      id: "product",
      header: "Product",
      cell: ({ row }) => (
        <div className="min-w-56">
          <div className="font-medium text-slate-900">{row.original.name}</div>
          <div className="font-mono text-xs text-slate-600">
            {row.original.sku} · {row.original.brand}
          </div>
        </div>
      ),
    },
    {
      id: "market",
      header: "Market",
      cell: ({ row }) => <span className="whitespace-nowrap">{`${row.original.countryCode} · ${row.original.currency}`}</span>,
    },
    { id: "face", header: "Face value", cell: ({ row }) => <span className="whitespace-nowrap">{faceValues(row.original, locale)}</span> },
    {
      id: "cost",
      header: "Cost",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => money(row.original.unitCost, row.original.costCurrency, locale),
    },
    {
      id: "markup",
      header: "Markup (bps)",
      cell: ({ row }) =>
        row.original.markupBps === null ? (
          <span className="text-slate-600">Not assigned</span>
        ) : (
          <RowMarkup
            key={`${row.original.id}-${row.original.markupBps}`}
            product={row.original}
            save={async (markupBps) => {
              try {
                await assign.mutateAsync({ partnerId, markupBps, selection: { productIds: [row.original.id] } });
                toast.success(`${row.original.sku} now at ${markupBps} bps.`);
              } catch (e) {
                toast.error(e instanceof Error ? e.message : "That did not work.");
              }
            }}
          />
        ),
    },
    {
      id: "price",
      header: "Live price",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => (row.original.unitPrice ? money(row.original.unitPrice, row.original.costCurrency, locale) : "—"),
    },
    {
      id: "proposed",
      header: markup === null ? "At new markup" : `At ${markup} bps`,
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) =>
        row.original.proposedBelowCost ? (
          <Badge tone="danger">
            <AlertTriangle aria-hidden className="size-3" /> Below cost
          </Badge>
        ) : row.original.proposedPrice ? (
          money(row.original.proposedPrice, row.original.costCurrency, locale)
        ) : (
          "—"
        ),
    },
    {
      id: "remove",
      header: () => <span className="sr-only">Remove</span>,
      cell: ({ row }) =>
        row.original.markupBps === null ? null : (
          <ConfirmDialog
            trigger={
              <Button size="sm" variant="ghost" aria-label={`Remove ${row.original.sku}`}>
                Remove
              </Button>
            }
            title="Remove product"
            consequence={`${partnerName} can no longer sell ${row.original.sku} (${row.original.name}) live: it leaves their API catalog and new orders for it are refused as unknown SKU.`}
            confirmLabel="Remove product"
            danger
            onConfirm={async () => {
              await remove.mutateAsync({ partnerId, productIds: [row.original.id] });
              toast.success(`${row.original.sku} removed.`);
            }}
          />
        ),
    },
  ];

  const assignConsequence = (count: number, what: string) => (
    <>
      {partnerName} can sell {what} live at {markup} bps ({percent(markup ?? 0)}) over the vendor&apos;s cost
      {example?.proposedPrice && !example.proposedBelowCost
        ? ` (e.g. ${example.sku}: cost ${money(example.unitCost, example.costCurrency, locale)}, price ${money(example.proposedPrice, example.costCurrency, locale)})`
        : ""}
      . Products already assigned take the new markup. {count > 0 && below.length > 0 ? "The profit guard will refuse below-cost prices." : ""}
    </>
  );

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <form
          key={params.search ?? ""}
          className="flex items-end gap-2"
          aria-label="Product search"
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ search: String(new FormData(e.currentTarget).get("search") ?? "").trim() });
          }}
        >
          <label className="block text-sm">
            <span className="font-medium text-slate-800">Search products</span>
            <input name="search" defaultValue={params.search} placeholder="SKU, name or brand" className={`${inputClasses()} mt-1 w-56`} />
          </label>
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        {(
          [
            ["brand", "Brand", "All brands", facets.data?.brands ?? []],
            ["country", "Country", "All countries", facets.data?.countries ?? []],
            ["currency", "Currency", "All currencies", facets.data?.currencies ?? []],
          ] as const
        ).map(([key, label, placeholder, options]) => (
          <div key={key} className="text-sm">
            <span className="block font-medium text-slate-800" aria-hidden>
              {label}
            </span>
            <Select
              id={`pricing-${key}`}
              label={label}
              className="mt-1 w-40"
              value={params[key] ?? ""}
              onValueChange={(v) => setParams({ [key]: v })}
              placeholder={placeholder}
              options={options.map((o) => ({ value: o, label: o }))}
            />
          </div>
        ))}
        <div className="text-sm">
          <span className="block font-medium text-slate-800" aria-hidden>
            Show
          </span>
          <Select
            id="pricing-show"
            label="Show"
            className="mt-1 w-36"
            value={params.show ?? ""}
            onValueChange={(v) => setParams({ show: v })}
            placeholder="All products"
            options={[
              { value: "assigned", label: "Assigned" },
              { value: "unassigned", label: "Not assigned" },
            ]}
          />
        </div>
      </div>

      <div className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-slate-50 p-4">
        <label className="block text-sm">
          <span className="font-medium text-slate-800">Markup (bps)</span>
          <input
            inputMode="numeric"
            value={markupText}
            onChange={(e) => setMarkupText(e.target.value)}
            aria-invalid={markup === null}
            aria-describedby="markup-hint"
            className={`${inputClasses(markup === null)} mt-1 w-28`}
          />
        </label>
        <p id="markup-hint" className="pb-2 text-xs text-slate-600">
          {markup === null ? "A whole number of basis points, e.g. 500 for 5%." : `${percent(markup)} over the vendor's cost, rounded up to the cent.`}
        </p>
        <p className="pb-2 text-sm text-slate-700" aria-live="polite">
          {selected.size} selected
        </p>
        <ConfirmDialog
          trigger={<Button disabled={selected.size === 0 || markup === null}>Assign selected</Button>}
          title="Assign products"
          consequence={assignConsequence(selected.size, `${selected.size} selected product${selected.size === 1 ? "" : "s"}`)}
          confirmLabel="Assign products"
          onConfirm={async () => {
            const r = await assign.mutateAsync({ partnerId, markupBps: markup!, selection: { productIds: [...selected] } });
            setSelected(new Set());
            toast.success(`${r.count} product${r.count === 1 ? "" : "s"} assigned at ${markup} bps.`);
          }}
        />
        <ConfirmDialog
          trigger={
            <Button variant="secondary" disabled={!bulkLabel || markup === null}>
              Assign all matching
            </Button>
          }
          title="Assign products"
          consequence={assignConsequence(total, `every active product of ${bulkLabel || "…"}`)}
          confirmLabel="Assign products"
          onConfirm={async () => {
            const r = await assign.mutateAsync({ partnerId, markupBps: markup!, selection: { match: bulkMatch } });
            toast.success(`${r.count} product${r.count === 1 ? "" : "s"} assigned at ${markup} bps.`);
          }}
        />
      </div>

      {below.length > 0 && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800" data-testid="below-cost-warning">
          <p className="font-semibold">Below cost</p>
          <p className="mt-1">
            At {markup} bps, {below.length} product{below.length === 1 ? "" : "s"} on this page would sell under the vendor&apos;s cost (
            {below
              .slice(0, 3)
              .map((r) => `${r.sku}: cost ${money(r.unitCost, r.costCurrency, locale)}`)
              .join("; ")}
            ). The profit guard refuses such prices; nothing would be changed.
          </p>
        </div>
      )}

      <DataTable
        caption={`Products for ${partnerName}`}
        columns={columns}
        rows={list.data?.data}
        loading={list.isLoading}
        error={list.error?.message}
        onRetry={() => list.refetch()}
        nextCursor={offset + PAGE < total ? String(offset + PAGE) : null}
        rowTestId={(r) => `product-row-${r.sku}`}
        empty="No active product matches these filters."
      />
      <p className="text-xs text-slate-600">
        {total} product{total === 1 ? "" : "s"}; prices shown at the smallest face value.
      </p>
    </div>
  );
}

function PreviewTab({ partnerId, partnerName }: { partnerId: string; partnerName: string }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const [params, setParams] = useUrlParams();
  const environment = params.env === "sandbox" ? "sandbox" : "live";
  const preview = useQuery(trpc.admin.pricing.preview.queryOptions({ partnerId, environment, startingAfter: params.after || undefined, limit: 100 }));
  const columns: ColumnDef<CatalogItem, unknown>[] = [
    { id: "sku", header: "SKU", cell: ({ row }) => <span className="font-mono text-xs">{row.original.sku}</span> },
    { id: "name", header: "Product", cell: ({ row }) => `${row.original.name} · ${row.original.brand}` },
    { id: "market", header: "Market", cell: ({ row }) => `${row.original.countryCode} · ${row.original.faceCurrency}` },
    {
      id: "face",
      header: "Face value",
      cell: ({ row }) => {
        const d = row.original.denomination;
        return d.type === "fixed"
          ? money(d.faceValue, row.original.faceCurrency, locale)
          : `${money(d.minFaceValue, row.original.faceCurrency, locale)} – ${money(d.maxFaceValue, row.original.faceCurrency, locale)}`;
      },
    },
    {
      id: "price",
      header: "Unit price",
      meta: { className: "text-right tabular-nums whitespace-nowrap" },
      cell: ({ row }) => money(row.original.unitPrice, row.original.priceCurrency, locale),
    },
  ];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="text-sm">
          <span className="block font-medium text-slate-800" aria-hidden>
            Environment
          </span>
          <Select
            id="preview-env"
            label="Environment"
            className="mt-1 w-36"
            value={environment}
            onValueChange={(v) => setParams({ env: v === "live" ? "" : v })}
            options={[
              { value: "live", label: "Live" },
              { value: "sandbox", label: "Sandbox" },
            ]}
          />
        </div>
        <p className="pb-2 text-sm text-slate-600">
          Exactly what <code>GET /api/v1/catalog</code> answers {partnerName}&apos;s {environment} keys (prices at the smallest face value).
        </p>
      </div>
      <DataTable
        caption={`${partnerName} ${environment} catalog at their prices`}
        columns={columns}
        rows={preview.data?.data}
        loading={preview.isLoading}
        error={preview.error?.message}
        onRetry={() => preview.refetch()}
        nextCursor={preview.data?.nextCursor}
        rowTestId={(r) => `preview-row-${r.sku}`}
        empty={environment === "live" ? `${partnerName} has no product assigned: their live catalog is empty.` : "The sandbox catalog is empty."}
      />
    </div>
  );
}

/** The pricing page: the partner in `?partner=`, the tab in `?tab=`, filters and page in the URL. */
export function PricingView() {
  const trpc = useTRPC();
  const [params, setParams] = useUrlParams();
  const partnerId = params.partner ?? "";
  const partner = useQuery({ ...trpc.admin.partners.get.queryOptions({ partnerId }), enabled: partnerId !== "" });
  const partnerName = partner.data?.partner.businessName ?? partnerId;
  const tab = params.tab === "preview" ? "preview" : "products";
  return (
    <div className="space-y-6">
      <PartnerSelect value={partnerId} onChange={(id) => setParams({ partner: id, search: "", brand: "", country: "", currency: "", show: "" })} />
      {!partnerId ? (
        <div className="rounded-lg border border-slate-200 bg-white">
          <EmptyState title="Choose a partner">Pick the partner whose products and prices you want to set.</EmptyState>
        </div>
      ) : (
        <Tabs value={tab} onValueChange={(t) => setParams({ tab: t === "products" ? "" : t })}>
          <TabsList aria-label="Pricing views">
            <TabsTrigger value="products">Products</TabsTrigger>
            <TabsTrigger value="preview">Preview</TabsTrigger>
          </TabsList>
          <TabsContent value="products" className="mt-4">
            <h2 className="sr-only">Products and markups</h2>
            <ProductsTab partnerId={partnerId} partnerName={partnerName} />
          </TabsContent>
          <TabsContent value="preview" className="mt-4">
            <h2 className="sr-only">Catalog preview</h2>
            <PreviewTab partnerId={partnerId} partnerName={partnerName} />
          </TabsContent>
        </Tabs>
      )}
    </div>
  );
}
