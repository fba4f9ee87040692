import type { CompiledView } from './definitions';
import type { Scope, Value } from './typing';

export const PRESENT = 0;
export const EXPIRED = 1;
export const MISSING = 2;
export type FeatureStatus = 'present' | 'expired' | 'missing';
export const STATUS_NAMES: readonly FeatureStatus[] = ['present', 'expired', 'missing'];

/**
 * What a lookup found for one entity before TTL and on-demand features: the row features of its latest row at or
 * before the lookup time, and its window aggregates. A training row gets these from the source table, an online
 * lookup from the online store; everything after that is `assembleVector`, the same for both.
 */
export interface VectorInputs {
  /** Event time of the row the row features come from; NaN when the entity has no row at or before the time. */
  rowTime: number;
  rowValue(slot: number): Value;
  /** The time the window aggregates were computed for; NaN when none were. */
  windowTime: number;
  windowValue(slot: number): Value;
}

/** One vector's values, event times (NaN: none) and statuses, by feature slot; reused from row to row. */
export interface VectorBuffer {
  values: Value[];
  times: Float64Array;
  statuses: Uint8Array;
}

export function vectorBuffer(view: CompiledView): VectorBuffer {
  const n = view.features.length;
  return { values: new Array<Value>(n).fill(null), times: new Float64Array(n), statuses: new Uint8Array(n) };
}

/**
 * THE feature vector of a view at time `at`: the one function training sets and online lookups both call, so what a
 * model is trained on and what it is served are computed by the same code. TTL is applied here: a value whose event
 * time is more than ttl before `at` is expired and reads as null, in a training set as online. On-demand features
 * are evaluated last, from the values above (expired ones as null) and the request inputs.
 */
export function assembleVector(view: CompiledView, inputs: VectorInputs, at: number, request: (name: string) => Value, out: VectorBuffer): void {
  const ttl = view.ttlMs;
  const rowStatus = Number.isNaN(inputs.rowTime) ? MISSING : ttl > 0 && at - inputs.rowTime > ttl ? EXPIRED : PRESENT;
  const windowStatus = Number.isNaN(inputs.windowTime) ? MISSING : ttl > 0 && at - inputs.windowTime > ttl ? EXPIRED : PRESENT;
  const scope: Scope = { read: (slot) => out.values[slot], request };
  for (const f of view.features) {
    const slot = f.slot;
    if (f.stage === 'row') {
      out.statuses[slot] = rowStatus;
      out.times[slot] = inputs.rowTime;
      out.values[slot] = rowStatus === PRESENT ? inputs.rowValue(slot) : null;
    } else if (f.stage === 'window') {
      out.statuses[slot] = windowStatus;
      out.times[slot] = inputs.windowTime;
      out.values[slot] = windowStatus === PRESENT ? inputs.windowValue(slot) : null;
    } else {
      const status = f.timedByRow ? rowStatus : PRESENT;
      out.statuses[slot] = status;
      out.times[slot] = f.timedByRow ? inputs.rowTime : at;
      out.values[slot] = status === PRESENT ? f.evaluator!.evaluate(scope) : null;
    }
  }
}
