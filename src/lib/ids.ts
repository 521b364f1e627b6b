import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function encodeTime(ms: number, length: number): string {
  let out = "";
  let t = ms;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % 32];
  return out;
}

export type IdPrefix =
  | "ptn" | "usr" | "mem" | "ord" | "key" | "whk" | "whd" | "evt" | "acc" | "trf" | "ent"
  | "top" | "run" | "req" | "aud" | "prd" | "brd" | "crd" | "vor" | "vcl" | "rec" | "chk" | "syn"
  | "msg" | "wha" | "eml";

/**
 * A prefixed opaque id (`ord_01hx…`): 10 chars of millisecond time then 16 random chars,
 * so ids sort by creation time, which cursor pagination relies on.
 */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${encodeTime(Date.now(), 10)}${encodeRandom(16)}`;
}
