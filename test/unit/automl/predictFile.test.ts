import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { predictFile } from '../../../src/core/models';
import { MlopsError } from '../../../src/core/errors';
import { datasetFromCsv, fitModel, serializeModel } from '../../../src/core/train';

const TRAIN = 'size,colour,kind\n1,red,small\n2,red,small\n3,blue,small\n10,blue,big\n11,red,big\n12,blue,big\n';
const model = serializeModel(fitModel('naive_bayes', {}, datasetFromCsv(TRAIN), { type: 'classification', target: 'kind' }, 0));
const regression = serializeModel(fitModel('linear', { alpha: 1e-9 }, datasetFromCsv('x,y\n1,2\n2,4\n3,6\n4,8\n'), { type: 'regression', target: 'y' }, 0));

function files(input: string): { input: string; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-predict-'));
  fs.writeFileSync(path.join(dir, 'in.csv'), input);
  return { input: path.join(dir, 'in.csv'), output: path.join(dir, 'out.csv') };
}

describe('predictFile', () => {
  it('names the user\'s output path and what to do when its folder is missing or is a file, never a temporary name', async () => {
    const f = files('colour,size\nblue,11\n');
    const missing = path.join(path.dirname(f.output), 'nowhere', 'p.csv');
    await assert.rejects(predictFile(model, f.input, missing), (e: unknown) => {
      assert.ok(e instanceof MlopsError);
      assert.equal(e.code, 'CANNOT_WRITE');
      assert.ok(e.message.includes(missing) && e.message.includes('does not exist'), e.message);
      assert.match(e.hint ?? '', /Create the folder first/);
      assert.doesNotMatch(`${e.message} ${e.hint}`, /\.tmp|ENOENT/);
      return true;
    });
    const underFile = path.join(f.input, 'p.csv');
    await assert.rejects(predictFile(model, f.input, underFile), (e: unknown) => e instanceof MlopsError && e.message.includes(underFile) && !e.message.includes('.tmp'));
    assert.deepEqual(fs.readdirSync(path.dirname(f.output)), ['in.csv']);
  });

  it('writes the rows in order with prediction and proba_<class> columns', async () => {
    const f = files('colour,size\nblue,11\nred,1\n"red, dark",2\n');
    const result = await predictFile(model, f.input, f.output);
    assert.equal(result.rows, 3);
    assert.deepEqual(result.added, ['prediction', 'proba_big', 'proba_small']);
    const lines = fs.readFileSync(f.output, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'colour,size,prediction,proba_big,proba_small');
    assert.match(lines[1], /^blue,11,big,/);
    assert.match(lines[2], /^red,1,small,/);
    assert.match(lines[3], /^"red, dark",2,small,/);
    const [pBig, pSmall] = lines[1].split(',').slice(3).map(Number);
    assert.ok(Math.abs(pBig + pSmall - 1) < 1e-9);
  });

  it('accepts the target column and empty cells, and predicts regressions', async () => {
    const f = files('x,y\n5,\n,3\n');
    await predictFile(regression, f.input, f.output);
    const lines = fs.readFileSync(f.output, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'x,y,prediction');
    assert.ok(Math.abs(Number(lines[1].split(',')[2]) - 10) < 0.5);
  });

  it('names missing and extra columns, and cells of the wrong type; no output is left', async () => {
    const missing = files('colour,weight\nred,3\n');
    await assert.rejects(predictFile(model, missing.input, missing.output), (err: unknown) => err instanceof MlopsError && /missing: size/.test(err.message) && /not used by the model: weight/.test(err.message));
    const wrong = files('colour,size\nred,3\nblue,large\n');
    await assert.rejects(predictFile(model, wrong.input, wrong.output), (err: unknown) => err instanceof MlopsError && /Column "size" .* holds "large" on line 3/.test(err.message));
    assert.equal(fs.existsSync(wrong.output), false);
    assert.deepEqual(fs.readdirSync(path.dirname(wrong.output)), ['in.csv']);
  });
});
