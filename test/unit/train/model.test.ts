import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import { MlopsError } from '../../../src/core/errors';
import { FAMILIES, Family, FitProgress, Rng, datasetFromCsv, datasetFromRows, exportOnnx, fitModel, loadModel, predict, serializeModel } from '../../../src/core/train';
import { loadFixture, mixedRows } from './fixtures';

const classification = { type: 'classification', target: 'y' } as const;
const regression = { type: 'regression', target: 'r' } as const;
const small: Record<Family, Record<string, unknown>> = {
  gbdt: { maxIter: 20 },
  random_forest: { nEstimators: 10 },
  extra_trees: { nEstimators: 10 },
  linear: {},
  knn: {},
  naive_bayes: {},
};

describe('models', () => {
  const rows = mixedRows(600, 1);
  const data = datasetFromRows(rows);
  const regressionData = datasetFromRows(mixedRows(600, 1, 'r'));

  it('learns categorical splits and routes missing values natively (gbdt)', () => {
    const model = fitModel('gbdt', { maxIter: 50, minSamplesLeaf: 5 }, data, classification, 0);
    const test = mixedRows(400, 2);
    const predicted = predict(model, test);
    assert.equal(predicted.kind, 'classification');
    const right = test.filter((r, i) => predicted.kind === 'classification' && predicted.labels[i] === r.y).length;
    assert.ok(right / test.length > 0.97, `accuracy ${right / test.length}`);
  });

  for (const family of FAMILIES) {
    it(`${family}: same seed gives a byte-identical artifact, and the loaded artifact predicts identically`, () => {
      const first = fitModel(family, small[family], data, classification, 7);
      const json = serializeModel(first);
      assert.equal(serializeModel(fitModel(family, small[family], data, classification, 7)), json);
      const loaded = loadModel(json);
      const test = mixedRows(50, 3);
      assert.deepEqual(predict(loaded, test), predict(first, test));
      assert.doesNotMatch(json, /20\d\d-\d\d-\d\dT/, 'no timestamps in the artifact');
    });
  }

  it('different seeds give different forests', () => {
    const a = serializeModel(fitModel('random_forest', small.random_forest, data, classification, 1));
    assert.notEqual(serializeModel(fitModel('random_forest', small.random_forest, data, classification, 2)), a);
  });

  for (const family of FAMILIES.filter((f) => f !== 'naive_bayes')) {
    it(`${family} fits a regression`, () => {
      const model = fitModel(family, small[family], regressionData, regression, 0);
      const predicted = predict(model, mixedRows(20, 4));
      assert.equal(predicted.kind, 'regression');
      assert.ok(predicted.kind === 'regression' && predicted.values.every(Number.isFinite));
    });
  }

  it('predicts rows with unseen categories, missing cells and absent columns as missing values', () => {
    for (const family of FAMILIES) {
      const model = fitModel(family, small[family], data, classification, 0);
      const predicted = predict(model, [
        { x: '7', c: 'never-seen', m: '' },
        { x: null, c: null },
        { x: 'NaN', c: '', m: 'n/a' },
        {},
      ]);
      assert.ok(predicted.kind === 'classification');
      for (let i = 0; i < 4; i++) {
        const p = predicted.probabilities.subarray(2 * i, 2 * i + 2);
        assert.ok(p.every((v) => v >= 0 && v <= 1) && Math.abs(p[0] + p[1] - 1) < 1e-9, `${family} row ${i}: ${p}`);
      }
      // An unseen category is treated exactly like a missing one.
      const unseen = predict(model, [{ x: '7', c: 'never-seen', m: '1' }]);
      const missing = predict(model, [{ x: '7', c: '', m: '1' }]);
      assert.deepEqual(unseen, missing, family);
    }
  });

  it('takes rows with a header, bare rows and objects alike', () => {
    const model = fitModel('gbdt', small.gbdt, data, classification, 0);
    const objects = mixedRows(5, 9);
    const header = ['c', 'x', 'm'];
    assert.deepEqual(predict(model, { header, rows: objects.map((r) => header.map((h) => r[h])) }), predict(model, objects));
    // Bare rows follow the model's feature order.
    assert.deepEqual(model.features.map((f) => f.name), ['x', 'c', 'm']);
    assert.deepEqual(predict(model, objects.map((r) => [r.x, r.c, r.m])), predict(model, objects));
  });

  it('reports progress and stops when cancelled', () => {
    const seen: FitProgress[] = [];
    fitModel('gbdt', { maxIter: 5 }, data, classification, 0, undefined, (p) => seen.push(p));
    assert.deepEqual(seen.map((p) => p.done), [1, 2, 3, 4, 5]);
    const controller = new AbortController();
    let trees = 0;
    assert.throws(
      () =>
        fitModel('random_forest', { nEstimators: 1000 }, data, classification, 0, controller.signal, () => {
          if (++trees === 3) controller.abort();
        }),
      (err: unknown) => err instanceof MlopsError && err.code === 'CANCELLED',
    );
    assert.equal(trees, 3);
  });
});

