// `npm start`: install, build, run the main job on the sample project (version the data, train with AutoML,
// register the best model as champion), then open it in a real VS Code (code-server on 127.0.0.1) with the
// extension loaded, and print the URL. Runs until Ctrl-C. A second start reuses what the first one made.
//   MLOPS_SAMPLE_DIR  where the sample project lives (default ~/mlops-workbench-sample)
//   PORT              the port to serve on (default 8080, or a free one when taken)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, ensureDependencies, installHarness, root } from './prepare.mjs';
import { freePort, startPersonalWorkbench } from '../test/harness/codeServer.mjs';

const sample = path.resolve(process.env.MLOPS_SAMPLE_DIR ?? path.join(os.homedir(), 'mlops-workbench-sample'));
const cli = path.join(root, 'dist', 'cli.js');

function mlops(...args) {
  console.log(`> mlops ${args.join(' ')}`);
  const json = args.includes('--json');
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: sample, stdio: ['ignore', json ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mlops ${args.join(' ')} failed`);
  return json ? JSON.parse(r.stdout) : undefined;
}

function git(...args) {
  return spawnSync('git', args, { cwd: sample, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

ensureDependencies();
build();

// The sample project: the weather data, versioned with git like a real project.
fs.mkdirSync(sample, { recursive: true });
if (git('rev-parse', '--is-inside-work-tree').status !== 0) {
  git('init', '-q');
  if (!git('config', 'user.email').stdout.trim()) git('config', 'user.email', 'sample@mlops-workbench.local');
  if (!git('config', 'user.name').stdout.trim()) git('config', 'user.name', 'MLOps Workbench sample');
}
mlops('init', '--sample');
mlops('validate');
if (git('rev-parse', 'HEAD').status !== 0) {
  git('add', 'mlops.yaml', '.gitignore');
  git('commit', '-q', '-m', 'MLOps sample project');
}
// The main job: unchanged data makes no new version, and a model already registered is not trained again.
mlops('snapshot', 'data/weather.csv', '-m', 'Weather of Seattle and New York, 2012-2015');
const models = mlops('models', '--json');
if (!JSON.stringify(models).includes('"weather"')) {
  const trained = mlops('train', '--dataset', 'weather', '--target', 'weather', '--max-trials', '16', '--seed', '42', '--json');
  console.log(`  best: ${trained.bestModel.family}, ${trained.metric} ${trained.bestScore.toFixed(4)} (run ${trained.runId})`);
  mlops('register', trained.runId, '--model', 'weather', '--alias', 'champion', '--reason', 'first model of the sample project');
}

const installDir = installHarness();
const port = Number(process.env.PORT) || 8080;
// Installed as a user's extension, not under development: the tests' smoke-test driver would send every notification
// straight to the notification centre.
const server = await startPersonalWorkbench({ installDir, extensionPath: root, port: (await portIsFree(port)) ? port : await freePort() });
const url = server.url(sample);
console.log(`\nVS Code with MLOps Workbench and the sample project (${sample}):\n\n  ${url}\n\nCtrl-C stops it.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);

async function portIsFree(p) {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false)).listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
