import { ERROR_KINDS } from "@/lib/errors";
import { ERROR_REFERENCE } from "@/server/rest/errors";
import { C, DocSection, Table } from "../prose";
import { Sample } from "../sample";

const P = "errors";

export function ErrorsPage() {
  const byStatus = [...ERROR_REFERENCE].sort((a, b) => a.status - b.status || a.code.localeCompare(b.code));
  return (
    <>
      <DocSection page={P} id="envelope">
        <p>Every error answers an HTTP status from the table below and one body shape, whatever went wrong:</p>
        <Table
          caption="The error envelope"
          head={["field", "meaning"]}
          rows={[
            [
              <C key="t">error.type</C>,
              "the broad class: invalid_request_error, authentication_error, permission_error, not_found_error, conflict_error, idempotency_error, payment_error, rate_limit_error, api_error",
            ],
            [<C key="c">error.code</C>, "a stable, specific code from the list below: switch on this one"],
            [<C key="m">error.message</C>, "for humans (your logs, your support team); it may be reworded at any time"],
            [<C key="p">error.param</C>, "when a parameter is at fault, its name (e.g. faceValue)"],
            [<C key="r">error.requestId</C>, "the request's id, also in the x-request-id header: quote it to support"],
          ]}
        />
        <Sample file="error.sh" />
      </DocSection>
      <DocSection page={P} id="handling">
        <ul className="list-disc space-y-1 pl-5">
          <li>
            <strong>4xx</strong>: the request is wrong as sent. Fix it, don&apos;t retry it unchanged, except <C>429</C> (wait for <C>Retry-After</C>).
          </li>
          <li>
            <strong>5xx</strong> and network errors: retry with backoff. Orders are idempotent by <C>referenceId</C>, so a retried order never buys twice.
          </li>
          <li>
            Codes are never renamed or reused for another meaning; new codes may be added (see{" "}
            <a className="underline" href="/docs/versioning">
              versioning
            </a>
            ). Treat an unknown code by its HTTP status.
          </li>
        </ul>
      </DocSection>
      <DocSection page={P} id="codes">
        <p>
          Every code the API answers with, generated from Steller&apos;s error vocabulary (the same list the API maps errors with, so this table cannot drift
          from it):
        </p>
        <div data-testid="error-codes">
          <Table
            caption="Every error code"
            head={["status", "code", "type", "meaning"]}
            rows={byStatus.map((e) => [
              <span key="s" className="font-mono">
                {e.status}
              </span>,
              <C key="c">{e.code}</C>,
              <span key="t" className="font-mono text-xs text-slate-600">
                {e.type}
              </span>,
              <span key="d" title={ERROR_KINDS[e.kind]}>
                {e.description}
              </span>,
            ])}
          />
        </div>
      </DocSection>
    </>
  );
}
