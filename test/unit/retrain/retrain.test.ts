import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openMetadataStore } from '../../../src/core/metadata';
import { archiveVersion, cardFile, getModel, modelHistory, registerModel, resolveModelVersion, setAlias } from '../../../src/core/registry';
import { approveVersion, promote, rejectVersion, retrainModel, rollbackChampion, runGate } from '../../../src/core/retrain';
import { weatherProject, type WeatherFixture } from './fixture';

const champion = (fx: WeatherFixture) => getModel(fx.project().paths, 'weather').aliases.champion;

describe('gates, promotion and retraining on the weather sample', () => {
  let fx: WeatherFixture;
  let weak: number;
  let strong: number;
  let holdout: string;

  before(async () => {
    fx = weatherProject();
    // 5% of the days of 2012-2013 with the weakest family, against all of 2012-2013 with boosted trees; scored on 2014-2015.
    weak = await fx.trainVersion(await fx.snapshotUntil('2014-01-01', 20), 'naive_bayes');
    strong = await fx.trainVersion(await fx.snapshotUntil('2014-01-01'), 'gbdt', 'champion');
    holdout = fx.writeFile('holdout.csv', '2016-01-01', '2014-01-01');
  });

  it('a worse challenger fails the gate, is recorded as failed, cannot be approved, and champion does not move', async () => {
    const paths = fx.project().paths;
    await setAlias(paths, 'weather', 'challenger', weak);
    const result = await runGate(fx.project(), { challenger: 'weather@challenger', holdout });
    assert.equal(result.passed, false);
    assert.equal(result.metric, 'accuracy');
    assert.equal(result.holdout.rows, 730 * 2); // 2014 and 2015, two cities
    assert.ok(result.challenger! < result.champion!, `${result.challenger} < ${result.champion}`);
    assert.match(result.reasons.join(' '), /worse than the champion/);
    assert.equal(champion(fx), strong);

    const gate = modelHistory(paths, 'weather').filter((e) => e.event === 'gate').at(-1)!;
    assert.equal(gate.version, weak);
    assert.equal(gate.evaluation!.passed, false);
    assert.equal(gate.evaluation!.against, strong);
    const card = fs.readFileSync(cardFile(paths, 'weather', weak), 'utf8');
    assert.match(card, /Gate failed: weather\/1 against weather\/2/);
    // the appended evaluation is not the team's edit
    assert.equal(resolveModelVersion(paths, `weather/${weak}`).cardEdited, false);

    await assert.rejects(approveVersion(paths, 'weather', weak, 'looks fine'), (e: Error & { code?: string }) => e.code === 'GATE_FAILED');
    assert.equal(champion(fx), strong);
  });

  it('a gain asked for is judged with MLflow rules, and slices must not regress', async () => {
    const result = await runGate(fx.project(), { challenger: `weather/${strong}`, against: String(weak), holdout, minAbsoluteChange: 0.01, slice: 'location', record: false });
    assert.equal(result.passed, true, result.reasons.join(' '));
    assert.deepEqual(result.slices!.values.map((s) => [s.value, s.rows]), [['New York', 730], ['Seattle', 730]]);
    assert.ok(result.slices!.values.every((s) => s.passed && s.challenger! >= s.champion!));
    const tooMuch = await runGate(fx.project(), { challenger: `weather/${strong}`, against: String(weak), holdout, minAbsoluteChange: 0.99, record: false });
    assert.equal(tooMuch.passed, false);
    assert.match(tooMuch.reasons[0], /by at least 0\.99/);
  });

  it('a passing gate promotes the challenger; a rollback restores the champion it replaced, and says so in the history', async () => {
    const paths = fx.project().paths;
    await setAlias(paths, 'weather', 'champion', weak, { reason: 'start from the weak one' });
    await setAlias(paths, 'weather', 'challenger', strong);
    const result = await runGate(fx.project(), { challenger: 'weather@challenger', holdout });
    assert.equal(result.passed, true, result.reasons.join(' '));
    await promote(paths, 'weather', strong);
    assert.equal(champion(fx), strong);
    const back = await rollbackChampion(paths, 'weather', 'users complained');
    assert.deepEqual([back.previous, back.version], [strong, weak]);
    assert.equal(champion(fx), weak);
    const moves = modelHistory(paths, 'weather').filter((e) => e.alias === 'champion').map((e) => [e.version, e.cause ?? null]);
    assert.deepEqual(moves.slice(-3), [[weak, null], [strong, 'promotion'], [weak, 'rollback']]);
  });

  it('an approval records who and why and moves champion; a rejection removes the challenger alias', async () => {
    const paths = fx.project().paths;
    const approved = await approveVersion(paths, 'weather', strong, 'better on both cities');
    assert.equal(approved.by, 'Grace Hopper <grace@example.com>');
    assert.equal(approved.reason, 'better on both cities');
    assert.equal(champion(fx), strong);
    await setAlias(paths, 'weather', 'challenger', weak);
    const rejected = await rejectVersion(paths, 'weather', weak, 'too weak');
    assert.equal(rejected.aliases[0].alias, 'challenger');
    assert.equal(getModel(paths, 'weather').aliases.challenger, undefined);
    assert.equal(champion(fx), strong);
    const events = modelHistory(paths, 'weather').map((e) => e.event);
    assert.ok(events.indexOf('approve') < events.lastIndexOf('reject'));
  });

  it('retrain rebuilds the champion\'s configuration and seed on the newest data as challenger; the default holdout is the newest slice neither trained on', async () => {
    const before = resolveModelVersion(fx.project().paths, 'weather@champion');
    const d3 = await fx.snapshotUntil('2015-01-01');
    const store = await openMetadataStore(fx.dir);
    try {
      const result = await retrainModel(fx.project(), store, { model: 'weather' });
      const version = resolveModelVersion(fx.project().paths, 'weather@challenger');
      assert.equal(version.version, result.version);
      assert.deepEqual(version.lineage.retrain, { trigger: 'manual', from: before.version });
      const config = version.lineage.trainingConfig!;
      assert.equal(config.version, d3);
      assert.deepEqual({ ...config, version: 0, digest: '' }, { ...before.lineage.trainingConfig!, version: 0, digest: '' });
      assert.equal(version.lineage.seed, before.lineage.seed);
      assert.ok(modelHistory(fx.project().paths, 'weather').some((e) => e.event === 'retrain' && e.version === result.version && e.trigger === 'manual'));
      await assert.rejects(retrainModel(fx.project(), store, { model: 'weather', dataset: `weather@${before.lineage.trainingConfig!.version}` }), (e: Error & { code?: string }) => e.code === 'NO_NEW_DATA');
    } finally {
      store.close();
    }
    await assert.rejects(runGate(fx.project(), { challenger: 'weather@challenger' }), (e: Error & { code?: string }) => e.code === 'NO_HOLDOUT');
    await fx.snapshotUntil('2016-01-01');
    const gate = await runGate(fx.project(), { challenger: 'weather@challenger', record: false });
    assert.match(gate.holdout.source, /date after 2014-12-31/);
    assert.equal(gate.holdout.rows, 365 * 2);
  });

  it('bad input gives a clear error and moves no alias', async () => {
    const paths = fx.project().paths;
    const aliases = () => getModel(paths, 'weather').aliases;
    const start = aliases();
    const code = (expected: string) => (e: Error & { code?: string }) => e.code === expected;
    await assert.rejects(runGate(fx.project(), { challenger: 'nosuch@challenger', holdout }), code('NO_MODEL'));
    const store = await openMetadataStore(fx.dir);
    try {
      await assert.rejects(retrainModel(fx.project(), store, { model: 'nosuch' }), code('NO_MODEL'));
      const run = resolveModelVersion(paths, `weather/${strong}`).lineage.run;
      await registerModel(fx.project(), store, run, { model: 'fresh' });
      await assert.rejects(retrainModel(fx.project(), store, { model: 'fresh' }), (e: Error & { code?: string }) => e.code === 'NO_CHAMPION' && /no champion yet/.test(e.message));
    } finally {
      store.close();
    }
    // a challenger that reads other columns: trained on data without `wind`
    const file = path.join(fx.dir, 'data', 'weather.csv');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(',').filter((_, j) => j !== 5).join(','));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const { snapshotDataset } = await import('../../../src/core/data');
    const noWind = (await snapshotDataset(fx.project(), 'data/weather.csv', { name: 'weather', git: 'commit' })).version.id;
    const other = await fx.trainVersion(noWind, 'naive_bayes');
    await assert.rejects(runGate(fx.project(), { challenger: `weather/${other}`, holdout }), (e: Error & { code?: string }) => e.code === 'INCOMPATIBLE_MODELS' && /only the champion reads: wind/.test(e.message));
    await archiveVersion(paths, 'weather', other);
    await assert.rejects(approveVersion(paths, 'weather', other, 'ok'), code('ARCHIVED'));
    await assert.rejects(rollbackChampion(fx.project().paths, 'fresh'), code('NO_ROLLBACK'));
    assert.deepEqual(aliases(), start);
  });
});
