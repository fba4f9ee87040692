import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAutoml } from '../../../src/core/automl';
import { MlopsError } from '../../../src/core/errors';
import { installPaths } from '../../../src/core/install';
import { openMetadataStore } from '../../../src/core/metadata';
import { modelOfRun, predictChecked, predictFile } from '../../../src/core/models';
import { loadModel, serializeModel, type Model } from '../../../src/core/train';
import { sampleProject } from './sampleProject';

// The sample's weather: Seattle and New York, dates of 2012 to 2015, no empty cell anywhere.
const NEW_ROWS = [
  'location,date,precipitation,temp_max,temp_min,wind',
  'Paris,2031-06-01,,20,10,3',
  'Seattle,2013-01-15,5.1,7.2,2.8,4.1',
  'Paris,2013-02-01,1,,2,3',
  'New York,,0,25,15,2',
  'Seattle,2014-03-03,0,45,-30,5',
].join('\n') + '\n';

const EXPECTED = [
  { column: 'location', unseenCategories: 2, belowRange: 0, aboveRange: 0, missing: 0, examples: ['Paris'] },
  { column: 'date', unseenCategories: 0, belowRange: 0, aboveRange: 1, missing: 1, examples: ['2031-06-01'] },
  { column: 'precipitation', unseenCategories: 0, belowRange: 0, aboveRange: 0, missing: 1, examples: [] },
  { column: 'temp_max', unseenCategories: 0, belowRange: 0, aboveRange: 1, missing: 1, examples: ['45'] },
  { column: 'temp_min', unseenCategories: 0, belowRange: 1, aboveRange: 0, missing: 0, examples: ['-30'] },
];

async function sampleModel(): Promise<{ dir: string; bytes: Uint8Array; runId: string }> {
  const dir = await sampleProject();
  const store = await openMetadataStore(dir);
  try {
    const result = await runAutoml(store, { maxTrials: 2 });
    return { dir, bytes: modelOfRun(store, result.runId).bytes, runId: result.runId };
  } finally {
    store.close();
  }
}

describe('predictions that warn', () => {
  it('counts unseen categories, a date past the training years, numbers out of range and new missing values, per column', async () => {
    const { dir, bytes } = await sampleModel();
    fs.writeFileSync(path.join(dir, 'new.csv'), NEW_ROWS);
    const result = await predictFile(bytes, path.join(dir, 'new.csv'), path.join(dir, 'out.csv'));
    assert.equal(result.rows, 5);
    assert.equal(result.rangesChecked, true);
    assert.deepEqual(result.warnings, EXPECTED);
    assert.equal(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').trimEnd().split('\n').length, 6);

    // The in-process API counts the same rows given as objects.
    const [header, ...lines] = NEW_ROWS.trimEnd().split('\n').map((l) => l.split(','));
    const objects = lines.map((cells) => Object.fromEntries(header.map((h, j) => [h, cells[j]])));
    const checked = predictChecked(loadModel(Buffer.from(bytes).toString('utf8')), objects);
    assert.deepEqual(checked.warnings, EXPECTED);
    assert.equal(checked.predictions.kind, 'classification');
    assert.deepEqual(predictChecked(loadModel(Buffer.from(bytes).toString('utf8')), objects.slice(1, 2)).warnings, []);
  });

  it('--strict refuses the file and writes nothing; a model without recorded ranges checks only its categories', async () => {
    const { dir, bytes, runId } = await sampleModel();
    fs.writeFileSync(path.join(dir, 'new.csv'), NEW_ROWS);
    await assert.rejects(predictFile(bytes, path.join(dir, 'new.csv'), path.join(dir, 'out.csv'), { strict: true }), (e: unknown) => {
      assert.ok(e instanceof MlopsError);
      assert.equal(e.code, 'UNSEEN_INPUT');
      assert.match(e.message, /location, date, precipitation, temp_max, temp_min/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(dir, 'out.csv')), false);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('out')), []);

    const model = loadModel(Buffer.from(bytes).toString('utf8'));
    const old: Model = { ...model, features: model.features.map(({ seen: _seen, ...rest }) => rest) };
    const unchecked = await predictFile(serializeModel(old), path.join(dir, 'new.csv'), path.join(dir, 'old.csv'));
    assert.equal(unchecked.rangesChecked, false);
    assert.deepEqual(unchecked.warnings, [EXPECTED[0]]);

    const cli = path.join(installPaths().root, 'dist', 'cli.js');
    const mlops = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, LANG: 'C', MLOPS_RUN_ID: '' } });
    const plain = mlops('predict', '--run', runId, '--input', 'new.csv', '--output', 'p.csv');
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stderr, /column "location": 2 rows with a category training never had \(e\.g\. Paris\)/);
    assert.match(plain.stderr, /column "date": 1 rows above the training range; 1 rows missing a value, which training always had \(e\.g\. 2031-06-01\)/);
    const json = mlops('predict', '--run', runId, '--input', 'new.csv', '--output', 'p.csv', '--json');
    assert.deepEqual(JSON.parse(json.stdout).warnings, EXPECTED);
    fs.rmSync(path.join(dir, 'p.csv'));
    const strict = mlops('predict', '--run', runId, '--input', 'new.csv', '--output', 'p.csv', '--strict');
    assert.equal(strict.status, 1);
    assert.match(strict.stderr, /in columns location, date, precipitation, temp_max, temp_min; nothing was written/);
    assert.equal(fs.existsSync(path.join(dir, 'p.csv')), false);
  });
});
