import { C, DocSection } from "../prose";

const P = "versioning";

export function VersioningPage() {
  return (
    <>
      <DocSection page={P} id="policy">
        <p>
          The version is in the path: <C>/api/v1</C>. Within v1 we only make <strong>backwards-compatible</strong> changes, which your code must accept:
        </p>
        <ul className="list-disc space-y-1 pl-5">
          <li>new endpoints, new optional parameters and headers;</li>
          <li>new fields in answers and webhook payloads (ignore fields you don&apos;t know);</li>
          <li>new error codes, event types and enum values (treat unknown ones by their HTTP status or ignore them);</li>
          <li>
            changed <C>message</C> texts, new products and brands in the catalog.
          </li>
        </ul>
        <p>
          Removing or renaming a field, changing its type or meaning, making an optional parameter required or changing an error code&apos;s meaning are
          breaking changes: they only happen in a new version (<C>/api/v2</C>), and v1 keeps working beside it.
        </p>
      </DocSection>
      <DocSection page={P} id="deprecations">
        <p>
          When something in v1 is to go away, we announce it by email to your account&apos;s owners and developers and in the changelog at least 6 months ahead
          (12 months for a whole version), mark it <C>deprecated</C> in the OpenAPI document, and answer calls that use it with <C>Deprecation</C> and{" "}
          <C>Sunset</C> headers (RFC 9745, RFC 8594) so your monitoring can find them. Nothing in v1 is deprecated today, so no call answers with these headers
          yet.
        </p>
      </DocSection>
      <DocSection page={P} id="changelog">
        <p>
          The OpenAPI document at <C>/api/v1/openapi.json</C> is the contract: the reference and the SDK are generated from it. Watch it, or regenerate the SDK,
          to see what changed.
        </p>
      </DocSection>
    </>
  );
}
