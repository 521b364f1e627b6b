import { ArrowRight, BadgeCheck, Code2, Gift, Globe2, KeyRound, RefreshCcw, Rocket, ShieldCheck, Wallet, Webhook } from "lucide-react";
import type { Metadata } from "next";
import { PORTAL_LINKS } from "@/components/portal/links";
import { publicOrigin } from "@/components/portal/origin";
import { SiteFooter } from "@/components/portal/site-footer";
import { SiteHeader } from "@/components/portal/site-header";
import { ButtonLink } from "@/components/ui/button";
import { CodeBlock } from "@/components/ui/code-block";
import { cachedCatalogShowcase, type CatalogShowcase } from "@/server/catalog/showcase";
import { getDb } from "@/server/db/client";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { absolute: "Steller · Digital gift cards through one API" },
  description: "Sell digital gift cards from hundreds of brands through one API: a free sandbox in a minute, a prepaid wallet, live when you are ready.",
};

const AUDIENCES = [
  { icon: Gift, title: "Rewards and loyalty platforms", text: "Turn points into gift cards your members actually want, delivered the moment they redeem." },
  {
    icon: BadgeCheck,
    title: "Employee incentives and benefits",
    text: "Send thank-yous, bonuses and perks in dozens of countries without buying cards by hand.",
  },
  {
    icon: Globe2,
    title: "Marketplaces, fintechs and apps",
    text: "Add gift cards to your product with a few API calls, at your own prices, under your own brand.",
  },
];

const STEPS = [
  { icon: KeyRound, title: "Sign up", text: "A free account gives you a sandbox API key and test funds at once. No card, no call." },
  { icon: Code2, title: "Build in the sandbox", text: "Order test cards from the console or the API, follow them to completion, try every failure path." },
  { icon: Wallet, title: "Fund your wallet", text: "Top up a prepaid wallet by bank transfer. Orders draw on it; every movement is on your statement." },
  { icon: Rocket, title: "Go live", text: "Tell us about your business. Once approved, create live keys and sell real cards." },
];

const FEATURES = [
  { icon: RefreshCcw, title: "Idempotent orders", text: "Every order carries your reference: a retried request never buys twice." },
  { icon: Webhook, title: "Signed webhooks", text: "Order events signed the Standard Webhooks way, retried with backoff, replayable." },
  { icon: ShieldCheck, title: "Money done carefully", text: "Decimal amounts, a double-entry ledger, card codes encrypted at rest." },
];

async function loadShowcase(): Promise<CatalogShowcase | null> {
  try {
    return await cachedCatalogShowcase(getDb(), { brandLimit: 24 });
  } catch (error) {
    console.error("[landing] catalog showcase unavailable:", error instanceof Error ? error.message : error);
    return null;
  }
}

function quickstart(origin: string) {
  return `# 1. Sign up: a sandbox key and test funds, in one call
curl -s ${origin}/api/v1/public/signup \\
  -H "Content-Type: application/json" \\
  -d '{"companyName":"Acme Rewards","contactName":"Ada Lovelace",
       "email":"ada@acme.example","password":"a-long-password","country":"GB"}'

export STELLER_API_KEY=stlr_test_...   # apiKey.secret from the answer

# 2. Browse the catalog
curl -s "${origin}/api/v1/catalog?brand=steller&country=US" \\
  -H "x-api-key: $STELLER_API_KEY"

# 3. Order a card (referenceId makes retries safe)
curl -s ${origin}/api/v1/orders \\
  -H "x-api-key: $STELLER_API_KEY" -H "Content-Type: application/json" \\
  -d '{"sku":"BAM-990001","faceValue":"25.00","quantity":1,"referenceId":"my-order-1"}'

# 4. Poll it until "completed": the card code is in cards[0].code
curl -s ${origin}/api/v1/orders/ord_... -H "x-api-key: $STELLER_API_KEY"`;
}

