// `npm start`: install, build, and tell the whole MLOps loop on the sample project in a real VS Code (code-server on
// 127.0.0.1) with the extension loaded: version the data (Seattle only at first), materialize the features, train
// AutoML on the feature service, register the champion, serve it, then, step by step while the editor shows it:
// Seattle traffic, a health check, New York traffic (drift), a check again, new data of both cities, retrain, gate,
// and an approval during traffic that switches the served version with no failed request. Runs until Ctrl-C.
// A second start on the same folder reuses what the first made (no new version, no new training), serves and opens
// the editor; the story is told on a folder where it has not run yet (a fresh MLOPS_SAMPLE_DIR).
//   MLOPS_SAMPLE_DIR    where the sample project lives (default ~/mlops-workbench-sample)
//   PORT                the editor's port (default 8080, or a free one when taken)
//   MLOPS_STORY_PAUSE   seconds between the steps of the story (default 3)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, ensureDependencies, installHarness, root } from './prepare.mjs';
import { mlopsRunner, startServing, tellTheLoop, writeStoryData } from './sampleStory.mjs';
import { freePort, startPersonalWorkbench } from '../test/harness/codeServer.mjs';

const sample = path.resolve(process.env.MLOPS_SAMPLE_DIR ?? path.join(os.homedir(), 'mlops-workbench-sample'));
const cli = path.join(root, 'dist', 'cli.js');
const pauseMs = 1000 * (Number(process.env.MLOPS_STORY_PAUSE) >= 0 ? Number(process.env.MLOPS_STORY_PAUSE) : 3);
const run = mlopsRunner(cli, sample);
const mlops = (...args) => run(args).json;

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
// The story starts where the dataset has no version yet; elsewhere what exists is reused.
const fresh = !mlops('datasets', '--json').datasets.find((d) => d.name === 'weather')?.versions;
const data = writeStoryData(path.join(root, 'dist', 'sample', 'weather.csv'), sample);
if (fresh) fs.writeFileSync(path.join(sample, 'data', 'weather.csv'), data.seattleHistory);
// Unchanged data makes no new version, and a model already registered is not trained again.
mlops('snapshot', 'data/weather.csv', '-m', fresh ? 'Weather of Seattle, 2012-2014' : 'Weather data');
mlops('features', 'materialize');
const models = mlops('models', '--json');
if (!models.models.some((m) => m.name === 'weather')) {
  // Trained on the sample's feature service, the weather rows being the entity rows: served, the champion is called
  // with the location and the day's measurements, and its features are computed by the same definitions.
  const trained = mlops('train', '--features', 'weather_features', '--entities', 'weather', '--timestamp', 'date', '--target', 'weather', '--max-trials', '16', '--seed', '42', '--json');
  console.log(`  best: ${trained.bestModel.family}, ${trained.metric} ${trained.bestScore.toFixed(4)} (run ${trained.runId})`);
  mlops('register', trained.runId, '--model', 'weather', '--alias', 'champion', '--reason', 'first model of the sample project');
}

// A server left by an earlier start that was killed outright would hold the project's one serving slot.
mlops('serve', 'stop');
const serving = await startServing(cli, sample, ['weather@champion'], (await portIsFree(5005)) ? 5005 : 0);
console.log(`  serving weather@champion on ${serving.url}`);

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
  serving.child.kill('SIGTERM');
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
process.on('exit', () => serving.child.kill('SIGTERM'));
serving.child.on('exit', (code) => {
  if (!stopping) console.error(`mlops serve stopped (exit code ${code}).`);
});

if (fresh) {
  console.log('\nThe loop, step by step (watch the editor):');
  await tellTheLoop({ cli, sample, data, pauseMs });
  console.log(`\nThe editor stays open on ${url}; Ctrl-C stops it and the model server.`);
} else {
  console.log(`\nThe story has run in ${sample} already. To see it again: MLOPS_SAMPLE_DIR=/tmp/mlops-story npm start`);
}

async function portIsFree(p) {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false)).listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
