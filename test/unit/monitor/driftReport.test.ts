import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlopsError } from '../../../src/core/errors';
import { categoricalColumn, driftReport, driftReportInWorkers, driftTable, numericColumn, predictionDrift, renderDriftHtml } from '../../../src/core/monitor';
import { categoricalSample, numericSample } from './referenceSamples';

const normal = (n: number, seed: number, shift = 0) => numericSample({ kind: 'irwinhall', n, seed, shift });
const levels = (n: number, seed: number, count: number) => numericSample({ kind: 'ties', levels: count, n, seed });
const cities = (n: number, seed: number) => categoricalSample({ n, seed, categories: ['Paris', 'Lyon', 'Nice'], weights: [1, 1, 1] });

describe('the default test of a column, as Evidently chooses it', () => {
  function testsFor(rows: number): Record<string, string> {
    const table = (seed: number) => driftTable([
      numericColumn('continuous', normal(rows, seed)),
      numericColumn('six levels', levels(rows, seed + 1, 6)),
      numericColumn('five levels', levels(rows, seed + 2, 5)),
      numericColumn('binary', levels(rows, seed + 3, 2)),
      categoricalColumn('city', cities(rows, seed + 4)),
      categoricalColumn('flag', categoricalSample({ n: rows, seed: seed + 5, categories: ['y', 'n'], weights: [1, 1] })),
    ]);
    return Object.fromEntries(driftReport(table(1), table(100)).columns.map((c) => [c.name, c.test]));
  }

  it('on a reference of at most 1,000 rows: KS above 5 distinct numbers, chi-square above 2 values, else the z-test', () => {
    assert.deepEqual(testsFor(1000), { continuous: 'ks', 'six levels': 'ks', 'five levels': 'chisquare', binary: 'z', city: 'chisquare', flag: 'z' });
  });

  it('on more than 1,000 rows: normalised Wasserstein above 5 distinct numbers, else Jensen–Shannon', () => {
    assert.deepEqual(testsFor(1001), { continuous: 'wasserstein', 'six levels': 'wasserstein', 'five levels': 'jensenshannon', binary: 'jensenshannon', city: 'jensenshannon', flag: 'jensenshannon' });
  });

  it('counts rows and distinct values without the missing ones', () => {
    const values = normal(1500, 3);
    for (let i = 0; i < 600; i++) values[i] = NaN;
    const report = driftReport(driftTable([numericColumn('x', values)]), driftTable([numericColumn('x', normal(900, 4))]));
    assert.equal(report.columns[0].test, 'ks', '900 present values are a small reference');
    assert.equal(report.columns[0].missingShare.reference, 0.4);
    assert.equal(report.columns[0].missingShare.current, 0);
  });

  it('takes a per-column test and threshold over the global ones', () => {
    const table = (seed: number) => driftTable([numericColumn('a', normal(300, seed)), numericColumn('b', normal(300, seed + 1))]);
    const report = driftReport(table(1), table(10), { stattest: 'wasserstein', threshold: 0.5, perColumn: { b: { stattest: 'psi', threshold: 0.01 } } });
    assert.deepEqual(report.columns.map((c) => [c.test, c.threshold]), [['wasserstein', 0.5], ['psi', 0.01]]);
  });
});

describe('dataset drift', () => {
  const reference = driftTable(['a', 'b', 'c', 'd'].map((name, k) => numericColumn(name, normal(400, 10 + k))));
  const current = (shifted: number) => driftTable(['a', 'b', 'c', 'd'].map((name, k) => numericColumn(name, normal(400, 20 + k, k < shifted ? 0.5 : 0))));

  it('is decided by the share of drifted columns, the same number the table shows', () => {
    for (const shifted of [0, 1, 2, 3, 4]) {
      const report = driftReport(reference, current(shifted));
      assert.equal(report.driftedColumns, report.columns.filter((c) => c.drift).length);
      assert.equal(report.driftedColumns, shifted, `columns shifted by half a unit: ${shifted}`);
      assert.equal(report.driftShare, shifted / 4);
      assert.equal(report.datasetDrift, shifted / 4 >= 0.5, `${shifted} of 4 drifted`);
    }
  });

  it('follows the drift share asked for', () => {
    assert.equal(driftReport(reference, current(1), { driftShare: 0.25 }).datasetDrift, true);
    assert.equal(driftReport(reference, current(3), { driftShare: 1 }).datasetDrift, false);
    assert.throws(() => driftReport(reference, current(1), { driftShare: 0 }), /drift share 0 is not between 0 and 1/);
  });

  it('of a model\'s output is the same test on one column', () => {
    const predictions = (seed: number, shift: number) => driftTable([numericColumn('feature', normal(300, seed)), numericColumn('prediction', normal(300, seed + 1, shift))]);
    const drifted = predictionDrift(predictions(1, 0), predictions(50, 0.6), 'prediction');
    assert.equal(drifted.name, 'prediction');
    assert.equal(drifted.test, 'ks');
    assert.equal(drifted.drift, true);
    assert.equal(predictionDrift(predictions(1, 0), predictions(50, 0), 'prediction').drift, false);
  });
});

