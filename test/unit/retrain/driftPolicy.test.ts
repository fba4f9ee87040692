import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { snapshotDataset } from '../../../src/core/data';
import { getModel } from '../../../src/core/registry';
import { runDuePolicies } from '../../../src/core/retrain';
import { INPUTS, monitoredProject, sample, weatherRows, type MonitorFixture } from '../monitor/modelFixture';

describe('on: drift, judged by monitoring on the champion\'s recent predictions', () => {
  let fx: MonitorFixture;
  let config: string;
  const due = async () => {
    const store = await fx.store();
    try {
      return await runDuePolicies(fx.project(), store);
    } finally {
      store.close();
    }
  };

  before(async () => {
    // weather/1 is naive Bayes trained on Seattle's days; the new data version adds New York's.
    fx = await monitoredProject();
    const { seattle, newYork } = weatherRows();
    const csv = [[...INPUTS, 'weather'].join(','), ...[...seattle, ...newYork].map((r) => [...INPUTS.map((c) => r[c]), r.weather].join(','))].join('\n') + '\n';
    fs.writeFileSync(path.join(fx.dir, 'data', 'seattle.csv'), csv);
    await snapshotDataset(fx.project(), 'data/seattle.csv', { name: 'seattle', git: 'commit' });
    const file = path.join(fx.dir, 'mlops.yaml');
    config = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, config + '\nretraining:\n  weather:\n    on: [drift]\n    window: 2h\n');
  });

  it('a window with no prediction does not trigger', async () => {
    // Predictions of three hours ago: outside the policy's 2h window.
    const { seattle } = weatherRows();
    await fx.log([{ id: 'old', time: new Date(Date.now() - 3 * 3_600_000), rows: sample(seattle, 50, 1) }]);
    const [outcome] = await due();
    assert.deepEqual(outcome.due, []);
    assert.equal(outcome.drift!.health, 'no-data');
    assert.equal(outcome.drift!.rows, 0);
    assert.match(outcome.notes.join(' '), /no prediction in the monitoring window/);
    assert.equal(getModel(fx.project().paths, 'weather').versions.length, 1);
  });

  it('New York\'s days served to the Seattle model are drift: the policy retrains with trigger drift; champion stays until a gate promotes', async () => {
    const { newYork } = weatherRows();
    const rows = sample(newYork, 600, 2);
    const now = Date.now();
    await fx.log(Array.from({ length: 6 }, (_, k) => ({ id: `ny-${k}`, time: new Date(now - (k + 1) * 60_000), rows: rows.slice(k * 100, k * 100 + 100) })));
    const [outcome] = await due();
    assert.equal(outcome.drift!.health, 'drift', outcome.drift!.reason);
    assert.equal(outcome.drift!.rows, 600);
    assert.deepEqual(outcome.due, ['drift']);
    assert.equal(outcome.retrained!.trigger, 'drift');
    assert.equal(outcome.retrained!.dataset, 'seattle@2');
    const model = getModel(fx.project().paths, 'weather');
    assert.equal(model.aliases.champion, 1);
    assert.equal(model.aliases.challenger, outcome.retrained!.version);
    assert.deepEqual(model.versions.find((v) => v.version === outcome.retrained!.version)!.lineage.retrain, { trigger: 'drift', from: 1 });
  });

  it('a policy window that is not a duration fails before anything is checked', async () => {
    fs.writeFileSync(path.join(fx.dir, 'mlops.yaml'), config + '\nretraining:\n  weather:\n    on: [drift]\n    window: soon\n');
    await assert.rejects(due(), /mlops\.yaml|soon/);
  });
});
