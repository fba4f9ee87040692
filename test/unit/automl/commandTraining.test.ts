import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitCommand, trainWithCommand } from '../../../src/core/automl';
import { getRun } from '../../../src/core/tracking';
import { makeProject, write } from '../data/projectFixture';
import { openMetadataStore } from '../../../src/core/metadata';

// The "training script": reads its params file and writes a metrics file, as a user's train.py would.
const SCRIPT = `const fs = require('fs');
const p = JSON.parse(fs.readFileSync('params.json', 'utf8'));
fs.writeFileSync('metrics.json', JSON.stringify({ accuracy: 0.5 + p.lr, eval: { loss: 0.25 } }));`;

describe('training with the project\'s own command', () => {
  it('records params, metrics and the data version as a tracked run', async () => {
    const { dir } = makeProject();
    write(dir, 'mlops.yaml', `version: 1
project: own-training
datasets:
  points:
    path: data/points.csv
data:
  git: off
training:
  dataset: points
  command: '"${process.execPath}" train.js'
  params: params.json
  metrics: metrics.json
`);
    write(dir, 'data/points.csv', 'x,y\n1,2\n');
    write(dir, 'train.js', SCRIPT);
    write(dir, 'params.json', JSON.stringify({ lr: 0.25, model: { depth: 3 } }));
    const out: string[] = [];
    const result = await trainWithCommand(await openMetadataStore(dir), { stdout: (c) => out.push(c.toString()), stderr: (c) => out.push(c.toString()) });
    assert.equal(result.status, 'finished', out.join(''));
    assert.deepEqual(result.metrics, { accuracy: 0.75, 'eval.loss': 0.25 });
    const store = await openMetadataStore(dir);
    const run = getRun(store, result.runId);
    assert.deepEqual(run.params, { lr: '0.25', 'model.depth': '3' });
    assert.equal(run.metrics.accuracy.value, 0.75);
    assert.equal(run.tags['mlops.kind'], 'command');
    assert.deepEqual(run.inputs.map((i) => [i.kind, i.name, i.version]), [['dataset', 'points', '1']]);
    store.close();
  });

  it('splits a command line without a shell', () => {
    assert.deepEqual(splitCommand(`python  train.py --name "two words" 'it''s' a="b c"`), ['python', 'train.py', '--name', 'two words', 'its', 'a=b c']);
  });
});
