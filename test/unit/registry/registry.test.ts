import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { archiveVersion, getModel, listModels, modelHistory, readModelArtifact, registerModel, removeAlias, resolveModelVersion, setAlias } from '../../../src/core/registry';
import { reproduceVersion } from '../../../src/core/automl';
import { loadModel, predict } from '../../../src/core/train';
import { refitFromConfig } from '../../../src/core/automl';
import { registryProject } from './fixture';

test('registering a run makes version 1 with its artifact, signature, metrics, lineage and card, and records who did it', async () => {
  const f = await registryProject();
  const runId = await f.trainRun();
  const result = await registerModel(f.project(), await f.store(), runId.slice(0, 8), { model: 'iris', alias: 'champion', description: 'Sorts irises.', reason: 'first model' });
  const r = result.record;
  assert.equal(r.version, 1);
  assert.equal(result.folder, '.mlops/models/iris/1');
  assert.equal(r.lineage.run, runId);
  assert.equal(r.lineage.dataset?.name, 'iris');
  assert.match(r.lineage.dataset!.digest!, /^sha256:[0-9a-f]{64}$/);
  assert.equal(r.lineage.commit, f.git('rev-parse', 'HEAD').trim());
  assert.equal(r.lineage.seed, 7);
  assert.equal(r.lineage.trainingConfig?.family, 'naive_bayes');
  assert.equal(r.keyMetric, 'cv_accuracy');
  assert.equal(r.metrics.cv_accuracy, 0.95);
  assert.deepEqual(r.params, { var_smoothing: '1e-9' });
  assert.deepEqual(r.signature.inputs.map((i) => i.name), ['sepal_length_(cm)', 'sepal_width_(cm)', 'petal_length_(cm)', 'petal_width_(cm)']);
  assert.deepEqual(r.signature.output, { task: 'classification', target: 'target', classes: ['0', '1', '2'] });
  assert.equal(r.createdBy, 'Ada Lovelace <ada@example.com>');
  const card = fs.readFileSync(path.join(f.dir, '.mlops/models/iris/1/MODEL_CARD.md'), 'utf8');
  assert.match(card, /Sorts irises\./);
  assert.match(card, /150 rows, 5 columns/);
  assert.match(card, /cv_accuracy/);
  assert.equal(fs.readFileSync(path.join(f.dir, '.mlops/models/.gitattributes'), 'utf8').includes('*/history.jsonl merge=union'), true);
  const events = modelHistory(f.project().paths, 'iris');
  assert.deepEqual(events.map((e) => [e.event, e.version, e.alias, e.by, e.reason]), [
    ['register', 1, undefined, 'Ada Lovelace <ada@example.com>', 'first model'],
    ['alias-set', 1, 'champion', 'Ada Lovelace <ada@example.com>', 'first model'],
  ]);
  // the registry is what git shares: .gitignore keeps .mlops/models
  assert.match(f.git('status', '--porcelain', '--untracked-files=all'), /\.mlops\/models\/iris\/1\/version\.json/);
});

test('an alias move is followed at once, the artifact predicts, and an edited card is never overwritten', async () => {
  const f = await registryProject();
  const store = await f.store();
  await registerModel(f.project(), store, await f.trainRun(), { model: 'iris', alias: 'champion' });
  await registerModel(f.project(), await f.store(), await f.trainRun({ family: 'random_forest' }), { model: 'iris' });
  const paths = f.project().paths;
  assert.equal(resolveModelVersion(paths, 'iris@champion').version, 1);
  assert.equal(resolveModelVersion(paths, 'iris@latest').version, 2);
  const move = await setAlias(paths, 'iris', 'champion', 2, { reason: 'better on recent data' });
  assert.deepEqual([move.previous, move.version, move.changed], [1, 2, true]);
  const champion = resolveModelVersion(paths, 'iris@champion');
  assert.equal(champion.version, 2);
  assert.equal(champion.artifact.family, 'random_forest');
  const model = loadModel(readModelArtifact(f.project(), champion).toString('utf8'));
  const out = predict(model, [{ 'sepal_length_(cm)': 5.1, 'sepal_width_(cm)': 3.5, 'petal_length_(cm)': 1.4, 'petal_width_(cm)': 0.2 }]);
  assert.equal(out.kind === 'classification' && out.labels[0], '0');
  assert.equal((await setAlias(paths, 'iris', 'champion', 2)).changed, false);

  const card = path.join(f.dir, '.mlops/models/iris/1/MODEL_CARD.md');
  fs.appendFileSync(card, '\nOnly for the botany class.\n');
  assert.equal(getModel(paths, 'iris').versions[0].cardEdited, true);
  assert.equal(getModel(paths, 'iris').versions[1].cardEdited, false);
});

