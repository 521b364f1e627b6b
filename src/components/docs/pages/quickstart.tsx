import Link from "next/link";
import { CodeBlock } from "@/components/ui/code-block";
import { C, Callout, DocSection } from "../prose";
import { Sample } from "../sample";

const P = "";

export function QuickstartPage({ origin }: { origin: string }) {
  return (
    <>
      <DocSection page={P} id="setup">
        <p>
          Steller sells digital gift cards from hundreds of brands through one REST API, paid from a prepaid wallet. Everything below runs against the{" "}
          <strong>sandbox</strong>: test money, test cards, the same API. You need <C>curl</C> and a shell; nothing to install. Prefer clicking? The{" "}
          <Link className="font-medium text-brand-700 underline underline-offset-2" href="/signup">
            signup page
          </Link>{" "}
          and the sandbox console do the same without code.
        </p>
        <p>Every sample on these pages reads the API&apos;s address from one variable. Set it once:</p>
        <CodeBlock title="Shell" code={`export STELLER_URL=${origin}`} />
      </DocSection>
      <DocSection page={P} id="sign-up">
        <p>
          Create an account. The answer holds your sandbox API key in <C>apiKey.secret</C> (it starts with <C>stlr_test_</C> and is <strong>shown once</strong>)
          and the test funds in your sandbox wallet.
        </p>
        <Sample file="signup.sh" />
        <p>Keep the key in an environment variable, never in your code:</p>
        <CodeBlock title="Shell" code={"export STELLER_API_KEY=stlr_test_...   # apiKey.secret from the answer"} />
      </DocSection>
      <DocSection page={P} id="catalog">
        <p>
          List what you can sell. Each product has a <C>sku</C>, a brand and country, its face values (fixed, or a range) and <C>unitPrice</C>: what one card
          costs you.
        </p>
        <Sample file="catalog.sh" />
      </DocSection>
      <DocSection page={P} id="order">
        <p>
          Order a card with a SKU, a face value (a decimal string, never a float) and your own <C>referenceId</C>. The API answers <C>202</C> with the order in{" "}
          <C>pending</C>: the price is already debited from your wallet and the card is bought in the background.
        </p>
        <Sample file="create-order.sh" />
        <CodeBlock title="Shell" code={"export ORDER_ID=ord_...   # id from the answer"} />
      </DocSection>
      <DocSection page={P} id="poll">
        <p>
          Fetch the order until it is <C>completed</C> (a few seconds in the sandbox). The card&apos;s code is in <C>cards[0].code</C>. In production, let{" "}
          <Link className="font-medium text-brand-700 underline underline-offset-2" href="/docs/webhooks">
            webhooks
          </Link>{" "}
          tell you instead.
        </p>
        <Sample file="poll-order.sh" />
        <Callout title="That's it">
          You ordered a (test) gift card. Next:{" "}
          <Link className="underline" href="/docs/orders">
            orders in depth
          </Link>
          , the{" "}
          <Link className="underline" href="/docs/sandbox">
            magic values
          </Link>{" "}
          that make the sandbox fail on purpose, and{" "}
          <Link className="underline" href="/docs/going-live">
            going live
          </Link>
          .
        </Callout>
      </DocSection>
      <DocSection page={P} id="typescript">
        <p>
          The same four steps with the typed{" "}
          <Link className="font-medium text-brand-700 underline underline-offset-2" href="/docs/sdk">
            TypeScript SDK
          </Link>
          . Paths, parameters and fields are checked by the compiler against the API&apos;s OpenAPI document.
        </p>
        <Sample file="quickstart.ts" />
      </DocSection>
    </>
  );
}
