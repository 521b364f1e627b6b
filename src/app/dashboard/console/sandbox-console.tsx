"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Decimal from "decimal.js";
import { AlertCircle, CheckCircle2, CircleDashed, Loader2, Search, XCircle } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { CodeBlock } from "@/components/ui/code-block";
import { CopyButton } from "@/components/ui/copy-button";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { formatAmount, formatMoney, plainAmount } from "@/components/ui/money";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import type { MagicValue } from "./magic-values";

/** One product of the partner's sandbox catalog, as the console procedure returns it. */
type Product = RouterOutputs["console"]["catalog"][number];

const TERMINAL = new Set(["completed", "failed"]);
const DEFAULT_SKU = "BAM-990001"; // the mock's ranged USD test card: every magic value works on it
const MAX_OPTIONS = 200;

const denominationText = (p: Product) =>
  p.denomination.type === "fixed"
    ? `${formatAmount(p.denomination.faceValue)} ${p.faceCurrency}`
    : `${formatAmount(p.denomination.minFaceValue)}–${formatAmount(p.denomination.maxFaceValue)} ${p.faceCurrency}`;

const centsOf = (faceValue: string) => {
  const m = /^\d+(?:\.(\d{1,2}))?$/.exec(faceValue.trim());
  return m ? `.${(m[1] ?? "").padEnd(2, "0")}` : null;
};
const wholePart = (faceValue: string) => /^\d+/.exec(faceValue.trim())?.[0] ?? "";

function defaultFaceValue(p: Product): string {
  if (p.denomination.type === "fixed") return plainAmount(p.denomination.faceValue);
  const usual = new Decimal(25);
  return usual.gte(p.denomination.minFaceValue) && usual.lte(p.denomination.maxFaceValue) ? "25.00" : plainAmount(p.denomination.minFaceValue);
}

