import Link from "next/link";
import { magicValues } from "@/app/dashboard/console/magic-values";
import { C, Callout, DocSection, Table } from "../prose";
import { Sample } from "../sample";

const P = "sandbox";

export function SandboxPage() {
  const values = magicValues();
  return (
    <>
      <DocSection page={P} id="sandbox">
        <p>
          A test key (<C>stlr_test_…</C>) reaches the sandbox: the same API, a sandbox wallet of test money granted at signup, and a simulated card supplier
          that sells every product of the catalog. Sandbox cards look real (<C>TEST-XXXX-XXXX-XXXX</C> with a PIN) and are worth nothing. Orders take a few
          seconds, as they would live, and send the same webhooks.
        </p>
        <p>
          The{" "}
          <Link className="underline" href="/dashboard/console">
            sandbox console
          </Link>{" "}
          in the dashboard orders test cards without code, with every magic value below offered by name.
        </p>
      </DocSection>
      <DocSection page={P} id="magic-values">
        <p>
          Face values with certain cents make the sandbox supplier take a specific path, so you can see how your integration handles each before it happens
          live. Use a product with a range of face values (e.g. <C>BAM-990001</C>, 1.00–1000.00 USD); any value not listed behaves normally. This table is read
          from the sandbox supplier itself.
        </p>
        <Table
          caption="Sandbox magic values"
          head={["face value ends in", "quantity", "path", "what you will see"]}
          rows={values.map((v) => [
            <C key="c">{v.cents}</C>,
            v.minQuantity > 1 ? `${v.minQuantity} or more` : "any",
            <span key="l" className="font-medium text-slate-900" data-magic={v.name}>
              {v.label}
            </span>,
            v.outcome,
          ])}
        />
      </DocSection>
      <DocSection page={P} id="example">
        <p>
          A face value ending in <C>.13</C>: the order is accepted (<C>202</C>), the supplier refuses it as out of stock, the order ends <C>failed</C> with a{" "}
          <C>failure.code</C>, <C>order.failed</C> is sent, and the price is back in your wallet.
        </p>
        <Sample file="sandbox-out-of-stock.sh" />
        <Callout title="Magic values exist only in the sandbox">Live orders are never affected by the cents of a face value.</Callout>
      </DocSection>
    </>
  );
}
