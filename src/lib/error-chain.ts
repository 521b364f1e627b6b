/**
 * An error and the errors behind it (`cause`, as drizzle wraps driver errors), outermost first,
 * at most `maxDepth` of them (a guard against cycles).
 */
export function* errorChain(error: unknown, maxDepth = 5): Generator<{ code?: unknown; message?: unknown }> {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < maxDepth; e = (e as { cause?: unknown }).cause, depth++) {
    yield e as { code?: unknown; message?: unknown };
  }
}
