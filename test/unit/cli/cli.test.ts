import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';

// The CLI is tested as users run it: the built bin, in a real folder, reading exit codes and output.
const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cli-'));

describe('mlops CLI', () => {
  it('init --sample then validate succeeds', () => {
    const dir = tmp();
    const init = mlops(dir, 'init', '--sample');
    assert.equal(init.status, 0, init.stderr);
    const validate = mlops(dir, 'validate');
    assert.equal(validate.status, 0, validate.stderr);
    assert.match(validate.stdout, /mlops\.yaml is valid/);
  });

  it('validate reports a broken mlops.yaml with file, line and message, and exits non-zero', () => {
    const dir = tmp();
    mlops(dir, 'init');
    fs.writeFileSync(path.join(dir, 'mlops.yaml'), 'version: 1\nproject: p\ntraining:\n  timeBudget: soon\n');
    const r = mlops(dir, 'validate');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^mlops\.yaml:4:15: error: training\.timeBudget: must be of type number\.$/m);
  });

  it('validate --json is machine-readable', () => {
    const dir = tmp();
    mlops(dir, 'init');
    fs.writeFileSync(path.join(dir, 'mlops.yaml'), 'version: 1\nproject: p\nbogus: 1\n');
    const r = mlops(dir, 'validate', '--json');
    const out = JSON.parse(r.stdout) as { valid: boolean; problems: { line: number }[] };
    assert.equal(out.valid, false);
    assert.equal(out.problems[0].line, 3);
  });

  it('init in an existing project changes nothing and says so', () => {
    const dir = tmp();
    mlops(dir, 'init', '--sample');
    const before = fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8');
    const r = mlops(dir, 'init');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /nothing was changed/);
    assert.equal(fs.readFileSync(path.join(dir, 'mlops.yaml'), 'utf8'), before);
  });

  it('speaks French when the locale is French', () => {
    const dir = tmp();
    const r = spawnSync(process.execPath, [cli, 'validate'], { cwd: dir, encoding: 'utf8', env: { ...process.env, LANG: 'fr_FR.UTF-8' } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Aucun mlops\.yaml/);
  });

  it('answers an unknown command or option with usage and exit code 2', () => {
    const dir = tmp();
    assert.equal(mlops(dir, 'frobnicate').status, 2);
    const r = mlops(dir, 'init', '--bogus');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Unknown option --bogus/);
    assert.match(r.stderr, /Usage: mlops init/);
  });

  it('prints its version from package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(installPaths().root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }).trim(), `mlops ${pkg.version}`);
  });

  it('exits 2 on a usage mistake found before any work starts: a bad number, a model version without its version', () => {
    const dir = tmp();
    mlops(dir, 'init', '--sample');
    for (const budget of ['-3', 'abc']) {
      const r = mlops(dir, 'train', '--dataset', 'weather', '--target', 'weather', '--time-budget', budget);
      assert.equal(r.status, 2, `--time-budget ${budget}: ${r.stderr}`);
      assert.match(r.stderr, /--time-budget needs a number/);
      assert.match(r.stderr, /Usage: mlops train/);
    }
    assert.equal(mlops(dir, 'train', '--max-trials', '1.5').status, 2);
    const reproduce = mlops(dir, 'reproduce', 'weather');
    assert.equal(reproduce.status, 2, reproduce.stderr);
    assert.match(reproduce.stderr, /"weather" does not name a model version/);
    assert.doesNotMatch(reproduce.stderr, /Training weather again/);
    const predict = mlops(dir, 'predict', '--model', 'weather', '--input', 'data/weather.csv', '--output', 'p.csv');
    assert.equal(predict.status, 2, predict.stderr);
    assert.equal(fs.existsSync(path.join(dir, 'p.csv')), false);
  });

  it('ends quietly when the reader closes the pipe, as `mlops help | head -1` does', async () => {
    for (const args of [['help'], ['--version'], ['validate', '--json']]) {
      const child = spawn(process.execPath, [cli, ...args], { cwd: tmp(), env: { ...process.env, LANG: 'C' } });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.doesNotMatch(stderr, /EPIPE|Unhandled|at /, `mlops ${args.join(' ')}`);
      assert.notEqual(code, null);
    }
  });

  it('reports one missing bracket in mlops.yaml once, schema problems in the order of the file, and still lists models, with a warning', () => {
    const dir = tmp();
    mlops(dir, 'init', '--sample');
    const config = path.join(dir, 'mlops.yaml');
    const sample = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, sample.replace('  metric: accuracy', '  metric: [accuracy, f1'));
    const broken = mlops(dir, 'validate');
    assert.equal(broken.status, 1);
    assert.equal(broken.stderr.trimEnd().split('\n').length, 1, broken.stderr);
    assert.match(broken.stderr, /^mlops\.yaml:\d+:\d+: error: YAML syntax: /);
    const models = mlops(dir, 'models');
    assert.equal(models.status, 0, models.stderr);
    assert.match(models.stdout, /No registered models yet/);
    assert.match(models.stderr, /^Warning: .*mlops\.yaml:\d+:\d+: YAML syntax/);
    assert.equal(mlops(dir, 'runs', '--json').status, 0);
    assert.equal(mlops(dir, 'datasets').status, 0);

    fs.writeFileSync(config, 'project: p\ntraining:\n  timeBudget: soon\nversion: 2\n');
    const lines = mlops(dir, 'validate').stderr.trimEnd().split('\n').map((l) => Number(l.split(':')[1]));
    assert.deepEqual(lines, [3, 4]);
  });

  it('says 1 file and 1 version, not 1 files and 1 versions', () => {
    const dir = tmp();
    mlops(dir, 'init', '--sample');
    const snapshot = mlops(dir, 'snapshot', 'data/weather.csv');
    assert.equal(snapshot.status, 0, snapshot.stderr);
    assert.match(snapshot.stdout, /^ {2}1 file, /m);
    assert.match(mlops(dir, 'datasets').stdout, /weather {2}data\/weather\.csv {2}1 version, @1 /);
  });
});