export function SandboxConsole({ magic, origin }: { magic: MagicValue[]; origin: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const catalog = useQuery(trpc.console.catalog.queryOptions(undefined, { staleTime: 60_000 }));
  const balance = useQuery(trpc.console.balance.queryOptions());

  const [search, setSearch] = useState("");
  const [country, setCountry] = useState("");
  const [sku, setSku] = useState("");
  const [faceValue, setFaceValue] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [orderId, setOrderId] = useState<string | null>(null);
  const [balanceBefore, setBalanceBefore] = useState<{ amount: string; currency: string } | null>(null);

  const products: Product[] = catalog.data ?? [];
  const countries = useMemo(() => [...new Set(products.map((p) => p.countryCode))].sort(), [products]);
  const matches = useMemo(() => {
    const q = search.trim().toLowerCase();
    return products.filter(
      (p) =>
        (!country || p.countryCode === country) &&
        (!q || p.brand.toLowerCase().includes(q) || p.name.toLowerCase().includes(q) || p.sku.toLowerCase().includes(q)),
    );
  }, [products, search, country]);
  const product = products.find((p) => p.sku === sku) ?? null;

  const choose = (p: Product | undefined) => {
    setSku(p?.sku ?? "");
    if (p) setFaceValue(defaultFaceValue(p));
  };
  // The first load picks the test card, on which every scenario works.
  // biome-ignore lint/correctness/useExhaustiveDependencies: choose is re-made each render; the pick depends only on the products and the choice.
  useEffect(() => {
    if (!sku && products.length) choose(products.find((p) => p.sku === DEFAULT_SKU) ?? products[0]);
  }, [products, sku]);
  // A search that hides the chosen product picks the first match.
  // biome-ignore lint/correctness/useExhaustiveDependencies: choose is re-made each render; the pick depends only on the matches and the choice.
  useEffect(() => {
    if (sku && matches.length && !matches.some((p) => p.sku === sku)) choose(matches[0]);
  }, [matches, sku]);

  const qty = Number(quantity);
  const quantityOk = Number.isInteger(qty) && qty >= 1 && qty <= 500;
  const faceValueOk = /^\d{1,15}(\.\d{1,2})?$/.test(faceValue.trim());
  const scenario = magic.find((m) => centsOf(faceValue) === m.cents && quantityOk && qty >= m.minQuantity) ?? null;
  const ranged = product?.denomination.type === "range";

  const quoteInput = { sku, faceValue: faceValue.trim(), quantity: quantityOk ? qty : 1 };
  const quote = useQuery(trpc.console.quote.queryOptions(quoteInput, { enabled: Boolean(product) && faceValueOk && quantityOk }));

  const create = useMutation(
    trpc.console.createOrder.mutationOptions({
      onSuccess: (order) => {
        setOrderId(order.id);
        void queryClient.invalidateQueries({ queryKey: trpc.console.balance.queryKey() });
      },
    }),
  );
  const order = useQuery(
    trpc.console.order.queryOptions(
      { id: orderId ?? "ord_0" },
      { enabled: Boolean(orderId), refetchInterval: (q) => (q.state.data && TERMINAL.has(q.state.data.status) ? false : 1000) },
    ),
  );
  const current = order.data ?? (create.data?.id === orderId ? create.data : undefined);
  const finished = current ? TERMINAL.has(current.status) : false;
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: trpc.console.balance.queryKey() });
  }, [finished, queryClient, trpc]);

  const pickScenario = (name: string) => {
    const whole = wholePart(faceValue) || (product ? wholePart(defaultFaceValue(product)) : "25");
    const m = magic.find((v) => v.name === name);
    if (!m) {
      setFaceValue(`${whole}.00`);
      return;
    }
    setFaceValue(`${whole}${m.cents}`);
    if (!quantityOk || qty < m.minQuantity) setQuantity(String(m.minQuantity));
  };

  const wallet = balance.data?.find((w) => w.currency === (quote.data?.currency ?? current?.currency ?? "USD")) ?? balance.data?.[0];

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!product || !faceValueOk || !quantityOk) return;
    setOrderId(null);
    setBalanceBefore(wallet ? { amount: wallet.balance, currency: wallet.currency } : null);
    create.mutate({ sku: product.sku, faceValue: faceValue.trim(), quantity: qty });
  };

  const faceError = faceValue && !faceValueOk ? "Enter an amount such as 25.00 (at most 2 decimals)." : undefined;
  const faceHint = product
    ? product.denomination.type === "fixed"
      ? `This product has one face value: ${formatAmount(product.denomination.faceValue)} ${product.faceCurrency}.`
      : `Between ${formatAmount(product.denomination.minFaceValue)} and ${formatAmount(product.denomination.maxFaceValue)} ${product.faceCurrency}.`
    : undefined;
  const productHint = catalog.isLoading
    ? "Loading your sandbox catalog…"
    : `${matches.length} of ${products.length} products match${matches.length > MAX_OPTIONS ? `; the first ${MAX_OPTIONS} are listed` : ""}.`;
  const quantityError = quantity && !quantityOk ? "A whole number from 1 to 500." : undefined;

  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Sandbox console</h1>
          <p className="mt-1 max-w-2xl text-sm text-slate-700">
            Order a test gift card the way your code will: the console uses the same order path as{" "}
            <code className="font-mono text-[13px]">POST /api/v1/orders</code>. Sandbox cards and funds are not real.
          </p>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white px-4 py-2 text-right">
          <p className="text-xs font-medium text-slate-600">Sandbox balance</p>
          <p className="text-lg font-semibold tabular-nums" data-testid="console-balance" data-amount={wallet?.balance}>
            {wallet ? formatMoney(wallet.balance, wallet.currency) : balance.isLoading ? "Loading…" : "No sandbox funds"}
          </p>
        </div>
      </div>

      <div className="grid gap-8 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <form onSubmit={submit} className="space-y-6 rounded-xl border border-slate-200 bg-white p-6" aria-label="Test order">
          <fieldset className="space-y-4">
            <legend className="text-sm font-semibold text-slate-950">1. Pick a product</legend>
            <div className="grid gap-4 sm:grid-cols-[1fr_11rem]">
              <Field id="console-search" label="Search by brand or product">
                <div className="relative">
                  <Search aria-hidden className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-slate-500" />
                  <input
                    id="console-search"
                    type="search"
                    value={search}
                    onChange={(e) => setSearch(e.target.value)}
                    placeholder="e.g. Steller Test Card"
                    className={cn(inputClasses(), "pl-9")}
                  />
                </div>
              </Field>
              <Field id="console-country" label="Country">
                <select id="console-country" value={country} onChange={(e) => setCountry(e.target.value)} className={inputClasses()}>
                  <option value="">All countries</option>
                  {countries.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <Field id="console-product" label="Product" hint={productHint}>
              <select
                id="console-product"
                value={sku}
                onChange={(e) => choose(products.find((p) => p.sku === e.target.value))}
                className={inputClasses()}
                disabled={!matches.length}
                {...describedBy("console-product", { hint: productHint })}
              >
                {!matches.length && <option value="">No product matches</option>}
                {matches.slice(0, MAX_OPTIONS).map((p) => (
                  <option key={p.sku} value={p.sku}>
                    {p.name.startsWith(p.brand) ? p.name : `${p.brand} · ${p.name}`} · {p.countryCode} · {denominationText(p)}
                  </option>
                ))}
              </select>
            </Field>
          </fieldset>

          <fieldset className="space-y-4">
            <legend className="text-sm font-semibold text-slate-950">2. Choose the amount</legend>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id="console-face-value" label={`Face value${product ? ` (${product.faceCurrency})` : ""}`} hint={faceHint} error={faceError}>
                <input
                  id="console-face-value"
                  inputMode="decimal"
                  value={faceValue}
                  onChange={(e) => setFaceValue(e.target.value)}
                  readOnly={product?.denomination.type === "fixed"}
                  className={cn(inputClasses(Boolean(faceError)), "tabular-nums read-only:bg-slate-50")}
                  {...describedBy("console-face-value", { hint: faceHint, error: faceError })}
                />
              </Field>
              <Field id="console-quantity" label="Quantity" error={quantityError}>
                <input
                  id="console-quantity"
                  type="number"
                  min={1}
                  max={500}
                  value={quantity}
                  onChange={(e) => setQuantity(e.target.value)}
                  className={cn(inputClasses(Boolean(quantityError)), "tabular-nums")}
                  {...describedBy("console-quantity", { error: quantityError })}
                />
              </Field>
            </div>
          </fieldset>

          <fieldset aria-describedby="scenario-help">
            <legend className="text-sm font-semibold text-slate-950">3. Pick a scenario</legend>
            <p className="mt-1 text-xs text-slate-600" id="scenario-help">
              {ranged
                ? "The sandbox vendor reacts to the cents of the face value. Choose what should happen:"
                : "Scenarios need a product with a range of face values, such as Steller Test Card."}
            </p>
            <div className="mt-3 grid gap-2 sm:grid-cols-2">
              {[{ name: "normal", label: "Completes normally", outcome: "The card is delivered.", cents: "", minQuantity: 1 }, ...magic].map((m) => {
                const checked = m.name === "normal" ? !scenario : scenario?.name === m.name;
                const disabled = !ranged && m.name !== "normal";
                return (
                  <label
                    key={m.name}
                    className={cn(
                      "flex cursor-pointer gap-3 rounded-lg border p-3 text-sm has-focus-visible:outline-2 has-focus-visible:outline-brand-600",
                      checked ? "border-brand-500 bg-brand-50" : "border-slate-200 hover:bg-slate-50",
                      disabled && "cursor-not-allowed opacity-60",
                    )}
                  >
                    <input
                      type="radio"
                      name="scenario"
                      value={m.name}
                      checked={checked}
                      disabled={disabled}
                      onChange={() => pickScenario(m.name)}
                      className="mt-0.5 accent-brand-600"
                    />
                    <span>
                      <span className="font-medium text-slate-950">{m.label}</span>
                      {m.cents && (
                        <span className="ml-1.5 font-mono text-xs text-slate-600">
                          ·{m.cents.slice(1)}
                          {m.minQuantity > 1 ? `, qty ≥ ${m.minQuantity}` : ""}
                        </span>
                      )}
                      <span className="mt-0.5 block text-xs text-slate-600">{m.outcome}</span>
                    </span>
                  </label>
                );
              })}
            </div>
          </fieldset>

          <div className="flex flex-wrap items-center justify-between gap-4 border-t border-slate-100 pt-5">
            <p className="text-sm text-slate-700" aria-live="polite">
              {quote.data ? (
                <>
                  You pay{" "}
                  <strong className="font-semibold text-slate-950 tabular-nums" data-testid="quote-total">
                    {formatMoney(quote.data.totalPrice, quote.data.currency)}
                  </strong>{" "}
                  from your sandbox wallet
                </>
              ) : product && faceValueOk && quantityOk && quote.isFetched ? (
                "This face value is outside the product's range."
              ) : (
                "\u00a0"
              )}
            </p>
            <Button type="submit" size="lg" disabled={!product || !faceValueOk || !quantityOk || create.isPending}>
              {create.isPending ? "Creating order…" : "Create test order"}
            </Button>
          </div>
          {create.error && (
            <p role="alert" className="flex gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
              <AlertCircle aria-hidden className="mt-0.5 size-4 shrink-0" /> {create.error.message}
            </p>
          )}
        </form>

        <OrderPanel
          order={current}
          balanceBefore={balanceBefore}
          balanceAfter={finished && wallet ? { amount: wallet.balance, currency: wallet.currency } : null}
        />
      </div>

      <Samples
        origin={origin}
        sku={product?.sku ?? DEFAULT_SKU}
        faceValue={faceValueOk ? faceValue.trim() : "25.00"}
        quantity={quantityOk ? qty : 1}
        orderId={current?.id}
      />
    </div>
  );
}

