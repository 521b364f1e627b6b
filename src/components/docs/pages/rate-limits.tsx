import { env } from "@/lib/env";
import { C, DocSection, Table } from "../prose";
import { Sample } from "../sample";

const P = "rate-limits";

export function RateLimitsPage() {
  const e = env();
  return (
    <>
      <DocSection page={P} id="limits">
        <p>
          Each API key has a token bucket: bursts of up to <strong>{e.API_RATE_BURST}</strong> requests, refilled at <strong>{e.API_RATE_PER_SECOND}</strong>{" "}
          requests per second, shared by all our servers. Beyond it the API answers <C>429 rate_limited</C>. Signup is limited per IP address, and statement
          downloads to one at a time per account. Need more? Contact us with your expected volume.
        </p>
      </DocSection>
      <DocSection page={P} id="headers">
        <Table
          caption="Rate-limit headers"
          head={["header", "meaning"]}
          rows={[
            [<C key="l">RateLimit-Limit</C>, "the bucket's size"],
            [<C key="r">RateLimit-Remaining</C>, "requests left right now"],
            [<C key="s">RateLimit-Reset</C>, "seconds until the bucket is full again (after a 429: until the next request may pass)"],
            [<C key="a">Retry-After</C>, "on 429 and 503: seconds to wait before retrying"],
          ]}
        />
      </DocSection>
      <DocSection page={P} id="retrying">
        <p>
          Retry <C>429</C>, <C>5xx</C> and network errors, waiting <C>Retry-After</C> when given and otherwise backing off exponentially with jitter; never
          retry other 4xx unchanged. Orders are safe to retry with the same <C>referenceId</C>.
        </p>
        <Sample file="retries.ts" />
      </DocSection>
    </>
  );
}
