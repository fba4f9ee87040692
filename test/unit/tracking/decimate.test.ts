import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimateSeries } from '../../../src/core/tracking';

/** A noisy decreasing curve with one spike up and one dip down, far from the ends. */
function curve(n: number) {
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i;
    values[i] = 1 / (1 + i / 1000) + 0.01 * Math.sin(i);
  }
  values[31_337] = 50;
  values[77_777] = -50;
  return { steps, values };
}

describe('decimating a metric series for a chart', () => {
  it('returns at most maxPoints points, keeping the first and last points and the extremes', () => {
    const { steps, values } = curve(100_000);
    for (const maxPoints of [2, 3, 100, 1000, 2000]) {
      const d = decimateSeries(steps, values, maxPoints);
      assert.ok(d.steps.length <= maxPoints, `${d.steps.length} points for maxPoints ${maxPoints}`);
      assert.equal(d.steps.length, d.values.length);
      assert.equal(d.total, 100_000);
      assert.equal(d.steps[0], 0);
      assert.equal(d.steps.at(-1), 99_999);
      if (maxPoints >= 4) {
        assert.ok(d.values.includes(50), 'the spike is kept');
        assert.ok(d.values.includes(-50), 'the dip is kept');
      }
    }
  });

  it('keeps the logged order and uses its budget', () => {
    const { steps, values } = curve(100_000);
    const d = decimateSeries(steps, values, 1000);
    assert.ok(d.steps.length > 900, `only ${d.steps.length} points of 1000 used`);
    for (let i = 1; i < d.steps.length; i++) assert.ok(d.steps[i] > d.steps[i - 1], `out of order at ${i}`);
  });

  it('returns short series unchanged', () => {
    const d = decimateSeries([1, 2, 3], [0.5, 0.4, 0.3], 1000);
    assert.deepEqual(d, { steps: [1, 2, 3], values: [0.5, 0.4, 0.3], total: 3 });
  });

  it('decimates only the zoomed range, at full resolution, with one neighbour on each side', () => {
    const { steps, values } = curve(100_000);
    const d = decimateSeries(steps, values, 2000, { from: 31_000, to: 31_999 });
    assert.equal(d.total, 1000);
    assert.equal(d.steps.length, 1002, 'every point of a 1,000-step range, plus the two neighbours');
    assert.equal(d.steps[0], 30_999);
    assert.equal(d.steps.at(-1), 32_000);
    assert.ok(d.values.includes(50));
  });

  it('skips NaN values and refuses a budget below two points', () => {
    const d = decimateSeries([0, 1, 2, 3], [1, NaN, 3, NaN], 10);
    assert.deepEqual(d, { steps: [0, 2], values: [1, 3], total: 2 });
    assert.throws(() => decimateSeries([0], [1], 1), RangeError);
  });
});