type OrderData = {
  id: string;
  status: string;
  referenceId: string;
  sku: string;
  faceValue: string;
  faceCurrency: string;
  quantity: number;
  totalPrice: string;
  currency: string;
  cardsDelivered: number;
  refundedAmount: string;
  failure: { code: string; message: string | null } | null;
  cards?: Array<{ code: string; pin: string | null; serialNumber: string | null; expiresAt: string | null }>;
};

const STEPS = ["pending", "processing", "completed"] as const;

function OrderPanel({
  order,
  balanceBefore,
  balanceAfter,
}: {
  order: OrderData | undefined;
  balanceBefore: { amount: string; currency: string } | null;
  balanceAfter: { amount: string; currency: string } | null;
}) {
  if (!order) {
    return (
      <section
        aria-label="Order result"
        className="flex min-h-64 flex-col items-center justify-center rounded-xl border border-dashed border-slate-300 bg-white p-6 text-center"
      >
        <CircleDashed aria-hidden className="size-8 text-slate-400" />
        <p className="mt-3 font-medium text-slate-900">No test order yet</p>
        <p className="mt-1 max-w-xs text-sm text-slate-600">Create one: this panel follows it live until it completes or fails, and shows the card codes.</p>
      </section>
    );
  }
  const partial = order.status === "completed" && order.cardsDelivered < order.quantity;
  const label = partial ? "partially completed" : order.status;
  const reached = order.status === "failed" ? 1 : STEPS.indexOf(order.status as (typeof STEPS)[number]);
  return (
    <section aria-label="Order result" className="space-y-5 self-start rounded-xl border border-slate-200 bg-white p-6 xl:sticky xl:top-8">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-xs font-medium text-slate-600">Order</p>
          <p className="font-mono text-sm text-slate-950" data-testid="order-id">
            {order.id}
          </p>
        </div>
        <p
          role="status"
          aria-live="polite"
          data-testid="order-status"
          data-status={order.status}
          className={cn(
            "inline-flex items-center gap-1.5 rounded-full px-3 py-1 text-sm font-medium",
            order.status === "completed" && !partial && "bg-emerald-50 text-emerald-800",
            partial && "bg-amber-50 text-amber-900",
            order.status === "failed" && "bg-red-50 text-red-800",
            !TERMINAL.has(order.status) && "bg-slate-100 text-slate-800",
          )}
        >
          {order.status === "completed" ? (
            <CheckCircle2 aria-hidden className="size-4" />
          ) : order.status === "failed" ? (
            <XCircle aria-hidden className="size-4" />
          ) : (
            <Loader2 aria-hidden className="size-4 animate-spin" />
          )}
          {label}
        </p>
      </div>

      <ol className="flex items-center gap-2 text-xs" aria-label="Progress">
        {STEPS.map((s, i) => {
          const name = i === 2 && order.status === "failed" ? "failed" : s;
          const done = i <= reached || (i === 2 && order.status === "failed");
          return (
            <li key={s} className="flex flex-1 items-center gap-2">
              <span className={cn("h-1.5 flex-1 rounded-full", done ? (name === "failed" ? "bg-red-500" : "bg-brand-600") : "bg-slate-200")} />
              <span className={cn("font-medium", done ? "text-slate-900" : "text-slate-500")}>{name}</span>
            </li>
          );
        })}
      </ol>

      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
        <div>
          <dt className="text-slate-600">Product</dt>
          <dd className="font-medium text-slate-950">{order.sku}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Face value × quantity</dt>
          <dd className="font-medium text-slate-950 tabular-nums">
            {formatMoney(order.faceValue, order.faceCurrency)} × {order.quantity}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Price</dt>
          <dd className="font-medium text-slate-950 tabular-nums" data-testid="order-total" data-amount={order.totalPrice}>
            {formatMoney(order.totalPrice, order.currency)}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Refunded</dt>
          <dd className="font-medium text-slate-950 tabular-nums">{formatMoney(order.refundedAmount, order.currency)}</dd>
        </div>
        {balanceBefore && balanceAfter && (
          <div className="col-span-2 rounded-md bg-slate-50 px-3 py-2">
            <dt className="text-slate-600">New sandbox balance</dt>
            <dd className="font-semibold text-slate-950 tabular-nums" data-testid="new-balance" data-amount={balanceAfter.amount}>
              {formatMoney(balanceAfter.amount, balanceAfter.currency)}{" "}
              <span className="font-normal text-slate-600">(was {formatMoney(balanceBefore.amount, balanceBefore.currency)})</span>
            </dd>
          </div>
        )}
      </dl>

      {order.failure && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          <span className="font-mono">{order.failure.code}</span>: {order.failure.message ?? "The order failed."} Your wallet was refunded.
        </p>
      )}

      {order.cards && order.cards.length > 0 && (
        <div>
          <h2 className="text-sm font-semibold text-slate-950">
            {order.cards.length === 1 ? "Card" : `Cards (${order.cards.length}${partial ? ` of ${order.quantity}` : ""})`}
          </h2>
          <ul className="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200">
            {order.cards.map((card, i) => (
              <li key={card.code} className="flex flex-wrap items-center justify-between gap-3 px-3 py-2">
                <div className="min-w-0">
                  <p className="font-mono text-sm break-all text-slate-950" data-testid="card-code">
                    {card.code}
                  </p>
                  {card.pin && <p className="text-xs text-slate-600">PIN {card.pin}</p>}
                </div>
                <CopyButton value={card.code} label={order.cards!.length > 1 ? `Copy card code ${i + 1}` : "Copy card code"} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function Samples({ origin, sku, faceValue, quantity, orderId }: { origin: string; sku: string; faceValue: string; quantity: number; orderId?: string }) {
  const body = JSON.stringify({ sku, faceValue, quantity, referenceId: "my-order-1" });
  const curl = `curl -s ${origin}/api/v1/orders \\
  -H "x-api-key: $STELLER_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '${body}'

# then poll the order until its status is "completed" or "failed"
curl -s ${origin}/api/v1/orders/${orderId ?? "ord_..."} \\
  -H "x-api-key: $STELLER_API_KEY"`;
  const ts = `const base = "${origin}/api/v1";
const headers = {
  "x-api-key": process.env.STELLER_API_KEY!,
  "content-type": "application/json",
};

const created = await fetch(\`\${base}/orders\`, {
  method: "POST",
  headers,
  body: JSON.stringify({
    sku: "${sku}", faceValue: "${faceValue}", quantity: ${quantity},
    referenceId: crypto.randomUUID(), // a retry with the same id never orders twice
  }),
});
let order = await created.json();
while (order.status === "pending" || order.status === "processing") {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  order = await (await fetch(\`\${base}/orders/\${order.id}\`, { headers })).json();
}
console.log(order.status, order.cards?.map((card: { code: string }) => card.code));`;
  return (
    <section aria-labelledby="samples" className="space-y-4">
      <div>
        <h2 id="samples" className="text-lg font-semibold tracking-tight">
          The same order from your code
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          Set <code className="font-mono text-[13px]">STELLER_API_KEY</code> to your sandbox key (<code className="font-mono text-[13px]">stlr_test_…</code>,
          from signup or API keys). The samples follow the form above.
        </p>
      </div>
      <div className="grid gap-4">
        <CodeBlock title="curl" code={curl} testId="sample-curl" />
        <CodeBlock title="TypeScript" code={ts} testId="sample-ts" />
      </div>
    </section>
  );
}
