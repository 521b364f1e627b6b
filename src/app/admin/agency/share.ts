/** "10" or "12.5" percent → basis points (1000, 1250), without floats; null when not a percentage with at most 2 decimals from 0 to 100. */
export function percentToBps(input: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(input.trim());
  if (!m) return null;
  const bps = Number.parseInt(m[1]!, 10) * 100 + Number.parseInt((m[2] ?? "").padEnd(2, "0"), 10);
  return bps <= 10_000 ? bps : null;
}

/** Basis points as a percentage for display: 1000 → "10", 1250 → "12.5". */
export function bpsToPercent(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const frac = String(bps % 100)
    .padStart(2, "0")
    .replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : String(whole);
}