test('bad input gets clear errors: failed runs, runs without a model, unknown names, aliases and versions, archived versions', async () => {
  const f = await registryProject();
  const project = f.project();
  const failed = await f.trainRun({ status: 'failed' });
  await assert.rejects(registerModel(project, await f.store(), failed, { model: 'iris' }), /failed: only a run that finished can be registered/);
  const noModel = await f.trainRun({ withModel: false });
  await assert.rejects(registerModel(project, await f.store(), noModel, { model: 'iris' }), /has no model to register/);
  for (const bad of ['../evil', 'a/b', 'a\\b', '.hidden', '']) {
    await assert.rejects(registerModel(project, await f.store(), noModel, { model: bad }), /is not a valid model name/);
  }
  await assert.rejects(registerModel(project, await f.store(), 'zzzzzz', { model: 'iris' }), /There is no run "zzzzzz"/);
  const good = await f.trainRun();
  await registerModel(project, await f.store(), good, { model: 'iris' });
  await assert.rejects(registerModel(project, await f.store(), good, { model: 'iris' }), /already registered as iris\/1/);
  const paths = project.paths;
  assert.throws(() => resolveModelVersion(paths, 'iris@champion'), /iris has no alias "champion"/);
  assert.throws(() => resolveModelVersion(paths, 'iris/9'), /iris has no version 9/);
  assert.throws(() => resolveModelVersion(paths, 'nope/1'), /There is no model "nope"/);
  assert.throws(() => resolveModelVersion(paths, 'iris'), /does not name a model version/);
  await assert.rejects(setAlias(paths, 'iris', 'Champion', 1), /is not a valid alias/);
  await assert.rejects(setAlias(paths, 'iris', 'latest', 1), /is not a valid alias/);
  await assert.rejects(setAlias(paths, 'iris', 'champion', 3), /iris has no version 3/);
  await assert.rejects(removeAlias(paths, 'iris', 'champion'), /iris has no alias "champion"/);

  await setAlias(paths, 'iris', 'champion', 1);
  await assert.rejects(archiveVersion(paths, 'iris', 1), /holds the alias champion; archiving it would leave it pointing/);
  await removeAlias(paths, 'iris', 'champion', { reason: 'retired' });
  assert.equal((await archiveVersion(paths, 'iris', 1, { reason: 'superseded' })).changed, true);
  await assert.rejects(setAlias(paths, 'iris', 'champion', 1), /is archived and cannot hold an alias/);
  assert.throws(() => resolveModelVersion(paths, 'iris@latest'), /Every version of iris is archived/);
  assert.equal(resolveModelVersion(paths, 'iris/1').archived, true);
  assert.deepEqual(modelHistory(paths, 'iris').map((e) => e.event), ['register', 'alias-set', 'alias-remove', 'archive']);
});

test('a version appears whole or not at all: leftovers of an interrupted registration are not versions', async () => {
  const f = await registryProject();
  const paths = f.project().paths;
  // a numbered folder without version.json: what a crash before the rename cannot leave, but a hand or a merge can
  fs.mkdirSync(path.join(paths.models, 'iris', '1'), { recursive: true });
  fs.writeFileSync(path.join(paths.models, 'iris', '1', 'MODEL_CARD.md'), 'notes');
  assert.deepEqual(listModels(paths), []);
  const result = await registerModel(f.project(), await f.store(), await f.trainRun(), { model: 'iris' });
  assert.equal(result.record.version, 2);
  assert.equal(fs.readFileSync(path.join(paths.models, 'iris', '1', 'MODEL_CARD.md'), 'utf8'), 'notes');
  assert.deepEqual(fs.readdirSync(paths.tmp), []);
});

test('reproduce rebuilds a registered version byte for byte with the AutoML\'s refit, and says what differs when it does not', async () => {
  const f = await registryProject();
  await registerModel(f.project(), await f.store(), await f.trainRun({ family: 'random_forest', seed: 11 }), { model: 'iris' });
  const same = await reproduceVersion(f.project(), 'iris/1');
  assert.equal(same.identical, true);
  assert.equal(same.reproduced, same.registered);
  assert.deepEqual(same.differences, []);
  const otherSeed = await reproduceVersion(f.project(), 'iris@latest', { refit: (root, config, signal) => refitFromConfig(root, { ...config, seed: 12 }, signal) });
  assert.equal(otherSeed.identical, false);
  assert.ok(otherSeed.differences.some((d) => d.startsWith('seed: 11 then 12')), otherSeed.differences.join('; '));
});
