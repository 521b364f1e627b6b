import { hash as argon2Hash, parseOptions, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";

/**
 * Passwords are hashed with Argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane) by a native
 * hasher that runs on libuv's thread pool, so a sign-in never blocks the event loop. Hashes made
 * before (bcrypt, `$2a$`/`$2b$`, by bcryptjs) are still accepted and replaced at the next
 * successful sign-in (`needsRehash`).
 */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2);
}

const isBcrypt = (hash: string) => /^\$2[aby]\$\d\d\$/.test(hash);

let dummyHash: Promise<string> | undefined;

/**
 * Compares a password with a stored hash (Argon2id, or a legacy bcrypt hash). Without a hash
 * (unknown email) it still spends the time of a real comparison, so timing does not reveal
 * whether an account exists. A malformed hash never matches.
 */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword("steller-timing-equaliser");
    await argon2Verify(await dummyHash, password);
    return false;
  }
  if (isBcrypt(hash)) return bcrypt.compare(password, hash);
  try {
    return await argon2Verify(hash, password);
  } catch {
    return false;
  }
}

/** True when a hash that just matched should be replaced: legacy bcrypt, or weaker Argon2 parameters. */
export function needsRehash(hash: string): boolean {
  if (!hash.startsWith("$argon2id$")) return true;
  try {
    const o = parseOptions(hash);
    return o.memoryCost < ARGON2.memoryCost || o.timeCost < ARGON2.timeCost || o.outputLen < ARGON2.outputLen;
  } catch {
    return true;
  }
}
