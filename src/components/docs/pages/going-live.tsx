import Link from "next/link";
import { C, Callout, DocSection } from "../prose";

const P = "going-live";

export function GoingLivePage() {
  return (
    <>
      <DocSection page={P} id="checklist">
        <ol className="list-decimal space-y-2 pl-5">
          <li>
            Your integration handles completed, partially completed and failed orders (try every{" "}
            <Link className="underline" href="/docs/sandbox">
              magic value
            </Link>
            ).
          </li>
          <li>
            It retries safely: the same <C>referenceId</C> for a retried order, backoff on <C>429</C> and <C>5xx</C>.
          </li>
          <li>
            Your webhook receiver verifies signatures, answers fast and deduplicates on <C>webhook-id</C>.
          </li>
          <li>You verified your email address (the link in the welcome email).</li>
          <li>
            An owner of your account requests live access from the dashboard: legal name, registration number, website, expected monthly volume and use case. We
            review it, usually within one business day, and you hear back by email.
          </li>
        </ol>
        <Callout title="Until live access is approved">Live keys cannot be created, and the dashboard says why.</Callout>
      </DocSection>
      <DocSection page={P} id="funding">
        <p>
          Live orders draw on your live wallet. Ask for a top-up in the dashboard or with <C>POST /api/v1/wallet/topup-requests</C>, pay by bank transfer with
          the reference given, and the wallet is credited when the transfer is approved (a <C>topup.approved</C> webhook tells you). A <C>wallet.low_balance</C>{" "}
          webhook warns you before you run out.
        </p>
      </DocSection>
      <DocSection page={P} id="switching">
        <p>
          Create a live key (<C>stlr_live_…</C>) in the dashboard, register your live webhook endpoints with it, and deploy it in place of the test key. Nothing
          else changes: same URLs, same code.
        </p>
      </DocSection>
    </>
  );
}