export default async function Home() {
  const [showcase, origin] = await Promise.all([loadShowcase(), publicOrigin()]);
  return (
    <div className="flex min-h-screen flex-col bg-white">
      <SiteHeader />
      <main id="main" className="flex-1">
        {/* Hero */}
        <section className="relative overflow-hidden border-b border-slate-200 bg-gradient-to-b from-brand-50 via-white to-white">
          <div className="mx-auto grid max-w-6xl gap-12 px-4 py-16 sm:px-6 sm:py-24 lg:grid-cols-2 lg:items-center">
            <div>
              <p className="inline-flex items-center gap-2 rounded-full border border-brand-100 bg-white px-3 py-1 text-xs font-semibold text-brand-700">
                Gift card API for businesses
              </p>
              <h1 className="mt-5 text-4xl font-bold tracking-tight text-slate-950 sm:text-5xl">
                Digital gift cards from hundreds of brands, through one API.
              </h1>
              <p className="mt-5 max-w-xl text-lg leading-relaxed text-slate-700">
                Steller lets your business buy and deliver gift cards in seconds: fund a prepaid wallet, order at your own prices, get the codes back by API or
                webhook. Start free in the sandbox; your first test card takes under a minute.
              </p>
              <div className="mt-8 flex flex-wrap gap-3">
                <ButtonLink href={PORTAL_LINKS.signUp} size="lg">
                  Create a free sandbox account <ArrowRight aria-hidden className="size-4" />
                </ButtonLink>
                <ButtonLink href={PORTAL_LINKS.docs} size="lg" variant="secondary">
                  Read the docs
                </ButtonLink>
              </div>
              <p className="mt-4 text-sm text-slate-600">No credit card. Sandbox key and test funds the moment you sign up.</p>
            </div>
            <div className="min-w-0">
              <CodeBlock
                title="Order a card"
                code={`curl ${origin}/api/v1/orders \\
  -H "x-api-key: $STELLER_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"sku":"BAM-990001","faceValue":"25.00",
       "quantity":1,"referenceId":"order-1042"}'
# 202 {"id":"ord_8mwq3k…","status":"pending",…}

curl ${origin}/api/v1/orders/ord_8mwq3k… \\
  -H "x-api-key: $STELLER_API_KEY"
# {"status":"completed",
#  "cards":[{"code":"TEST-7Q2M-…"}],…}`}
                className="shadow-xl shadow-brand-900/10"
              />
            </div>
          </div>
        </section>

        {/* Who it is for */}
        <section aria-labelledby="who" className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
          <h2 id="who" className="text-2xl font-semibold tracking-tight text-slate-950 sm:text-3xl">
            Built for businesses that reward, thank or sell
          </h2>
          <p className="mt-3 max-w-2xl text-slate-700">
            If your customers, members or employees should receive a gift card, Steller is the part that buys it and hands you the code.
          </p>
          <ul className="mt-10 grid gap-6 md:grid-cols-3">
            {AUDIENCES.map(({ icon: Icon, title, text }) => (
              <li key={title} className="rounded-xl border border-slate-200 p-6">
                <Icon aria-hidden className="size-6 text-brand-600" />
                <h3 className="mt-4 font-semibold text-slate-950">{title}</h3>
                <p className="mt-2 text-sm leading-relaxed text-slate-700">{text}</p>
              </li>
            ))}
          </ul>
        </section>

        {/* How it works */}
        <section aria-labelledby="how" className="border-y border-slate-200 bg-slate-50">
          <div className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
            <h2 id="how" className="text-2xl font-semibold tracking-tight text-slate-950 sm:text-3xl">
              How it works
            </h2>
            <ol className="mt-10 grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
              {STEPS.map(({ icon: Icon, title, text }, i) => (
                <li key={title} className="relative rounded-xl border border-slate-200 bg-white p-6">
                  <div className="flex items-center gap-3">
                    <span className="flex size-8 items-center justify-center rounded-full bg-brand-600 text-sm font-semibold text-white">{i + 1}</span>
                    <Icon aria-hidden className="size-5 text-slate-500" />
                  </div>
                  <h3 className="mt-4 font-semibold text-slate-950">{title}</h3>
                  <p className="mt-2 text-sm leading-relaxed text-slate-700">{text}</p>
                </li>
              ))}
            </ol>
          </div>
        </section>

        {/* Catalog at a glance */}
        <section aria-labelledby="catalog" className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
          <h2 id="catalog" className="text-2xl font-semibold tracking-tight text-slate-950 sm:text-3xl">
            The catalog at a glance
          </h2>
          {showcase && showcase.products > 0 ? (
            <>
              <dl className="mt-8 grid grid-cols-2 gap-4 sm:grid-cols-4" data-testid="catalog-stats">
                {[
                  ["Brands", String(showcase.brands)],
                  ["Products", String(showcase.products)],
                  ["Countries", String(showcase.countries.length)],
                  ["Currencies", showcase.currencies.join(" · ")],
                ].map(([term, value]) => (
                  <div key={term} className="rounded-xl border border-slate-200 p-5">
                    <dt className="text-sm text-slate-600">{term}</dt>
                    <dd className="mt-1 text-2xl font-semibold tracking-tight text-slate-950">{value}</dd>
                  </div>
                ))}
              </dl>
              <ul className="mt-8 flex flex-wrap gap-2" aria-label="Some of the brands">
                {showcase.brandNames.map((name) => (
                  <li key={name} className="rounded-full border border-slate-200 bg-slate-50 px-3 py-1 text-sm text-slate-800">
                    {name}
                  </li>
                ))}
              </ul>
              <p className="mt-4 text-sm text-slate-600">Available in {showcase.countries.join(", ")}. Sign up to browse every product and price.</p>
            </>
          ) : (
            <p className="mt-4 text-slate-700">The catalog is being loaded from our card supplier. Sign up to browse it as soon as it is in.</p>
          )}
        </section>

        {/* Quickstart */}
        <section id="quickstart" aria-labelledby="quickstart-title" className="scroll-mt-8 border-t border-slate-200 bg-slate-50">
          <div className="mx-auto grid max-w-6xl gap-10 px-4 py-16 sm:px-6 lg:grid-cols-[1fr_1.4fr]">
            <div>
              <h2 id="quickstart-title" className="text-2xl font-semibold tracking-tight text-slate-950 sm:text-3xl">
                Quickstart: a first API call in five minutes
              </h2>
              <p className="mt-3 text-slate-700">
                Four requests from nothing to a card code. Or skip the terminal: sign up and order a test card from the sandbox console.
              </p>
              <ul className="mt-8 space-y-5">
                {FEATURES.map(({ icon: Icon, title, text }) => (
                  <li key={title} className="flex gap-3">
                    <Icon aria-hidden className="mt-0.5 size-5 shrink-0 text-brand-600" />
                    <div>
                      <p className="font-medium text-slate-950">{title}</p>
                      <p className="text-sm text-slate-700">{text}</p>
                    </div>
                  </li>
                ))}
              </ul>
              <p className="mt-8 text-sm text-slate-700">
                Every endpoint, field and error code is in the{" "}
                <a href={PORTAL_LINKS.apiReference} className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900">
                  OpenAPI document
                </a>
                .
              </p>
            </div>
            <div className="min-w-0">
              <CodeBlock title="Quickstart with curl" code={quickstart(origin)} />
            </div>
          </div>
        </section>

        {/* Call to action */}
        <section className="bg-brand-900">
          <div className="mx-auto flex max-w-6xl flex-col items-start gap-6 px-4 py-14 sm:px-6 md:flex-row md:items-center md:justify-between">
            <div>
              <h2 className="text-2xl font-semibold tracking-tight text-white">Your first test gift card is a minute away</h2>
              <p className="mt-2 text-brand-100">Free sandbox, test funds included, live when you are ready.</p>
            </div>
            <div className="flex flex-wrap gap-3">
              <ButtonLink href={PORTAL_LINKS.signUp} size="lg" className="bg-white text-brand-900 hover:bg-brand-50">
                Sign up free
              </ButtonLink>
              <ButtonLink href={PORTAL_LINKS.signIn} size="lg" variant="ghost" className="text-white hover:bg-white/10 hover:text-white">
                Sign in
              </ButtonLink>
            </div>
          </div>
        </section>
      </main>
      <SiteFooter />
    </div>
  );
}
