import Link from "next/link";
import { C, Callout, DocSection, Table } from "../prose";
import { Sample } from "../sample";

const P = "orders";

export function OrdersPage() {
  return (
    <>
      <DocSection page={P} id="create">
        <p>
          <C>POST /api/v1/orders</C> with a <C>sku</C>, a <C>faceValue</C>, a <C>quantity</C> (1–500) and your <C>referenceId</C>. The API checks the product
          and the value, debits <C>totalPrice</C> from your wallet in the same transaction and answers <C>202 Accepted</C> with the order in <C>pending</C>. The
          card supplier is called in the background, so the call is fast and never half-done: if the debit fails (<C>402 insufficient_funds</C>) nothing is
          ordered.
        </p>
        <Sample file="create-order.sh" />
      </DocSection>
      <DocSection page={P} id="idempotency">
        <p>
          Networks fail: a request can time out after the order was made. Every order therefore needs a <C>referenceId</C>, your own id for it (printable ASCII
          up to 128 characters; or the <C>Idempotency-Key</C> header, which must then match it; without either the API answers <C>400 missing_reference_id</C>).
          It makes retrying safe:
        </p>
        <ul className="list-disc space-y-1 pl-5">
          <li>
            The same <C>referenceId</C> with the same body answers <C>200</C> with the <strong>original</strong> order and the header{" "}
            <C>Idempotent-Replayed: true</C>. Nothing is bought or charged twice.
          </li>
          <li>
            The same <C>referenceId</C> with a different body answers <C>409 reference_conflict</C>: use a new reference for a new order.
          </li>
          <li>References are kept forever and are per environment: use your own order or line-item id.</li>
        </ul>
      </DocSection>
      <DocSection page={P} id="states">
        <Table
          caption="Order states"
          head={["status", "meaning", "final?"]}
          rows={[
            [<C key="p">pending</C>, "accepted and paid; not yet placed with the card supplier", "no"],
            [<C key="r">processing</C>, "placed; waiting for the supplier to issue the cards", "no"],
            [
              <C key="c">completed</C>,
              <>
                cards delivered. If the supplier delivered fewer than <C>quantity</C>, <C>cardsDelivered</C> says how many and <C>refundedAmount</C> what was
                refunded
              </>,
              "yes",
            ],
            [
              <C key="f">failed</C>,
              <>
                no card delivered; <C>failure.code</C> says why and the whole price is refunded to your wallet
              </>,
              "yes",
            ],
          ]}
        />
        <p>
          An order only moves forward. A supplier answer we cannot trust (lost, malformed, the wrong cards) never refunds blind: the order stays{" "}
          <C>processing</C> while we check with the supplier, so you are never refunded for a card that was in fact issued, nor charged for one that was not.
        </p>
      </DocSection>
      <DocSection page={P} id="polling">
        <p>
          <C>GET /api/v1/orders/&#123;id&#125;</C> answers the order as it is now. Poll every second or two until it is <C>completed</C> or <C>failed</C>, or
          better, subscribe to the <C>order.completed</C> and <C>order.failed</C>{" "}
          <Link className="underline" href="/docs/webhooks">
            webhooks
          </Link>{" "}
          and fetch the order when one arrives.
        </p>
        <Sample file="get-order.sh" />
        <Sample file="poll-order.sh" />
      </DocSection>
      <DocSection page={P} id="cards">
        <p>
          A completed order carries <C>cards</C>: each with a <C>code</C>, and where the brand uses them a <C>pin</C>, a <C>serialNumber</C> and an{" "}
          <C>expiresAt</C>. Codes are stored encrypted and only ever sent over the API to you. Webhooks never contain codes.
        </p>
      </DocSection>
      <DocSection page={P} id="finding">
        <p>
          <C>GET /api/v1/orders</C> lists your orders, newest first, filtered by <C>status</C>, <C>referenceId</C>, <C>from</C> and <C>to</C>. After a crash,
          look an order up by your reference before deciding to order again:
        </p>
        <Sample file="find-order.sh" />
      </DocSection>
      <DocSection page={P} id="wallet">
        <p>
          Orders draw on your wallet (<C>GET /api/v1/wallet</C>); every movement is in <C>GET /api/v1/wallet/transactions</C> and the CSV statement. Amounts are
          decimal strings with up to four decimals; add them with a decimal library, not floats.
        </p>
        <Callout title="Refunds are automatic">
          A failed order, or the missing cards of a partial one, are credited back to the wallet they were paid from.
        </Callout>
      </DocSection>
    </>
  );
}
