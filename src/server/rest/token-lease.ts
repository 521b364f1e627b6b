/**
 * Token leases for busy keys, per app instance. A key sending many requests to one instance
 * would otherwise update its one bucket row in Postgres on every request, and concurrent updates
 * of one row queue on its lock. Instead, when a key sent more than one request per lease period
 * to this instance in the last second, the instance takes a few tokens at once from the shared
 * bucket (as many as that rate uses in `leaseMs`, at most `maxBatch`) and spends them locally.
 *
 * The limit still holds across instances: every request allowed spent a token taken from the
 * shared bucket. Leased tokens not spent within `leaseMs` are lost, so a key can only get
 * slightly less than its limit, never more. A key at its normal pace (≤ 1 request per lease
 * period) takes exactly one token per request, as without leases.
 */
export class TokenLeases {
  private readonly leases = new Map<string, { tokens: number; remaining: number; expiresAt: number }>();
  private readonly rates = new Map<string, { second: number; count: number; previous: number }>();
  /** Tokens taken in batches, and of those the ones lost unspent (observability, tests). */
  leased = 0;
  expired = 0;

  constructor(private readonly opts = { leaseMs: 100, maxBatch: 10, maxKeys: 10_000 }) {}

  /** Counts a request of `key` and spends a leased token if this instance holds one. */
  spend(key: string, now = performance.now()): { remaining: number } | null {
    this.count(key, now);
    const lease = this.leases.get(key);
    if (!lease) return null;
    if (lease.expiresAt <= now || lease.tokens <= 0) {
      this.expired += Math.max(0, lease.tokens);
      this.leases.delete(key);
      return null;
    }
    lease.tokens--;
    return { remaining: lease.remaining };
  }

  /** How many tokens to take from the shared bucket for this request (1 = no lease). */
  wanted(key: string): number {
    const rate = this.rates.get(key)?.previous ?? 0; // requests in the last whole second
    return Math.max(1, Math.min(this.opts.maxBatch, Math.floor((rate * this.opts.leaseMs) / 1000)));
  }

  /** Keeps the tokens taken beyond this request's one; `remaining` is the bucket's count after the take. */
  keep(key: string, taken: number, remaining: number, now = performance.now()): void {
    if (taken <= 1) return;
    this.leased += taken - 1;
    if (this.leases.size >= this.opts.maxKeys) this.leases.clear();
    this.leases.set(key, { tokens: taken - 1, remaining, expiresAt: now + this.opts.leaseMs });
  }

  private count(key: string, now: number) {
    const second = Math.floor(now / 1000);
    let r = this.rates.get(key);
    if (!r) {
      if (this.rates.size >= this.opts.maxKeys) this.rates.clear();
      this.rates.set(key, (r = { second, count: 0, previous: 0 }));
    }
    if (r.second !== second) {
      r.previous = r.second === second - 1 ? r.count : 0;
      r.second = second;
      r.count = 0;
    }
    r.count++;
  }
}
