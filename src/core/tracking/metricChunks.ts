import type { Database } from 'sql.js';

/**
 * Metric series are stored as chunks of up to CHUNK points, each a row of three packed float64 arrays: a chart loads
 * 100,000 points by reading a dozen blobs instead of stepping 100,000 rows through WebAssembly, and the database
 * grows by 24 bytes a point.
 */
const CHUNK = 8192;

export interface MetricPoints {
  steps: number[];
  values: number[];
  timestamps: number[];
  /** The step given to points logged without one: how many points the series had before these. */
  firstStep: number;
}

/** A series as typed arrays, in the order it was logged. Timestamps are ms since the epoch, NaN when unknown. */
export interface MetricSeries {
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
}

const pack = (a: ArrayLike<number>) => new Uint8Array(Float64Array.from(a).buffer);

function unpack(blob: Uint8Array, n: number): Float64Array {
  // sql.js hands out fresh, 8-aligned copies; the guard keeps a future change from silently misreading.
  return blob.byteOffset % 8 === 0 ? new Float64Array(blob.buffer, blob.byteOffset, n) : new Float64Array(blob.slice().buffer, 0, n);
}

/** Appends points to a series, topping up its last chunk first so a series logged in drips stays in few rows. */
export function appendPoints(db: Database, run: string, key: string, points: MetricPoints): void {
  const added = points.values.length;
  if (added === 0) return;
  let steps: ArrayLike<number> = points.steps;
  let values: ArrayLike<number> = points.values;
  let timestamps: ArrayLike<number> = points.timestamps;
  let seq = 0;
  const last = db.exec('SELECT seq, n, steps, vals, times FROM metric_chunks WHERE run_id = ? AND key = ? ORDER BY seq DESC LIMIT 1', [run, key])[0]?.values[0];
  if (last) {
    const n = Number(last[1]);
    seq = Number(last[0]);
    if (n < CHUNK) {
      steps = concat(unpack(last[2] as Uint8Array, n), steps);
      values = concat(unpack(last[3] as Uint8Array, n), values);
      timestamps = concat(unpack(last[4] as Uint8Array, n), timestamps);
    } else {
      seq++;
    }
  }
  const insert = db.prepare('INSERT OR REPLACE INTO metric_chunks (run_id, key, seq, n, steps, vals, times) VALUES (?, ?, ?, ?, ?, ?, ?)');
  try {
    for (let from = 0; from < values.length; from += CHUNK, seq++) {
      const to = Math.min(values.length, from + CHUNK);
      const slice = (a: ArrayLike<number>) => pack(Array.prototype.slice.call(a, from, to) as number[]);
      insert.run([run, key, seq, to - from, slice(steps), slice(values), slice(timestamps)]);
    }
  } finally {
    insert.free();
  }
  const i = added - 1;
  db.run(
    `INSERT INTO metric_latest (run_id, key, step, value, timestamp, count) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value, timestamp = excluded.timestamp, count = count + excluded.count`,
    [run, key, points.steps[i], finiteOrNull(points.values[i]), finiteOrNull(points.timestamps[i]), added],
  );
}

function concat(head: Float64Array, tail: ArrayLike<number>): Float64Array {
  const out = new Float64Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/** SQLite stores NaN as NULL anyway; saying so keeps the two readers of the column in agreement. */
const finiteOrNull = (v: number) => (Number.isNaN(v) ? null : v);

export function readSeries(db: Database, run: string, key: string): MetricSeries {
  const stmt = db.prepare('SELECT n, steps, vals, times FROM metric_chunks WHERE run_id = ? AND key = ? ORDER BY seq');
  const parts: [number, Uint8Array, Uint8Array, Uint8Array][] = [];
  let total = 0;
  try {
    stmt.bind([run, key]);
    while (stmt.step()) {
      const row = stmt.get() as [number, Uint8Array, Uint8Array, Uint8Array];
      parts.push(row);
      total += row[0];
    }
  } finally {
    stmt.free();
  }
  const series: MetricSeries = { steps: new Float64Array(total), values: new Float64Array(total), timestamps: new Float64Array(total) };
  let at = 0;
  for (const [n, steps, values, times] of parts) {
    series.steps.set(unpack(steps, n), at);
    series.values.set(unpack(values, n), at);
    series.timestamps.set(unpack(times, n), at);
    at += n;
  }
  return series;
}