describe('bad input', () => {
  const reference = driftTable([numericColumn('x', normal(100, 1)), categoricalColumn('city', cities(100, 2))]);

  function refused(run: () => unknown, code: string, message: RegExp): void {
    assert.throws(run, (err: unknown) => err instanceof MlopsError && err.code === code && message.test(err.message) && Boolean(err.hint));
  }

  it('refuses a column missing from the current data, an empty current table, and a text column for a numeric test', () => {
    refused(() => driftReport(reference, driftTable([numericColumn('x', normal(100, 3))])), 'MISSING_COLUMN', /"city" is missing from the current data \(it has: x\)/);
    refused(() => driftReport(reference, driftTable([numericColumn('x', []), categoricalColumn('city', [])])), 'EMPTY_CURRENT', /no rows/);
    refused(() => driftReport(reference, reference, { columns: ['city'], stattest: 'ks' }), 'BAD_STATTEST', /"city" holds text/);
    const allMissing = driftTable([numericColumn('x', new Float64Array(50).fill(NaN)), categoricalColumn('city', cities(50, 4))]);
    refused(() => driftReport(reference, allMissing), 'EMPTY_COLUMN', /"x" has no values in the current data/);
  });

  it('stops between columns when cancelled', () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));
    assert.throws(() => driftReport(reference, reference, { signal: controller.signal }), /cancelled by the user/);
  });
});

describe('the HTML report', () => {
  it('stands alone: one chart per column, the verdict, no script and nothing fetched', () => {
    const current = driftTable([numericColumn('x', normal(100, 9, 1)), categoricalColumn('city', cities(100, 8))]);
    const html = renderDriftHtml(driftReport(reference(), current), { title: 'w@1 → w@2 <test>' });
    assert.match(html, /<title>w@1 → w@2 &#60;test&#62;<\/title>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.match(html, /No dataset drift|Dataset drift detected/);
    assert.match(html, /<td>x<\/a>|<a href="#col-x">x<\/a>/);
    assert.doesNotMatch(html, /<script|<link|src=/);
  });

  function reference() {
    return driftTable([numericColumn('x', normal(100, 1)), categoricalColumn('city', cities(100, 2))]);
  }
});

describe('the report on worker threads', () => {
  const table = (seed: number, shift: number) => driftTable([
    numericColumn('a', normal(3000, seed, shift)), numericColumn('b', normal(3000, seed + 1)), categoricalColumn('city', cities(3000, seed + 2)),
  ]);

  it('is the report the calling thread makes, column for column', async () => {
    const options = { also: ['psi' as const], threads: 2 };
    const threaded = await driftReportInWorkers(table(1, 0), table(7, 0.2), options);
    assert.deepEqual(threaded, driftReport(table(1, 0), table(7, 0.2), options));
    assert.equal(threaded.columns[0].drift, true);
  });

  it('brings a worker\'s error back as it was thrown, and stops when cancelled', async () => {
    await assert.rejects(driftReportInWorkers(table(1, 0), table(2, 0), { stattest: 'ks', columns: ['city'] }), (err: unknown) => err instanceof MlopsError && err.code === 'BAD_STATTEST');
    const controller = new AbortController();
    const running = driftReportInWorkers(table(1, 0), table(2, 0), { signal: controller.signal });
    controller.abort();
    await assert.rejects(running, (err: unknown) => err instanceof MlopsError && err.code === 'CANCELLED');
  });
});
