import Decimal from "decimal.js";

/**
 * Vendor amounts are JSON numbers. `JSON.parse` would turn `24.1` into a float, and Node 20
 * has no access to a number's source text in a reviver, so we rewrite the raw text first:
 * every number token outside a string becomes a string with its literal digits, then the
 * zod schemas turn those strings into decimal strings (money) or safe integers (ids).
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  let out = "";
  let i = 0;
  const n = text.length;
  const numberToken = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      // Copy the whole string literal, escapes included.
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      numberToken.lastIndex = i;
      const m = numberToken.exec(text);
      if (!m) throw new SyntaxError(`Invalid number at position ${i}`);
      out += `"${m[0]}"`;
      i += m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out);
}

const NUMERIC = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A JSON number's literal text as a plain decimal string (`"24.10"` → `"24.1"`, `"1e2"` → `"100"`). */
export function toDecimalString(literal: string): string | null {
  if (!NUMERIC.test(literal)) return null;
  return new Decimal(literal).toFixed();
}

const RAW = "\u0000raw-number:";

/** Marks a decimal string so `stringifyWithRawNumbers` writes it as a bare JSON number. */
export function rawNumber(decimal: string | number): string {
  const s = String(decimal);
  if (!NUMERIC.test(s)) throw new Error(`not a decimal: ${s}`);
  return RAW + s;
}

/** JSON.stringify, except values made by `rawNumber` become JSON numbers with their exact digits. */
export function stringifyWithRawNumbers(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000raw-number:([-0-9.eE+]+)"/g, "$1");
}
