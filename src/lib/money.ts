import DecimalBase from "decimal.js";
import { DomainError } from "./errors";

/**
 * Money as decimal strings. Amounts are stored as numeric(19,4) in Postgres, so a valid amount
 * has at most 15 integer digits and 4 decimals. Arithmetic goes through decimal.js (a private
 * clone, so nobody's global Decimal settings change ours); never through a JS number.
 */
const Decimal = DecimalBase.clone({ precision: 40, rounding: DecimalBase.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
type Decimal = InstanceType<typeof Decimal>;

/** A decimal string such as "25.0000". Canonical amounts have exactly 4 decimals. */
export type Amount = string;
/** ISO-4217 code, upper case. */
export type Currency = string;
export interface Money {
  amount: Amount;
  currency: Currency;
}

export const AMOUNT_SCALE = 4;
const MAX_INTEGER_DIGITS = 15;
const AMOUNT_PATTERN = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?$/;

export type InvalidAmountReason = "not_a_string" | "malformed" | "too_many_decimals" | "too_large" | "negative" | "zero";

export class InvalidAmountError extends DomainError<"invalid_amount"> {
  constructor(
    readonly input: unknown,
    readonly reason: InvalidAmountReason,
  ) {
    super("invalid_amount", `invalid amount ${JSON.stringify(input)}: ${reason.replace(/_/g, " ")}`);
    this.name = "InvalidAmountError";
  }
}

export class InvalidCurrencyError extends DomainError<"invalid_currency"> {
  constructor(readonly input: unknown) {
    super("invalid_currency", `invalid currency ${JSON.stringify(input)}: expected a 3-letter ISO code such as "USD"`);
    this.name = "InvalidCurrencyError";
  }
}

export interface ParseAmountOptions {
  /** Accept amounts below zero (adjustments). Default false. */
  allowNegative?: boolean;
  /** Accept zero. Default true. */
  allowZero?: boolean;
}

/**
 * Parses a plain decimal string ("25", "25.5", "-3.1250") into a canonical 4-decimal amount.
 * Rejects numbers, exponents, NaN/Infinity, signs other than a leading "-", surrounding blanks,
 * more than 4 decimals and anything that does not fit numeric(19,4).
 */
export function parseAmount(input: unknown, opts: ParseAmountOptions = {}): Amount {
  if (typeof input !== "string") throw new InvalidAmountError(input, "not_a_string");
  const m = AMOUNT_PATTERN.exec(input);
  if (!m) throw new InvalidAmountError(input, "malformed");
  const [, sign, integer, fraction = ""] = m;
  if (fraction.length > AMOUNT_SCALE) throw new InvalidAmountError(input, "too_many_decimals");
  if (integer!.length > MAX_INTEGER_DIGITS) throw new InvalidAmountError(input, "too_large");
  const value = new Decimal(input);
  if (value.isZero()) {
    if (opts.allowZero === false) throw new InvalidAmountError(input, "zero");
    return "0.0000";
  }
  if (sign === "-" && !opts.allowNegative) throw new InvalidAmountError(input, "negative");
  return value.toFixed(AMOUNT_SCALE);
}

/** parseAmount for amounts that must be strictly positive (transfers, top-ups, prices). */
export function parsePositiveAmount(input: unknown): Amount {
  return parseAmount(input, { allowZero: false });
}

/** True when `input` parses with the given options. */
export function isValidAmount(input: unknown, opts?: ParseAmountOptions): input is Amount {
  try {
    parseAmount(input, opts);
    return true;
  } catch {
    return false;
  }
}

/** Validates and upper-cases nothing: "usd" is refused so that codes are stored one way. */
export function parseCurrency(input: unknown): Currency {
  if (typeof input !== "string" || !/^[A-Z]{3}$/.test(input)) throw new InvalidCurrencyError(input);
  return input;
}

function d(a: Amount): Decimal {
  // Values reaching here come from parseAmount or from numeric columns; both are plain decimals.
  if (typeof a !== "string" || !/^-?\d+(\.\d+)?$/.test(a)) throw new InvalidAmountError(a, "malformed");
  return new Decimal(a);
}

function out(v: Decimal): Amount {
  if (v.isZero()) return "0.0000";
  const s = v.toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_EVEN);
  if (s.abs().gte(new Decimal(10).pow(MAX_INTEGER_DIGITS))) throw new InvalidAmountError(v.toFixed(), "too_large");
  return s.toFixed(AMOUNT_SCALE);
}

export function addAmounts(a: Amount, b: Amount): Amount {
  return out(d(a).plus(d(b)));
}

export function subAmounts(a: Amount, b: Amount): Amount {
  return out(d(a).minus(d(b)));
}

export function sumAmounts(amounts: Iterable<Amount>): Amount {
  let total = new Decimal(0);
  for (const a of amounts) total = total.plus(d(a));
  return out(total);
}

export function negateAmount(a: Amount): Amount {
  return out(d(a).negated());
}

/** -1, 0 or 1, numerically ("25.5" equals "25.5000"). */
export function compareAmounts(a: Amount, b: Amount): -1 | 0 | 1 {
  return d(a).comparedTo(d(b)) as -1 | 0 | 1;
}

export function amountsEqual(a: Amount, b: Amount): boolean {
  return compareAmounts(a, b) === 0;
}

export function isNegativeAmount(a: Amount): boolean {
  return d(a).isNegative() && !d(a).isZero();
}

/** Canonical 4-decimal form of a valid decimal string (e.g. a numeric column value). */
export function normalizeAmount(a: Amount): Amount {
  return out(d(a));
}

export interface FormatAmountOptions {
  minDecimals?: number;
  maxDecimals?: number;
}

/**
 * Display form: at least 2 and at most 4 decimals, trailing zeros beyond the minimum dropped
 * ("25.5000" → "25.50", "0.1250" → "0.125"). Rounds half-even past maxDecimals.
 */
export function formatAmount(a: Amount, opts: FormatAmountOptions = {}): string {
  const min = opts.minDecimals ?? 2;
  const max = opts.maxDecimals ?? AMOUNT_SCALE;
  const v = d(a).toDecimalPlaces(max, Decimal.ROUND_HALF_EVEN);
  let s = (v.isZero() ? new Decimal(0) : v).toFixed(max);
  if (max > min) {
    const [int, frac = ""] = s.split(".");
    let f = frac;
    while (f.length > min && f.endsWith("0")) f = f.slice(0, -1);
    s = f.length > 0 ? `${int}.${f}` : int!;
  }
  return s;
}

/** "USD 25.00". */
export function formatMoney(m: Money, opts?: FormatAmountOptions): string {
  return `${m.currency} ${formatAmount(m.amount, opts)}`;
}
