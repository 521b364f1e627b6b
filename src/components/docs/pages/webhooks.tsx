import { exampleBody, WEBHOOK_EVENT_CATALOG } from "@/server/webhooks/catalog";
import { MAX_ENDPOINTS } from "@/server/webhooks/endpoints";
import { DEFAULT_RETRY_SCHEDULE_MS } from "@/server/webhooks/runtime";
import { CodeBlock } from "@/components/ui/code-block";
import { C, Callout, DocSection, Table } from "../prose";
import { Sample } from "../sample";

const P = "webhooks";

const human = (ms: number) => (ms < 60_000 ? `${ms / 1000} s` : ms < 3_600_000 ? `${ms / 60_000} min` : `${ms / 3_600_000} h`);
const delays = DEFAULT_RETRY_SCHEDULE_MS.map(human);
const retryText = `${delays.slice(0, -1).join(", ")} and ${delays.at(-1)}`;
const totalHours = Math.round(DEFAULT_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0) / 3_600_000);

export function WebhooksPage() {
  return (
    <>
      <DocSection page={P} id="endpoints">
        <p>
          Register an HTTPS URL and the events it wants. The endpoint belongs to the environment of the key that created it (a test key gets sandbox events
          only). The answer holds the signing secret <C>whsec_…</C> <strong>once</strong>; store it like a password. You may register up to {MAX_ENDPOINTS}{" "}
          endpoints per environment.
        </p>
        <Sample file="create-webhook-endpoint.sh" />
      </DocSection>
      <DocSection page={P} id="events">
        <Table
          caption="Event types"
          head={["type", "when", "data"]}
          rows={WEBHOOK_EVENT_CATALOG.map((e) => [<C key="t">{e.type}</C>, e.when, <C key="d">{Object.keys(e.example).join(", ")}</C>])}
        />
        <p>
          Subscribe to <C>*</C> for everything. Bodies are thin, <C>{'{ "type", "timestamp", "data" }'}</C>: ids, states and amounts, never card codes. Fetch
          the order for its cards.
        </p>
        {WEBHOOK_EVENT_CATALOG.map((e) => (
          <CodeBlock key={e.type} title={`Example ${e.type} body`} code={JSON.stringify(exampleBody(e), null, 2)} className="my-3" />
        ))}
      </DocSection>
      <DocSection page={P} id="verifying">
        <p>
          Deliveries are signed the{" "}
          <a className="underline" href="https://www.standardwebhooks.com/">
            Standard Webhooks
          </a>{" "}
          way. Each has three headers: <C>webhook-id</C> (the event id, the same on every retry and replay), <C>webhook-timestamp</C> (unix seconds) and{" "}
          <C>webhook-signature</C> (<C>v1,&lt;base64&gt;</C> entries separated by spaces). The signature is an HMAC-SHA256 of{" "}
          <C>{"{webhook-id}.{webhook-timestamp}.{body}"}</C> keyed with the base64-decoded part of the secret after <C>whsec_</C>. Verify against the raw body,
          before parsing it:
        </p>
        <Sample file="verify-webhook.ts" />
        <p>
          Any Standard Webhooks library works too. While a secret is being rotated (<C>POST /api/v1/webhook-endpoints/&#123;id&#125;/rotate-secret</C>)
          deliveries are signed with both secrets for 24 hours, so your receiver can switch without missing an event.
        </p>
      </DocSection>
      <DocSection page={P} id="retries">
        <p>
          Answer any <C>2xx</C> within 10 seconds, then do the work; anything else (including a redirect, never followed) is a failed attempt. We retry after{" "}
          {retryText}: {DEFAULT_RETRY_SCHEDULE_MS.length + 1} attempts over about {totalHours} hours, after which the delivery is <C>exhausted</C>. Events may
          arrive more than once and out of order: deduplicate on <C>webhook-id</C> and read the order&apos;s current state.
        </p>
        <Callout tone="warn" title="Endpoints that keep failing are disabled">
          An endpoint failing for more than 3 days, or with 20 exhausted deliveries in a row, is disabled and your account&apos;s owners get an email. Re-enable
          it with <C>PATCH /api/v1/webhook-endpoints/&#123;id&#125;</C> <C>{'{ "enabled": true }'}</C>.
        </Callout>
      </DocSection>
      <DocSection page={P} id="replay">
        <p>
          Every delivery and each of its attempts is logged. List them, and send any event again (same <C>webhook-id</C>) once your receiver is fixed:
        </p>
        <Sample file="list-deliveries.sh" />
        <Sample file="replay-delivery.sh" />
      </DocSection>
      <DocSection page={P} id="testing">
        <p>
          Send a signed <C>webhook.test</C> event to check your receiver end to end:
        </p>
        <Sample file="test-webhook.sh" />
      </DocSection>
    </>
  );
}