describe('bad input', () => {
  const expectError = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (err: unknown) => err instanceof MlopsError && pattern.test(err.message));

  it('a missing target column names the columns found', () => {
    const data = datasetFromCsv('a,b\n1,2\n3,4\n');
    assert.throws(() => fitModel('gbdt', {}, data, { type: 'classification', target: 'label' }, 0), (err: unknown) => err instanceof MlopsError && /"label"/.test(err.message) && /a, b/.test(err.hint ?? ''));
  });

  it('a constant target, a one-row dataset, missing targets and a text regression target', () => {
    expectError(() => fitModel('linear', {}, datasetFromCsv('a,y\n1,k\n2,k\n3,k\n'), { type: 'classification', target: 'y' }, 0), /single value/);
    expectError(() => fitModel('linear', {}, datasetFromCsv('a,y\n1,5\n2,5\n'), { type: 'regression', target: 'y' }, 0), /single value/);
    expectError(() => fitModel('gbdt', {}, datasetFromCsv('a,y\n1,0\n'), { type: 'classification', target: 'y' }, 0), /at least 2 rows/);
    expectError(() => fitModel('gbdt', {}, datasetFromCsv('a,y\n1,0\n2,\n3,1\n'), { type: 'classification', target: 'y' }, 0), /1 rows have no value/);
    expectError(() => fitModel('gbdt', {}, datasetFromCsv('a,y\n1,x\n2,y\n'), { type: 'regression', target: 'y' }, 0), /not numeric/);
    expectError(() => fitModel('naive_bayes', {}, datasetFromCsv('a,y\n1,1\n2,2\n'), { type: 'regression', target: 'y' }, 0), /only does classification/);
  });

  it('bad parameters and families fail clearly', () => {
    const data = datasetFromCsv('a,y\n1,0\n2,1\n3,0\n4,1\n');
    expectError(() => fitModel('gbdt', { learningRate: -1 }, data, { type: 'classification', target: 'y' }, 0), /learningRate/);
    expectError(() => fitModel('gbdt', { maxIter: 'many' }, data, { type: 'classification', target: 'y' }, 0), /maxIter/);
    expectError(() => fitModel('svm' as Family, {}, data, { type: 'classification', target: 'y' }, 0), /Unknown model family/);
  });

  it('empty and NaN cells are missing values, in features and in all-missing columns', () => {
    const data = datasetFromCsv('a,b,y\n1,,0\n,NaN,1\n3,,0\nNA,,1\n5,,0\n6,,1\n');
    for (const family of FAMILIES) {
      const model = fitModel(family, small[family], data, { type: 'classification', target: 'y' }, 0);
      const p = predict(model, [{ a: '', b: '' }]);
      assert.ok(p.kind === 'classification' && p.probabilities.every(Number.isFinite), family);
    }
  });

  it('a text column with thousands of distinct values keeps its 255 most frequent categories', () => {
    const rng = new Rng(5);
    const rows = Array.from({ length: 6000 }, (_, i) => ({ id: `user-${i}`, city: `c${rng.int(400)}`, x: rng.float(), y: rng.float() > 0.5 ? 1 : 0 }));
    const data = datasetFromRows(rows);
    const id = data.columns.find((c) => c.name === 'id')!;
    assert.ok(id.kind === 'categorical' && id.vocabulary.length === 255);
    for (const family of FAMILIES) {
      const model = fitModel(family, small[family], data, { type: 'classification', target: 'y' }, 0);
      assert.ok(serializeModel(model).length < 5_000_000 || family === 'knn', family);
      assert.equal(predict(model, rows.slice(0, 3)).kind, 'classification');
    }
  });

  it('a damaged or newer artifact is refused', () => {
    expectError(() => loadModel('{"format":"something-else"}'), /damaged/);
    expectError(() => loadModel('not json'), /damaged/);
    const json = serializeModel(fitModel('linear', {}, datasetFromCsv('a,y\n1,0\n2,1\n3,0\n'), { type: 'classification', target: 'y' }, 0));
    expectError(() => loadModel(json.replace('"version":1', '"version":99')), /newer/);
  });

  it('CSV: quotes, doubled quotes, CRLF, and ragged lines', () => {
    const data = datasetFromCsv('name,"note"\r\n"a, b","say ""hi"""\r\nc,d\r\n');
    const name = data.columns[0];
    assert.ok(name.kind === 'categorical');
    assert.deepEqual([...name.vocabulary].sort(), ['a, b', 'c']);
    const note = data.columns[1];
    assert.ok(note.kind === 'categorical' && note.vocabulary.includes('say "hi"'));
    expectError(() => datasetFromCsv('a,b\n1,2,3\n'), /Line 2/);
    expectError(() => datasetFromCsv(''), /empty/);
  });
});

