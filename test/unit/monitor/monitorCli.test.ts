import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import type { ModelDriftJson } from '../../../src/cli/json';
import type { MonitorCheck } from '../../../src/core/monitor';
import { monitoredProject, sample, weatherRows } from './modelFixture';

const MINUTE = 60_000;

async function mlops(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { cwd, stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), interactive: false });
  return { code, stdout, stderr };
}

/** The sample's other city, 300 days a minute apart ending now: a window that drifts. */
async function driftedProject() {
  const f = await monitoredProject();
  const start = Date.now() - 300 * MINUTE;
  await f.log(sample(weatherRows().newYork, 300, 2).map((row, i) => ({ id: `n${i}`, time: new Date(start + i * MINUTE), rows: [row] })));
  return f;
}

describe('mlops drift --model and mlops monitor', () => {
  it('drift --model checks the prediction log: JSON, the HTML report, --fail-on-drift, usage mistakes before any work', async () => {
    const f = await driftedProject();
    const json = await mlops(f.dir, 'drift', '--model', 'weather@champion', '--last', '100', '--json');
    assert.equal(json.code, 0, json.stderr);
    const check = JSON.parse(json.stdout) as ModelDriftJson;
    assert.equal(check.datasetDrift, true);
    assert.equal(check.window.rows, 100);
    assert.equal(check.health, 'drift');
    assert.deepEqual(check.columns.map((c) => c.name), ['precipitation', 'temp_max', 'temp_min', 'wind']);

    const failing = await mlops(f.dir, 'drift', '--model', 'weather@champion', '--fail-on-drift', '--report', 'drift.html');
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /temp_min/);
    assert.match(failing.stdout, /accuracy: validation 0\.8/);
    assert.match(fs.readFileSync(path.join(f.dir, 'drift.html'), 'utf8'), /temp_min/);

    const ks = JSON.parse((await mlops(f.dir, 'drift', '--model', 'weather/1', '--stattest', 'ks', '--json')).stdout) as ModelDriftJson;
    assert.ok(ks.columns.every((c) => c.test === 'ks'));
    // the output is a label: a numbers-only test leaves it to its default
    assert.equal(ks.predictionDrift!.test, 'jensenshannon');

    const empty = await mlops(f.dir, 'drift', '--model', 'weather@champion', '--since', '2020-01-01', '--until', '2020-01-02', '--fail-on-drift');
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /send it traffic, or widen the window/);

    for (const argv of [
      ['--model', 'weather'],
      ['--model', 'weather@champion', '--reference', 'seattle@1'],
      ['--model', 'weather@champion', '--window', '1d', '--since', '2026-01-01'],
      ['--model', 'weather@champion', '--window', 'a while'],
      ['--model', 'weather@champion', '--last', '0'],
      ['--reference', 'seattle@1', '--current', 'seattle@1', '--last', '5'],
    ]) {
      const r = await mlops(f.dir, 'drift', ...argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    }
    // nothing was recorded by drift: it only looks
    assert.deepEqual(JSON.parse((await mlops(f.dir, 'monitor', 'history', '--json')).stdout), { checks: [] });
  });

  it('monitor records a check; history lists them newest first; mlops.yaml chooses tests per column', async () => {
    const f = await driftedProject();
    const first = await mlops(f.dir, 'monitor', '--model', 'weather@champion', '--json');
    assert.equal(first.code, 0, first.stderr);
    const one = JSON.parse(first.stdout) as MonitorCheck;
    assert.equal(first.stdout.trim().split('\n').length, 1);

    // a threshold no shift reaches: temp_min no longer counts as drifted
    fs.appendFileSync(path.join(f.dir, 'mlops.yaml'), '\nmonitoring:\n  window: 2h\n  drift_share: 0.9\n  columns:\n    temp_min: { stattest: psi, threshold: 1000 }\n  decay: { threshold: 0.5 }\n');
    const second = await mlops(f.dir, 'monitor', '--model', 'weather@champion', '--json');
    assert.equal(second.code, 0, second.stderr);
    const two = JSON.parse(second.stdout) as MonitorCheck;
    // the configured 2h window: the first prediction in it is the first at or after two hours before the check
    const since = Date.parse(two.at) - 120 * MINUTE;
    const from = Date.parse(two.window.from!);
    assert.ok(from >= since && from - MINUTE < since, `${two.window.from} for ${two.at}`);
    assert.equal(two.window.rows, (Date.parse(two.window.to!) - from) / MINUTE + 1);
    const tempMin = two.report!.columns.find((c) => c.name === 'temp_min')!;
    assert.equal(tempMin.test, 'psi');
    assert.equal(tempMin.drift, false);
    assert.equal(two.report!.driftShareThreshold, 0.9);
    assert.equal(two.report!.datasetDrift, false);
    assert.equal(two.health, 'warning', two.reason);

    const history = await mlops(f.dir, 'monitor', 'history', '--model', 'weather@champion', '--json');
    assert.deepEqual((JSON.parse(history.stdout) as { checks: MonitorCheck[] }).checks.map((c) => c.id), [two.id, one.id]);
    const text = await mlops(f.dir, 'monitor', 'history', '--model', 'weather');
    const lines = text.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /weather@champion→1 {2}1\d\d predictions {2}warning: /);
    assert.match(lines[1], /300 predictions {2}drift: /);

    fs.writeFileSync(path.join(f.dir, 'mlops.yaml'), fs.readFileSync(path.join(f.dir, 'mlops.yaml'), 'utf8').replace('threshold: 1000', 'threshold: high'));
    assert.equal((await mlops(f.dir, 'monitor', '--model', 'weather@champion')).code, 1);
  });

  it('monitor --every checks on a schedule, a line per check, until Ctrl-C', async () => {
    const f = await driftedProject();
    let stdout = '';
    const running = runCli(['monitor', '--model', 'weather@champion', '--every', '1s'], {
      cwd: f.dir, stdout: (s) => void (stdout += s), stderr: () => undefined, interactive: false,
    });
    while (stdout.split('\n').filter(Boolean).length < 2) await new Promise((r) => setTimeout(r, 50));
    process.emit('SIGINT');
    assert.equal(await running, 0);
    const store = await f.store();
    try {
      const recorded = (await import('../../../src/core/monitor')).monitorChecks(store);
      assert.ok(recorded.length >= 2);
      assert.equal(recorded.length, stdout.trim().split('\n').length);
    } finally {
      store.close();
    }
  });
});
