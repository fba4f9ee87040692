import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { resolveVersion } from '../../../src/core/data';
import { hexOf } from '../../../src/core/storage';
import { makeProject, write } from '../data/projectFixture';
import { numericSample } from './referenceSamples';

/** Runs one command line in-process, as the terminal would, and collects what it prints. */
async function mlops(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { cwd, stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), interactive: false });
  return { code, stdout, stderr };
}

/** A weather-like table: temperature and humidity numbers, a city, and a rain flag; `shift` warms it up. */
function table(rows: number, seed: number, shift: number): string {
  const temperature = numericSample({ kind: 'irwinhall', n: rows, seed, scale: 4, shift: 12 + shift });
  const humidity = numericSample({ kind: 'irwinhall', n: rows, seed: seed + 1, scale: 10, shift: 60 });
  const city = numericSample({ kind: 'ties', levels: 3, n: rows, seed: seed + 2 });
  const lines = ['temperature,humidity,city,rain'];
  for (let i = 0; i < rows; i++) {
    const t = i % 50 === 7 ? '' : temperature[i].toFixed(3);
    lines.push(`${t},${humidity[i].toFixed(2)},${['Paris', 'Lyon', 'Nice'][city[i]]},${humidity[i] > 62 + shift ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

async function projectWithVersions(): Promise<string> {
  const { dir } = makeProject();
  write(dir, 'data/weather.csv', table(600, 1, 0));
  assert.equal((await mlops(dir, 'snapshot', 'data/weather.csv')).code, 0);
  write(dir, 'data/weather.csv', table(500, 101, 0));
  assert.equal((await mlops(dir, 'snapshot', 'data/weather.csv')).code, 0);
  write(dir, 'data/weather.csv', table(500, 201, 3));
  assert.equal((await mlops(dir, 'snapshot', 'data/weather.csv')).code, 0);
  return dir;
}

interface DriftJson {
  reference: string;
  current: string;
  datasetDrift: boolean;
  driftShare: number;
  columns: { name: string; test: string; statistic: number; pValue: number | null; threshold: number; drift: boolean; missingShare: { reference: number; current: number } }[];
}

describe('mlops drift', () => {
  it('finds no drift between two samples of the same weather, and drift once it is 3 degrees warmer; --fail-on-drift exits 1 only then', async () => {
    const dir = await projectWithVersions();
    const same = await mlops(dir, 'drift', '--reference', 'weather@1', '--current', 'weather@2', '--json', '--fail-on-drift');
    assert.equal(same.code, 0, same.stderr);
    const calm = JSON.parse(same.stdout) as DriftJson;
    assert.equal(calm.reference, 'weather@1');
    assert.equal(calm.datasetDrift, false);
    assert.deepEqual(calm.columns.map((c) => [c.name, c.test]), [['temperature', 'ks'], ['humidity', 'ks'], ['city', 'chisquare'], ['rain', 'z']]);
    assert.ok(calm.columns.every((c) => !c.drift && c.pValue! > 0.05), JSON.stringify(calm.columns));
    assert.equal(calm.columns[0].missingShare.reference, 12 / 600);

    const warm = await mlops(dir, 'drift', '--reference', 'weather@1', '--current', 'weather@3', '--json', '--fail-on-drift');
    assert.equal(warm.code, 1, warm.stderr);
    const hot = JSON.parse(warm.stdout) as DriftJson;
    assert.equal(hot.datasetDrift, true);
    assert.deepEqual(hot.columns.filter((c) => c.drift).map((c) => c.name), ['temperature', 'rain']);
    assert.equal(hot.driftShare, 0.5);
    const text = await mlops(dir, 'drift', '--reference', 'weather@1', '--current', 'weather@3');
    assert.equal(text.code, 0, 'without --fail-on-drift, drift is a finding, not a failure');
    assert.match(text.stdout, /^temperature\s+ks\s+\S+\s+\S+\s+0\.05\s+DRIFT$/m);
    assert.match(text.stdout, /^Dataset drift: 2 of 4 columns drifted \(share 0\.5 >= 0\.5\)\.$/m);
  });

  it('uses one test with its threshold for the chosen columns, and writes a standalone HTML report', async () => {
    const dir = await projectWithVersions();
    const r = await mlops(dir, 'drift', '--reference', 'weather@1', '--current', 'weather@3', '--columns', 'humidity,temperature', '--stattest', 'psi', '--threshold', '0.2', '--drift-share', '1', '--report', 'out/drift.html', '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as DriftJson;
    assert.deepEqual(report.columns.map((c) => [c.name, c.test, c.threshold, c.pValue]), [['humidity', 'psi', 0.2, null], ['temperature', 'psi', 0.2, null]]);
    assert.equal(report.datasetDrift, report.columns.every((c) => c.drift));
    const html = fs.readFileSync(path.join(dir, 'out', 'drift.html'), 'utf8');
    assert.match(html, /<title>weather@1 → weather@3<\/title>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('says what to do about a missing column, a gone cache object and a usage mistake, and writes no report', async () => {
    const dir = await projectWithVersions();
    const missing = await mlops(dir, 'drift', '--reference', 'weather@1', '--current', 'weather@2', '--columns', 'pressure', '--report', 'drift.html');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /The column "pressure" is not in the reference data/);
    assert.equal(fs.existsSync(path.join(dir, 'drift.html')), false);

    const { version } = resolveVersion((await import('../../../src/core/workspace')).openProject(dir), 'weather@1');
    const hex = hexOf(version.digest);
    fs.rmSync(path.join(dir, '.mlops', 'cache', hex.slice(0, 2), hex.slice(2)), { force: true });
    const gone = await mlops(dir, 'drift', '--reference', 'weather@1', '--current', 'weather@2');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /The data of weather@1 is not in the cache .*\n?.*mlops pull/);

    const usage = await mlops(dir, 'drift', '--reference', 'weather@2');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Give both --reference and --current/);
    const loneThreshold = await mlops(dir, 'drift', '--reference', 'weather@2', '--current', 'weather@3', '--threshold', '0.1');
    assert.equal(loneThreshold.code, 2);
  });
});
