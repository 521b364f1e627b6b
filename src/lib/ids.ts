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

/** Random bytes drawn from a 4 KiB buffer refilled from the CSPRNG (one call per 256 ids, not one per id). */
let pool = Buffer.alloc(0);
let offset = 0;
function randomChunk(length: number): Buffer {
  if (offset + length > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  offset += length;
  return pool.subarray(offset - length, offset);
}

function encodeRandom(length: number): string {
  const bytes = randomChunk(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % 32];
  return out;
}

export type IdPrefix =
  | "ptn"
  | "usr"
  | "mem"
  | "ord"
  | "key"
  | "whk"
  | "whd"
  | "evt"
  | "acc"
  | "trf"
  | "ent"
  | "top"
  | "run"
  | "req"
  | "aud"
  | "prd"
  | "brd"
  | "crd"
  | "vor"
  | "vcl"
  | "rec"
  | "chk"
  | "syn"
  | "msg"
  | "wha"
  | "eml"
  | "ast"
  | "alr"
  | "inc"
  | "bat"
  | "glr"
  | "inv"
  | "atk";

/**
 * A prefixed opaque id (`ord_01hx…`): 10 chars of millisecond time then 16 random chars,
 * so ids sort by creation time, which cursor pagination relies on.
 */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${encodeTime(Date.now(), 10)}${encodeRandom(16)}`;
}