describe('ONNX export', () => {
  const decode = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes);
  const attribute = (node: onnx.INodeProto, name: string) => node.attribute!.find((a) => a.name === name)!;

  it('a boosted multiclass model is one TreeEnsembleClassifier with every tree and softmax', () => {
    const model = fitModel('gbdt', { maxIter: 5 }, loadFixture('iris'), { type: 'classification', target: 'target' }, 0);
    const graph = decode(exportOnnx(model)).graph!;
    assert.deepEqual(graph.node!.map((n) => n.opType), ['TreeEnsembleClassifier']);
    const node = graph.node![0];
    assert.equal(node.domain, 'ai.onnx.ml');
    assert.equal(Buffer.from(attribute(node, 'post_transform').s!).toString(), 'SOFTMAX');
    assert.deepEqual(attribute(node, 'classlabels_strings').strings!.map((s) => Buffer.from(s).toString()), ['0', '1', '2']);
    assert.equal(new Set(attribute(node, 'nodes_treeids').ints!.map(Number)).size, 15);
    assert.equal(attribute(node, 'base_values').floats!.length, 3);
    assert.equal(Number(graph.input![0].type!.tensorType!.shape!.dim![1].dimValue), 4);
  });

  it('a forest regressor averages its trees; a linear model with categories carries its preprocessing', () => {
    const data = datasetFromRows(mixedRows(200, 1));
    const forest = decode(exportOnnx(fitModel('random_forest', { nEstimators: 4 }, datasetFromRows(mixedRows(200, 1, 'r')), regression, 0))).graph!;
    // the categorical splits on c become looked-up 0/1 columns, so every tree node is a plain threshold test
    assert.deepEqual(forest.node!.map((n) => n.opType), ['Gather', 'Imputer', 'Cast', 'Gather', 'Flatten', 'Concat', 'TreeEnsembleRegressor']);
    const modes = new Set(attribute(forest.node!.at(-1)!, 'nodes_modes').strings!.map((s) => Buffer.from(s).toString()));
    assert.deepEqual([...modes].sort(), ['BRANCH_LEQ', 'LEAF']);
    const linear = decode(exportOnnx(fitModel('linear', {}, data, classification, 0))).graph!;
    assert.deepEqual(linear.node!.map((n) => n.opType), ['Gather', 'Imputer', 'Scaler', 'Gather', 'Imputer', 'Cast', 'OneHotEncoder', 'Flatten', 'Concat', 'LinearClassifier']);
    const classifier = linear.node!.at(-1)!;
    // Two numeric columns + six categories, for each of the two softmax rows.
    assert.equal(attribute(classifier, 'coefficients').floats!.length, 2 * 8);
  });

  it('families without an ONNX operator are refused clearly', () => {
    const model = fitModel('knn', {}, datasetFromRows(mixedRows(30, 1)), classification, 0);
    assert.throws(() => exportOnnx(model), MlopsError);
  });
});
