import Decimal from "decimal.js";

/**
 * Vendor amounts are JSON numbers. `JSON.parse` would turn `24.1` into a float, and Node 20
 * has no access to a number's source text in a reviver, so we rewrite the raw text first:
 * every number token outside a string becomes a string with its literal digits, then the
 * zod schemas turn those strings into decimal strings (money) or safe integers (ids).
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  // Left to right, a string literal is consumed whole before any number inside it could match.
  return JSON.parse(text.replace(STRING_OR_NUMBER, (m) => (m[0] === '"' ? m : `"${m}"`)));
}

const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

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
