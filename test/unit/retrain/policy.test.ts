import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openMetadataStore } from '../../../src/core/metadata';
import { getModel } from '../../../src/core/registry';
import { runDuePolicies, type DriftSignal } from '../../../src/core/retrain';
import { weatherProject, type WeatherFixture } from './fixture';

describe('retraining policies evaluated once', () => {
  let fx: WeatherFixture;
  let champion: number;
  let config: string;
  const withPolicy = (yaml: string) => fs.writeFileSync(path.join(fx.dir, 'mlops.yaml'), config + '\nretraining:\n' + yaml);
  const due = async (driftOf?: (model: string) => DriftSignal | undefined, now?: Date) => {
    const store = await openMetadataStore(fx.dir);
    try {
      return await runDuePolicies(fx.project(), store, { driftOf, now });
    } finally {
      store.close();
    }
  };

  before(async () => {
    fx = weatherProject();
    champion = await fx.trainVersion(await fx.snapshotUntil('2014-01-01'), 'naive_bayes', 'champion');
    await fx.snapshotUntil('2015-01-01');
    fx.writeFile('recent.csv', '2016-01-01', '2015-01-01');
    config = fs.readFileSync(path.join(fx.dir, 'mlops.yaml'), 'utf8');
  });

  it('drift, given by monitoring, retrains; with approval required the challenger waits even under auto promotion', async () => {
    withPolicy('  weather:\n    on: [drift]\n    gate: { holdout: recent.csv }\n    promotion: auto\n    governance: { approval: required }\n');
    const quiet = await due(() => ({ datasetDrift: false }));
    assert.deepEqual(quiet[0].due, []);
    assert.match(quiet[0].notes[0], /nothing is due/);
    const [outcome] = await due((model) => (model === 'weather' ? { datasetDrift: true } : undefined));
    assert.deepEqual(outcome.due, ['drift']);
    assert.equal(outcome.retrained!.trigger, 'drift');
    assert.ok(outcome.gate);
    assert.equal(outcome.promoted, undefined);
    assert.match(outcome.notes.at(-1)!, outcome.gate.passed ? /waits for approval/ : /gate failed/);
    const model = getModel(fx.project().paths, 'weather');
    assert.equal(model.aliases.champion, champion);
    assert.equal(model.aliases.challenger, outcome.retrained!.version);
  });

  it('a schedule that fired since the last retrain is due, but a model already trained on the newest data is not retrained again', async () => {
    withPolicy('  weather:\n    on: [schedule]\n    schedule: "* * * * *"\n');
    const [outcome] = await due(undefined, new Date(Date.now() + 120_000));
    assert.deepEqual(outcome.due, ['schedule']);
    assert.equal(outcome.retrained, undefined);
    assert.match(outcome.notes[0], /already trained on the newest data/);
  });

  it('a policy naming a dataset or a model that does not exist, or a bad schedule, fails before anything trains', async () => {
    const versions = getModel(fx.project().paths, 'weather').versions.length;
    withPolicy('  weather:\n    dataset: wether\n    on: [new_data]\n');
    await assert.rejects(due(), (e: Error & { code?: string }) => e.code === 'BAD_POLICY' && /"wether"/.test(e.message));
    withPolicy('  nosuch:\n    on: [new_data]\n');
    await assert.rejects(due(), (e: Error & { code?: string }) => e.code === 'NO_MODEL');
    withPolicy('  weather:\n    on: [schedule]\n    schedule: "0 25 * * *"\n');
    await assert.rejects(due(), (e: Error & { code?: string }) => e.code === 'BAD_SCHEDULE');
    assert.equal(getModel(fx.project().paths, 'weather').versions.length, versions);
  });
});
