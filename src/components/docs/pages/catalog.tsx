import { C, DocSection, Table } from "../prose";
import { Sample } from "../sample";

const P = "catalog";

export function CatalogPage() {
  return (
    <>
      <DocSection page={P} id="listing">
        <p>
          <C>GET /api/v1/catalog</C> lists the products your key may order. Filter with <C>brand</C> (part of the brand name), <C>country</C> (ISO 3166 alpha-2,
          e.g. <C>US</C>) and <C>currency</C> (the card&apos;s face currency, ISO 4217). A test key sees the whole sandbox catalog; a live key sees the products
          approved for your account.
        </p>
        <Sample file="catalog.sh" />
      </DocSection>
      <DocSection page={P} id="denominations">
        <p>A product is sold either at fixed face values or at any value in a range:</p>
        <Table
          caption="Denominations"
          head={["denomination.type", "fields", "what to send as faceValue"]}
          rows={[
            [<C key="f">fixed</C>, <C key="ff">faceValue</C>, "exactly that value"],
            [
              <C key="r">range</C>,
              <>
                <C>minFaceValue</C>, <C>maxFaceValue</C>
              </>,
              'any value in the range, to the cent (e.g. "25.00")',
            ],
          ]}
        />
        <p>
          A value the product does not allow answers <C>422 invalid_face_value</C>. Amounts are always <strong>decimal strings</strong> (
          <C>&quot;25.00&quot;</C>), never JSON numbers, so no value is ever rounded by a floating-point parser.
        </p>
      </DocSection>
      <DocSection page={P} id="pricing">
        <p>
          <C>unitPrice</C> is what one card costs you, in <C>priceCurrency</C> (your wallet&apos;s currency), at the product&apos;s (minimum) face value; for a
          ranged product the price scales with the face value. The order answer states the exact <C>unitPrice</C> and <C>totalPrice</C> debited. You set your
          own resale price: Steller never shows your customers anything.
        </p>
      </DocSection>
      <DocSection page={P} id="pagination">
        <p>
          Every list answers <C>{"{ data, hasMore, nextCursor }"}</C>. Ask for up to <C>limit</C> items (1–100, default 20); while <C>hasMore</C> is true, pass{" "}
          <C>nextCursor</C> as <C>startingAfter</C> to get the next page. Cursors are ids, so a page never skips or repeats an item when new ones arrive.
        </p>
      </DocSection>
    </>
  );
}
