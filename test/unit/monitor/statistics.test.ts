import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoricalColumn, driftReport, driftTable, numericColumn, type ColumnDrift, type StatTest } from '../../../src/core/monitor';
import { chiSquareSurvival, normalTwoSidedP } from '../../../src/core/monitor/distributions';
import { ksTwoSample } from '../../../src/core/monitor/kolmogorov';
import { normalisedWasserstein, wassersteinDistance } from '../../../src/core/monitor/statistics';
import { categoricalSample, loadReferences, numericSample, sorted, type Reference } from './referenceSamples';

const references = loadReferences();

function close(actual: number, expected: number, relative: number, what: string): void {
  if (expected === 0) {
    assert.ok(Math.abs(actual) <= 1e-300, `${what}: ${actual}, scipy 0`);
    return;
  }
  const error = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(error <= relative, `${what}: ${actual}, scipy ${expected} (relative error ${error.toExponential(2)} > ${relative})`);
}

/** One column through the public report with a chosen test, as the CLI runs it. */
function column(reference: Float64Array | string[], current: Float64Array | string[], stattest: StatTest): ColumnDrift {
  const make = (values: Float64Array | string[]) => (values instanceof Float64Array ? numericColumn('x', values) : categoricalColumn('x', values));
  return driftReport(driftTable([make(reference)]), driftTable([make(current)]), { stattest }).columns[0];
}

function checkTest(result: ColumnDrift, expected: Reference, what: string): void {
  if (expected.statistic === null) assert.equal(result.statistic, Infinity, `${what}: scipy's statistic is infinite`);
  else close(result.statistic, expected.statistic, 1e-6, `${what} statistic`);
  close(result.pValue!, expected.pValue, 1e-6, `${what} p`);
}

describe(`drift statistics equal scipy ${references.scipy} on generated samples`, () => {
  for (const c of references.numeric) {
    it(c.name, () => {
      const reference = numericSample(c.reference);
      const current = numericSample(c.current);
      const ks = ksTwoSample(sorted(reference), sorted(current));
      assert.ok(Math.abs(ks.statistic - c.ks.statistic!) <= 1e-12, `KS D ${ks.statistic}, scipy ${c.ks.statistic}`);
      close(ks.pValue, c.ks.pValue, 1e-6, `KS p (${ks.method})`);
      assert.equal(ks.method, Math.max(reference.length, current.length) <= 10000 ? 'exact' : 'asymptotic');
      close(wassersteinDistance(sorted(reference), sorted(current)), c.wasserstein, 1e-9, 'Wasserstein');
      close(normalisedWasserstein(sorted(reference), sorted(current)), c.wassersteinNormalised, 1e-9, 'normalised Wasserstein');
      close(column(reference, current, 'jensenshannon').statistic, c.jensenshannon, 1e-9, 'Jensen-Shannon');
      close(column(reference, current, 'psi').statistic, c.psi, 1e-9, 'PSI');
      const viaReport = column(reference, current, 'ks');
      assert.equal(viaReport.statistic, ks.statistic);
      if (c.chisquare) checkTest(column(reference, current, 'chisquare'), c.chisquare, 'chi-square');
      if (c.z) checkTest(column(reference, current, 'z'), c.z, 'z-test');
    });
  }
  for (const c of references.categorical) {
    it(c.name, () => {
      const reference = categoricalSample(c.reference);
      const current = categoricalSample(c.current);
      checkTest(column(reference, current, 'chisquare'), c.chisquare, 'chi-square');
      close(column(reference, current, 'jensenshannon').statistic, c.jensenshannon, 1e-9, 'Jensen-Shannon');
      close(column(reference, current, 'psi').statistic, c.psi, 1e-9, 'PSI');
      if (c.z) checkTest(column(reference, current, 'z'), c.z, 'z-test');
    });
  }
});

describe('tail probabilities equal scipy', () => {
  it('chi2.sf, far into the tail and with many degrees of freedom', () => {
    for (const t of references.chiSquareSurvival) close(chiSquareSurvival(t.x, t.df), t.sf, 1e-9, `chi2.sf(${t.x}, ${t.df})`);
    assert.equal(chiSquareSurvival(0, 3), 1);
  });
  it('2·norm.sf(|z|), the z-test p-value', () => {
    for (const t of references.normalTwoSided) close(normalTwoSidedP(t.z), t.p, 1e-9, `z = ${t.z}`);
    assert.equal(normalTwoSidedP(-1.96), normalTwoSidedP(1.96));
  });
});
