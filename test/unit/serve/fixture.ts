import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { installPaths } from '../../../src/core/install';
import { MetadataStore } from '../../../src/core/store';
import { registerModel } from '../../../src/core/registry';
import { registryProject, type RegistryFixture } from '../registry/fixture';

export const IRIS_ROW = { 'sepal_length_(cm)': 5.1, 'sepal_width_(cm)': 3.5, 'petal_length_(cm)': 1.4, 'petal_width_(cm)': 0.2 };
export const IRIS_COLUMNS = Object.keys(IRIS_ROW);

/**
 * A project whose registry holds iris version 1 (naive Bayes, @champion) and version 2 (random forest,
 * @challenger), each the model of a real AutoML run on the iris data.
 */
export async function servedProject(): Promise<RegistryFixture> {
  const f = await registryProject();
  const store: MetadataStore = await f.store();
  await registerModel(f.project(), store, await f.automlRun(), { model: 'iris', alias: 'champion' });
  await registerModel(f.project(), await f.store(), await f.automlRun({ family: 'random_forest' }), { model: 'iris', alias: 'challenger' });
  return f;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // answers come in many shapes, and each test reads the fields it checks
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: () => any;
}

/** One HTTP request over a real socket; `agent` keeps connections alive across calls. */
export function call(base: string, method: string, route: string, body?: string | Buffer, headers: Record<string, string> = {}, agent?: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(route, base);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const postJson = (base: string, route: string, value: unknown, agent?: http.Agent) =>
  call(base, 'POST', route, JSON.stringify(value), { 'content-type': 'application/json' }, agent);

/** Replaces the `serving:` section of the project's mlops.yaml with `yaml` (indented under it). */
export function writeServing(dir: string, yaml: string): void {
  const file = path.join(dir, 'mlops.yaml');
  const base = fs.readFileSync(file, 'utf8').split('\nserving:\n')[0];
  fs.writeFileSync(file, `${base}\nserving:\n${yaml}`);
}

/**
 * The sample project with weather@champion trained on its feature service (`mlops train --features`, one trial)
 * and the online store materialized, through the CLI: the server takes entity keys (`location`) for it.
 */
export function featureServedProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-serve-features-'));
  const cli = path.join(installPaths().root, 'dist', 'cli.js');
  const run = (command: 'git' | 'mlops', ...args: string[]): string => {
    const r = spawnSync(command === 'git' ? 'git' : process.execPath, command === 'git' ? args : [cli, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  run('git', 'init', '-q');
  run('git', 'config', 'user.name', 'Test');
  run('git', 'config', 'user.email', 'test@example.com');
  run('mlops', 'init', '--sample');
  run('git', 'add', '-A');
  run('git', 'commit', '-q', '-m', 'sample');
  run('mlops', 'snapshot', 'data/weather.csv');
  const trained = run('mlops', 'train', '--features', 'weather_features', '--entities', 'data/weather.csv', '--timestamp', 'date', '--target', 'weather', '--max-trials', '1', '--families', 'gbdt', '--json');
  run('mlops', 'register', (JSON.parse(trained) as { runId: string }).runId, '--model', 'weather', '--alias', 'champion');
  run('mlops', 'features', 'materialize', '--end', '2016-01-01T00:00:00Z');
  return dir;
}
