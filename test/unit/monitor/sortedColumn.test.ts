import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortedFinite } from '../../../src/core/monitor/sortedColumn';
import { numericSample } from './referenceSamples';

describe('sortedFinite', () => {
  it('orders like TypedArray sort() and leaves the missing out: negatives, -0 before +0, ties, subnormals, huge values', () => {
    const values = numericSample({ kind: 'pareto', n: 50000, seed: 7 });
    for (let i = 0; i < values.length; i++) {
      if (i % 3 === 0) values[i] = -values[i];
      if (i % 7 === 0) values[i] = Math.floor(values[i]);
      if (i % 101 === 0) values[i] = i % 2 ? -0 : 0;
      if (i % 997 === 0) values[i] = (i % 2 ? -1 : 1) * Number.MIN_VALUE * i;
      if (i % 991 === 0) values[i] = (i % 2 ? -1 : 1) * (Number.MAX_VALUE / (i + 1));
      if (i % 1009 === 0) values[i] = [NaN, Infinity, -Infinity][i % 3];
    }
    const expected = values.filter((v) => Number.isFinite(v)).sort();
    const { sorted, missing } = sortedFinite(values);
    assert.equal(missing, values.length - expected.length);
    assert.equal(sorted.length, expected.length);
    for (let i = 0; i < expected.length; i++) assert.ok(Object.is(sorted[i], expected[i]), `position ${i}: ${sorted[i]} where sort() gives ${expected[i]}`);
  });

  it('reads a view into a bigger buffer without changing it', () => {
    const all = numericSample({ kind: 'irwinhall', n: 20000, seed: 3 });
    const before = all.slice();
    const { sorted } = sortedFinite(all.subarray(5000, 15000));
    assert.deepEqual(Array.from(sorted), Array.from(before.subarray(5000, 15000)).sort((x, y) => x - y));
    assert.deepEqual(all, before);
  });
});
