import Link from "next/link";
import { C, Callout, DocSection, Table } from "../prose";
import { Sample } from "../sample";

const P = "authentication";

export function AuthenticationPage() {
  return (
    <>
      <DocSection page={P} id="keys">
        <p>
          Every call except signup carries an API key, in the <C>x-api-key</C> header or as <C>Authorization: Bearer &lt;key&gt;</C>. A missing or wrong key
          answers <C>401</C> with one of <C>missing_api_key</C>, <C>invalid_api_key</C>, <C>revoked_api_key</C> or <C>expired_api_key</C>. Keys belong to your
          company (the partner), not to a person, and are created and revoked in the dashboard under <strong>API keys</strong>.
        </p>
        <Sample file="wallet.sh" />
      </DocSection>
      <DocSection page={P} id="test-vs-live">
        <Table
          caption="Test and live keys"
          head={["", "Test key", "Live key"]}
          rows={[
            ["Prefix", <C key="t">stlr_test_</C>, <C key="l">stlr_live_</C>],
            ["Reaches", "the sandbox: test money, a simulated card supplier", "real cards, bought from your funded wallet"],
            ["Wallet", "sandbox wallet, granted test funds at signup", "live wallet, funded by bank transfer"],
            ["Available", "at once, from signup", "once your live access is approved (see Going live)"],
          ]}
        />
        <p>
          The environment is the key&apos;s: the same URLs serve both, and nothing crosses between them. An order, a webhook endpoint or a wallet made with a
          test key is invisible to a live key, and the reverse. Build and test everything with a test key; switching to live is a change of key.
        </p>
      </DocSection>
      <DocSection page={P} id="rotation">
        <p>
          Rotate a key on a schedule or as soon as it may have leaked. Rotation gives you a new key at once and keeps the old one working for{" "}
          <C>overlapSeconds</C> (default 24 hours, at most 30 days), long enough to deploy the new one; after that the old key answers{" "}
          <C>401 expired_api_key</C>. Through the API a key can rotate or revoke only itself (<C>key_not_self</C> otherwise): manage your other keys in the
          dashboard.
        </p>
        <Sample file="rotate-key.sh" />
        <p>
          Revoking (<C>POST /api/v1/keys/&#123;id&#125;/revoke</C>, or the dashboard) ends a key immediately.
        </p>
      </DocSection>
      <DocSection page={P} id="ip-allowlists">
        <p>
          A key may carry an IP allowlist of addresses and CIDR ranges (IPv4 or IPv6), set in the dashboard. A request from any other address answers{" "}
          <C>403 ip_not_allowed</C>. An empty allowlist allows every address. Use it for live keys called from servers with fixed egress addresses.
        </p>
      </DocSection>
      <DocSection page={P} id="keeping-keys-safe">
        <ul className="list-disc space-y-1 pl-5">
          <li>Keep keys in your secret store or environment variables, never in source control or in a browser or mobile app.</li>
          <li>Use one key per system so you can rotate or revoke one without touching the others.</li>
          <li>We store only a hash of each key: we cannot show it again. A lost key is replaced, not recovered.</li>
        </ul>
        <Callout tone="warn" title="Think a key leaked?">
          Revoke it in the{" "}
          <Link className="underline" href="/dashboard/api-keys">
            dashboard
          </Link>{" "}
          now, then create a new one. Requests with the old key stop at once.
        </Callout>
      </DocSection>
    </>
  );
}
