const LATENCY_SAMPLES = 4096;
const RATE_WINDOW_SECONDS = 10;

/** An endpoint's counters as `/metrics` and `mlops serve status` show them. */
export interface CounterSnapshot {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  /** Over the last 4,096 requests; null before the first. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/**
 * Counters kept in the server, cheap on every request: totals, a ring of the latest latencies for percentiles, and
 * one bucket per second over the last ten seconds for the request rate.
 */
export class LiveCounters {
  private requests = 0;
  private errors = 0;
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private samples = 0;
  private readonly buckets = new Float64Array(RATE_WINDOW_SECONDS);
  private bucketSecond = 0;

  record(latencyMs: number, failed: boolean, now = Date.now()): void {
    this.requests++;
    if (failed) this.errors++;
    this.latencies[this.samples++ % LATENCY_SAMPLES] = latencyMs;
    this.advance(now);
    this.buckets[Math.floor(now / 1000) % RATE_WINDOW_SECONDS]++;
  }

  snapshot(now = Date.now()): CounterSnapshot {
    this.advance(now);
    const current = Math.floor(now / 1000) % RATE_WINDOW_SECONDS;
    // the current second is under way: rate over the nine full seconds before it
    let full = 0;
    for (let i = 0; i < RATE_WINDOW_SECONDS; i++) if (i !== current) full += this.buckets[i];
    const sorted = this.latencies.slice(0, Math.min(this.samples, LATENCY_SAMPLES)).sort();
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
    return { requests: this.requests, errors: this.errors, requestsPerSecond: full / (RATE_WINDOW_SECONDS - 1), p50Ms: at(0.5), p99Ms: at(0.99) };
  }

  /** Empties the buckets of the seconds that passed with no request. */
  private advance(now: number): void {
    const second = Math.floor(now / 1000);
    const gap = Math.min(RATE_WINDOW_SECONDS, second - this.bucketSecond);
    for (let s = 1; s <= gap; s++) this.buckets[(this.bucketSecond + s) % RATE_WINDOW_SECONDS] = 0;
    this.bucketSecond = Math.max(this.bucketSecond, second);
  }
}
