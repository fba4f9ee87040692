import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';
import { startServer } from '../../../src/core/serve';
import { openProject } from '../../../src/core/workspace';
import { call, postJson } from '../serve/fixture';

const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

/** `mlops init --sample` in a fresh git repository, its weather data snapshotted: the features can be built. */
function sampleProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-feattrain-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.com');
  assert.equal(mlops(dir, 'init', '--sample').status, 0);
  git('add', '-A');
  git('commit', '-q', '-m', 'sample');
  const snap = mlops(dir, 'snapshot', 'data/weather.csv');
  assert.equal(snap.status, 0, snap.stderr);
  return dir;
}

interface TrainJson {
  runId: string;
  dataset: { name: string; version: number; digest: string };
  columns: { column: string; use: string; reason?: string }[];
  evaluation: { holdout?: { column: string; testRows: number } };
  featureSet: { service: string; version: string; views: { name: string; version: string; source: string }[]; keys: string[]; request: string[]; timestamp: string; columns: string[] };
}

const FEATURE_COLUMNS = ['precipitation_today', 'temp_max_today', 'temp_min_today', 'wind_today', 'temp_range', 'precipitation_7d_sum', 'temp_max_7d_mean', 'wind_30d_mean'].map((f) => `daily_weather__${f}`);
/** The sample's on-demand features come first: what the day measured, given with each request. */
const ON_DEMAND = 5;
/** The sample's weather_features service, its champion's: the on-demand features only; weather_history has them all. */
const SERVED_COLUMNS = FEATURE_COLUMNS.slice(0, ON_DEMAND);
const REQUEST = ['precipitation', 'temp_max', 'temp_min', 'wind'];

/** The sample's whole view trained on its own rows: the entity rows are the weather rows (location, date, the target). */
function trainOnSample(dir: string): TrainJson {
  const r = mlops(dir, 'train', '--features', 'weather_history', '--entities', 'data/weather.csv', '--timestamp', 'date', '--target', 'weather', '--max-trials', '2', '--families', 'gbdt', '--json');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as TrainJson;
}

