/** Keys whose values are card secrets: never stored or logged in clear. */
const SECRET_FIELD = /"(cardCode|code|cardNumber|pin|pinCode|redemptionCode)"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/gi;

const MAX_BODY = 64_000;

function maskValue(raw: string): string {
  const inner = raw.startsWith('"') ? raw.slice(1, -1) : raw;
  // Keep the last 4 characters of long codes so support can tell cards apart; PINs are too short to keep any.
  return inner.length >= 12 ? `"****${inner.slice(-4)}"` : '"****"';
}

/**
 * Masks card codes and PINs in a vendor request or response body (JSON or not, valid or not),
 * working on the raw text so numbers keep their digits, and caps the size kept.
 */
export function maskVendorBody(body: string | null | undefined): string | null {
  if (body == null) return null;
  const masked = body.replace(SECRET_FIELD, (_m, key: string, sep: string, value: string) => `"${key}"${sep}${maskValue(value)}`);
  return masked.length > MAX_BODY ? `${masked.slice(0, MAX_BODY)}…[truncated ${masked.length - MAX_BODY} chars]` : masked;
}
