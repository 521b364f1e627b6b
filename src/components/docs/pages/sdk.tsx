import { CodeBlock } from "@/components/ui/code-block";
import { C, DocSection } from "../prose";
import { Sample } from "../sample";

const P = "sdk";

export function SdkPage() {
  return (
    <>
      <DocSection page={P} id="install">
        <p>
          <C>@steller/sdk</C> is a small typed client: its types are generated from the API&apos;s own OpenAPI document (<C>/api/v1/openapi.json</C>) with{" "}
          <C>openapi-typescript</C>, and calls go through <C>openapi-fetch</C>, a thin wrapper over <C>fetch</C>. Every path, parameter, body and answer is
          typed; a misspelt field fails to compile. It runs on Node.js 18+, Deno, Bun and edge runtimes.
        </p>
        <CodeBlock
          title="TypeScript"
          code={`import { createSteller } from "@steller/sdk";

const steller = createSteller({ baseUrl: process.env.STELLER_URL!, apiKey: process.env.STELLER_API_KEY });`}
        />
      </DocSection>
      <DocSection page={P} id="calls">
        <p>
          Calls name the path as the reference shows it and answer <C>{"{ data, error, response }"}</C>. <C>unwrap()</C> returns the data or throws a{" "}
          <C>StellerError</C> with the API&apos;s <C>status</C>, <C>code</C>, <C>param</C> and <C>requestId</C>; <C>waitForOrder()</C> polls an order to its
          end. The quickstart, through the SDK:
        </p>
        <Sample file="quickstart.ts" />
      </DocSection>
      <DocSection page={P} id="retries">
        <p>
          Pass your own <C>fetch</C> to add retries, logging or timeouts to every call. This one retries 429 and 5xx answers after <C>Retry-After</C> (or with
          exponential backoff and jitter):
        </p>
        <Sample file="retries.ts" />
      </DocSection>
    </>
  );
}