describe('mlops train --features', () => {
  it('usage mistakes exit 2 before any work', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-feattrain-'));
    assert.equal(mlops(dir, 'init', '--sample').status, 0);
    for (const args of [
      ['--features', 'weather_history', '--target', 'weather'],
      ['--features', 'weather_history', '--entities', 'data/weather.csv'],
      ['--features', 'weather_history', '--entities', 'data/weather.csv', '--target', 'weather', '--dataset', 'weather'],
      ['--entities', 'data/weather.csv', '--target', 'weather'],
    ]) {
      const r = mlops(dir, 'train', ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.equal(fs.existsSync(path.join(dir, 'data', 'weather_history-training.csv')), false, 'nothing built');
  });

  it('trains on the feature columns only, on a snapshotted training set, and records the service and view versions', () => {
    const dir = sampleProject();
    const result = trainOnSample(dir);
    const list = JSON.parse(mlops(dir, 'features', 'list', '--json').stdout) as { views: { name: string; version: string }[] };
    assert.equal(result.featureSet.service, 'weather_history');
    assert.deepEqual(result.featureSet.views, [{ name: 'daily_weather', version: list.views[0].version, source: 'weather@1' }]);
    assert.deepEqual(result.featureSet.keys, ['location']);
    assert.deepEqual(result.featureSet.request, REQUEST);
    assert.equal(result.featureSet.timestamp, 'date');
    assert.deepEqual(result.featureSet.columns, FEATURE_COLUMNS);
    // The entity rows' own columns (the key, the time, the raw weather) are not model inputs; the target comes from them.
    const used = result.columns.filter((c) => c.use === 'feature').map((c) => c.column);
    assert.deepEqual(used, FEATURE_COLUMNS);
    assert.deepEqual(result.columns.filter((c) => c.use === 'excluded').map((c) => [c.column, c.reason]), ['location', 'date', 'precipitation', 'temp_max', 'temp_min', 'wind'].map((c) => [c, 'entity rows']));
    assert.equal(result.columns.find((c) => c.use === 'target')?.column, 'weather');
    // The entity rows' time is no input, yet it orders the rows: the latest fifth is held out, as for any dated data.
    assert.equal(result.evaluation.holdout?.column, 'date');
    assert.equal(result.evaluation.holdout?.testRows, Math.floor(fs.readFileSync(path.join(dir, 'data', 'weather.csv'), 'utf8').trimEnd().split('\n').length * 0.2 - 0.2));

    assert.deepEqual([result.dataset.name, result.dataset.version], ['weather_history-training', 1]);
    const versions = JSON.parse(mlops(dir, 'versions', 'weather_history-training', '--json').stdout) as { versions: { digest: string; lineage: { featureService: { name: string; version: string } } }[] };
    assert.equal(versions.versions[0].digest, result.dataset.digest);
    assert.deepEqual(versions.versions[0].lineage.featureService.name, 'weather_history');
    assert.equal(versions.versions[0].lineage.featureService.version, result.featureSet.version);

    const run = JSON.parse(mlops(dir, 'run', 'show', result.runId, '--json').stdout) as { tags: Record<string, string>; params: Record<string, string> };
    assert.equal(run.tags['mlops.featureService'], 'weather_history');
    assert.deepEqual(JSON.parse(run.params['mlops.featureSet']), result.featureSet);
    assert.match(mlops(dir, 'run', 'show', result.runId).stdout, new RegExp(`Features:\n  Feature service weather_history version ${result.featureSet.version} \\(daily_weather ${list.views[0].version}\\); entity key location`));
  });

  it('the registry, the model card, run show and features list carry the service; predict and the server take entity keys; reproduce trains the same model', async () => {
    const dir = sampleProject();
    const result = trainOnSample(dir);
    const registered = mlops(dir, 'register', result.runId, '--model', 'weather', '--alias', 'champion', '--json');
    assert.equal(registered.status, 0, registered.stderr);
    const shown = JSON.parse(mlops(dir, 'model', 'show', 'weather@champion', '--json').stdout) as { lineage: { featureSet: unknown; dataset: { name: string } } };
    assert.deepEqual(shown.lineage.featureSet, result.featureSet);
    assert.equal(shown.lineage.dataset.name, 'weather_history-training');
    assert.match(mlops(dir, 'model', 'show', 'weather/1').stdout, /features: Feature service weather_history version [0-9a-f]{16}/);
    const card = fs.readFileSync(path.join(dir, '.mlops', 'models', 'weather', '1', 'MODEL_CARD.md'), 'utf8');
    assert.match(card, new RegExp(`- Features: Feature service weather_history version ${result.featureSet.version}`));

    const list = JSON.parse(mlops(dir, 'features', 'list', '--json').stdout) as { services: { name: string; usedBy: { runs: { id: string; serviceVersion: string }[]; models: { model: string; version: number; aliases: string[]; serviceVersion: string }[] } }[] };
    const usedBy = list.services.find((s) => s.name === 'weather_history')!.usedBy;
    assert.deepEqual(usedBy.runs.map((r) => [r.id, r.serviceVersion]), [[result.runId, result.featureSet.version]]);
    assert.deepEqual(usedBy.models.map((m) => [m.model, m.version, m.aliases, m.serviceVersion]), [['weather', 1, ['champion'], result.featureSet.version]]);
    assert.match(mlops(dir, 'features', 'list').stdout, /weather_history: .*\n {4}used by weather v1 @champion; 1 runs/);

    // Predicting by entity key and the day's measurements: the history comes from the online store, through the same
    // lookup as `features get`.
    assert.equal(mlops(dir, 'features', 'materialize', '--end', '2016-01-01T00:00:00Z').status, 0);
    const days: [string, number, number, number, number][] = [['Seattle', 10.9, 10.6, 2.8, 4.5], ['New York', 0, 31.1, 22.8, 2.1], ['Atlantis', 0, 20, 10, 2]];
    fs.writeFileSync(path.join(dir, 'keys.csv'), `location,${REQUEST.join(',')}\n${days.map((d) => d.join(',')).join('\n')}\n`);
    const predicted = mlops(dir, 'predict', '--model', 'weather@champion', '--input', 'keys.csv', '--output', 'preds.csv', '--json');
    assert.equal(predicted.status, 0, predicted.stderr);
    const summary = JSON.parse(predicted.stdout) as { rows: number; columns: string[]; incomplete: number };
    assert.deepEqual([summary.rows, summary.incomplete], [3, 1]);
    assert.deepEqual(summary.columns.slice(0, FEATURE_COLUMNS.length), FEATURE_COLUMNS);
    assert.match(predicted.stderr, /Warning: 1 of 3 rows had a feature missing or expired in the online store/);
    const at = 1 + REQUEST.length;
    const [header, seattle, newYork, atlantis] = fs.readFileSync(path.join(dir, 'preds.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
    // the input file's own columns, then the features looked up or computed, then the prediction
    assert.deepEqual(header.slice(0, at + FEATURE_COLUMNS.length + 1), ['location', ...REQUEST, ...FEATURE_COLUMNS, 'prediction']);
    for (const [i, row] of [seattle, newYork].entries()) {
      const request = REQUEST.flatMap((name, j) => ['--request', `${name}=${days[i][j + 1]}`]);
      const got = JSON.parse(mlops(dir, 'features', 'get', 'weather_history', '--entity', `location=${row[0]}`, ...request, '--json').stdout) as { features: { value: number | null }[] };
      assert.deepEqual(row.slice(at, at + FEATURE_COLUMNS.length), got.features.map((f) => (f.value === null ? '' : String(f.value))));
      assert.equal(Number(row[at + ON_DEMAND - 1]), days[i][2] - days[i][3], 'temp_range of the request');
      assert.ok(['sun', 'rain', 'fog', 'drizzle', 'snow'].includes(row[at + FEATURE_COLUMNS.length]), row.join(','));
    }
    // An unknown entity has no history; what its request gave is still computed.
    assert.deepEqual(atlantis.slice(at + ON_DEMAND, at + FEATURE_COLUMNS.length), FEATURE_COLUMNS.slice(ON_DEMAND).map(() => ''));
    assert.deepEqual(atlantis.slice(at, at + ON_DEMAND).map(Number), [0, 20, 10, 2, 10]);
    fs.writeFileSync(path.join(dir, 'nokeys.csv'), 'city\nSeattle\n');
    const bad = mlops(dir, 'predict', '--model', 'weather@champion', '--input', 'nokeys.csv', '--output', 'bad.csv');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /nokeys\.csv lacks inputs of the model \(location, precipitation, temp_max, temp_min, wind\)/);
    assert.equal(fs.existsSync(path.join(dir, 'bad.csv')), false);

    // The model server takes entity keys too, in MLflow's /invocations and in Open Inference v2, over real HTTP.
    const server = await startServer(openProject(dir), { references: ['weather@champion'], port: 0, writeState: false });
    try {
      const expected = [seattle, newYork].map((row) => row[at + FEATURE_COLUMNS.length]);
      const records = days.slice(0, 2).map((d) => Object.fromEntries([['location', d[0]], ...REQUEST.map((name, j) => [name, d[j + 1]])]));
      const invoked = await postJson(server.url, '/invocations', { dataframe_records: records });
      assert.equal(invoked.status, 200, invoked.text);
      assert.deepEqual(invoked.json().predictions, expected);
      const meta = await call(server.url, 'GET', '/v2/models/weather');
      // the key is text; the day's measurements are numbers in the training set, so FP64 tensors
      assert.deepEqual(meta.json().inputs.map((i: { name: string; datatype: string }) => `${i.name}:${i.datatype}`), ['location:BYTES', ...REQUEST.map((r) => `${r}:FP64`)]);
      const tensors = [
        { name: 'location', datatype: 'BYTES', shape: [2], data: ['Seattle', 'New York'] },
        ...REQUEST.map((name, j) => ({ name, datatype: 'FP64', shape: [2], data: days.slice(0, 2).map((d) => d[j + 1]) })),
      ];
      const inferred = await postJson(server.url, '/v2/models/weather/infer', { inputs: tensors });
      assert.equal(inferred.status, 200, inferred.text);
      assert.deepEqual(inferred.json().outputs[0].data, expected);
      const wrong = await postJson(server.url, '/invocations', { dataframe_records: [{ city: 'Seattle' }] });
      assert.equal(wrong.status, 400);
      assert.match(wrong.json().message, /location/);
    } finally {
      await server.close();
    }

    const again = mlops(dir, 'reproduce', 'weather/1', '--json');
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.equal((JSON.parse(again.stdout) as { identical: boolean }).identical, true);
  });
  it('mlops retrain builds the service\'s training set again from the newest entity rows, and refuses when nothing is new', () => {
    const dir = sampleProject();
    const all = fs.readFileSync(path.join(dir, 'data', 'weather.csv'), 'utf8');
    const [head, ...rows] = all.trimEnd().split('\n');
    const before2015 = rows.filter((r) => !r.includes(',2015-'));
    fs.writeFileSync(path.join(dir, 'data', 'weather.csv'), `${head}\n${before2015.join('\n')}\n`);
    assert.equal(mlops(dir, 'snapshot', 'data/weather.csv').status, 0);
    const trained = mlops(dir, 'train', '--features', 'weather_features', '--entities', 'weather', '--timestamp', 'date', '--target', 'weather', '--max-trials', '2', '--families', 'gbdt', '--json');
    assert.equal(trained.status, 0, trained.stderr);
    const result = JSON.parse(trained.stdout) as TrainJson & { featureSet: { entities: unknown } };
    assert.deepEqual(result.featureSet.entities, { dataset: 'weather', version: 2 });
    assert.equal(mlops(dir, 'register', result.runId, '--model', 'weather', '--alias', 'champion').status, 0);

    // a service that no longer gives what the champion was trained on is refused before anything is built
    const config = path.join(dir, 'mlops.yaml');
    const yaml = fs.readFileSync(config, 'utf8');
    const builtSet = path.join(dir, 'data', 'weather_features-training.csv');
    const before = fs.readFileSync(builtSet, 'utf8');
    fs.writeFileSync(config, yaml.replace(', daily_weather:temp_range]', ']'));
    const changed = mlops(dir, 'retrain', 'weather');
    assert.equal(changed.status, 1);
    assert.match(changed.stderr, /The feature service weather_features now gives [^;]*; the model was trained on [^\n]*daily_weather__temp_range/);
    assert.equal(fs.readFileSync(builtSet, 'utf8'), before, 'the built set is untouched');
    fs.writeFileSync(config, yaml);

    const same = mlops(dir, 'retrain', 'weather');
    assert.equal(same.status, 1);
    assert.match(same.stderr, /weather_features-training@1 is the data weather\/1 was trained on[^\n]*\nSnapshot the new data first \(`mlops snapshot data\/weather\.csv`\)/);

    fs.writeFileSync(path.join(dir, 'data', 'weather.csv'), all);
    assert.equal(mlops(dir, 'snapshot', 'data/weather.csv').status, 0);
    const retrained = mlops(dir, 'retrain', 'weather', '--json');
    assert.equal(retrained.status, 0, retrained.stderr);
    const out = JSON.parse(retrained.stdout) as { version: number; rows: number; dataset: { name: string; version: number } };
    assert.deepEqual([out.version, out.dataset.name, out.dataset.version, out.rows], [2, 'weather_features-training', 2, rows.length]);
    const lineage = (JSON.parse(mlops(dir, 'model', 'show', 'weather/2', '--json').stdout) as { lineage: { featureSet: { entities: unknown; views: { source: string }[]; columns: string[] } } }).lineage;
    assert.deepEqual(lineage.featureSet.entities, { dataset: 'weather', version: 3 });
    assert.deepEqual(lineage.featureSet.views.map((v) => v.source), ['weather@3']);
    assert.deepEqual(lineage.featureSet.columns, SERVED_COLUMNS);
    // The rebuilt set holds the 2015 rows, with their features as of each row's date.
    const built = fs.readFileSync(path.join(dir, 'data', 'weather_features-training.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(built.length, rows.length + 1);
    assert.ok(built.some((l) => l.includes(',2015-12-31,')));
    // new_data is satisfied: the challenger was trained on the newest entity rows.
    const due = JSON.parse(mlops(dir, 'retrain', '--due', '--json').stdout) as { outcomes: { due: string[] }[] };
    assert.deepEqual(due.outcomes[0].due.filter((d) => d === 'new-data'), []);
  });
  it('training.service in mlops.yaml: mlops train and mlops repro train on the service, and repro trains again only when its inputs change', () => {
    const dir = sampleProject();
    const config = path.join(dir, 'mlops.yaml');
    const yaml = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, yaml.replace('training:\n', 'training:\n  service: weather_features\n'));
    const invalid = mlops(dir, 'validate');
    assert.equal(invalid.status, 1);
    assert.match(invalid.stdout + invalid.stderr, /training: `service` goes with `entities`; add `entities`, or remove `service`\./);
    fs.writeFileSync(config, yaml.replace('training:\n', 'training:\n  service: weather_features\n  entities: weather\n  timestamp: date\n  maxTrials: 2\n  families: [gbdt]\n'));
    assert.equal(mlops(dir, 'validate').status, 0);

    const trained = mlops(dir, 'train', '--json');
    assert.equal(trained.status, 0, trained.stderr);
    assert.deepEqual((JSON.parse(trained.stdout) as TrainJson).featureSet.columns, SERVED_COLUMNS);

    const repro = () => {
      const r = mlops(dir, 'repro', '--json');
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { steps: { step: string; status: string; output: { run?: string; dataset?: string } }[] };
    };
    const first = repro().steps.find((s) => s.step === 'train')!;
    assert.equal(first.status, 'ran');
    const run = JSON.parse(mlops(dir, 'run', 'show', first.output.run!, '--json').stdout) as { tags: Record<string, string> };
    assert.equal(run.tags['mlops.featureService'], 'weather_features');
    assert.equal(repro().steps.find((s) => s.step === 'train')!.status, 'skipped');
    // a definition of the service changes what it builds: repro trains again
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('temp_range: request.temp_max - request.temp_min', 'temp_range: abs(request.temp_max - request.temp_min)'));
    assert.equal(repro().steps.find((s) => s.step === 'train')!.status, 'ran');
  });
});
