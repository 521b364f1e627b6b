import type { presentKey } from "@/server/keys";

/** JSON shape of an API key: dates as ISO strings. */
export function serializeKey(k: ReturnType<typeof presentKey>) {
  return {
    ...k,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}
