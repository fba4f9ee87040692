// The loop `npm start` tells on the sample project, step by step, through the `mlops` CLI as a user would type it:
// the data at first knows Seattle only; the served champion then sees New York days (drift); new data with both
// cities comes in; the champion is retrained, gated and approved while traffic flows, and the served version
// switches with no failed request. The editor, opened on the same folder, shows each step as it happens.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The bundled weather.csv, to pick rows from by city and year (the header comes first in every pick). */
function weatherRows(file) {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const rows = lines.map((line) => ({ line, city: line.slice(0, line.indexOf(',')), year: line.split(',')[1].slice(0, 4) }));
  return { pick: (keep) => [header, ...rows.filter(keep).map((r) => r.line)].join('\n') + '\n' };
}

/**
 * Files of the story: the first data version (Seattle 2012-2014) and the second (both cities), as text; the days
 * served (2015) by city and together, written under traffic/ of the project, as paths relative to it.
 */
export function writeStoryData(sampleCsv, project) {
  const rows = weatherRows(sampleCsv);
  const traffic = {
    seattleDays: ['traffic/seattle-2015.csv', rows.pick((r) => r.city === 'Seattle' && r.year === '2015')],
    newYorkDays: ['traffic/new-york-2015.csv', rows.pick((r) => r.city === 'New York' && r.year === '2015')],
    servedDays: ['traffic/labelled-2015.csv', rows.pick((r) => r.year === '2015')],
  };
  fs.mkdirSync(path.join(project, 'traffic'), { recursive: true });
  for (const [file, text] of Object.values(traffic)) fs.writeFileSync(path.join(project, file), text);
  return {
    seattleHistory: rows.pick((r) => r.city === 'Seattle' && r.year < '2015'),
    bothHistory: rows.pick((r) => r.year < '2015'),
    ...Object.fromEntries(Object.entries(traffic).map(([key, [file]]) => [key, file])),
  };
}

/** Runs `mlops` in the project; `--json` output is parsed and returned. Exit codes in `allow` are not failures. */
export function mlopsRunner(cli, cwd, { echo = true } = {}) {
  return function mlops(args, { allow = [0] } = {}) {
    if (echo) console.log(`> mlops ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
    const json = args.includes('--json');
    const r = spawnSync(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', json ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
    if (!allow.includes(r.status)) throw new Error(`mlops ${args.join(' ')} exited with ${r.status}`);
    return { status: r.status, json: json && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
  };
}

/** Starts `mlops replay` in the background: the returned promise is its summary once it ends. */
export function replayInBackground(cli, cwd, args) {
  const child = spawn(process.execPath, [cli, 'replay', ...args, '--json'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`mlops replay printed no summary: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** Starts `mlops serve` as a child of this process; resolves with its URL once it listens. */
export function startServing(cli, cwd, references, port) {
  const child = spawn(process.execPath, [cli, 'serve', ...references, '--port', String(port), '--json'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`mlops serve exited with ${code} before it listened`)));
    child.stdout.on('data', (c) => {
      out += c;
      const newline = out.indexOf('\n');
      if (newline === -1) return;
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ child, url: JSON.parse(out.slice(0, newline)).url });
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const byVersion = (summary) => Object.entries(summary.byVersion).map(([v, n]) => `v${v}: ${n}`).join(', ') || '-';
export const replayLine = (s) => `${s.requests} requests, ${s.failed} failed, answered by ${byVersion(s)}`;

/**
 * The narrated part, once the champion (trained on Seattle only) is served and the editor is open. `pauseMs` between
 * steps lets a person watching the editor see each one land.
 */
export async function tellTheLoop({ cli, sample, data, pauseMs }) {
  const mlops = mlopsRunner(cli, sample);
  let step = 0;
  const say = async (text) => {
    await sleep(pauseMs);
    console.log(`\n[${++step}] ${text}`);
  };
  const check = () => {
    const { json } = mlops(['monitor', '--model', 'weather@champion', '--last', '365', '--json']);
    console.log(`  health: ${json.health}: ${json.reason}`);
    return json;
  };

  await say('Seattle days of 2015 reach the served champion (trained on Seattle 2012-2014).');
  console.log(`  ${replayLine(mlops(['replay', '--endpoint', 'weather', '--file', data.seattleDays, '--json']).json)}`);
  await say('A health check of the champion on those days: what it sees looks like what it learned from.');
  check();
  await say('New York days reach it: another city, another climate, the same model.');
  console.log(`  ${replayLine(mlops(['replay', '--endpoint', 'weather', '--file', data.newYorkDays, '--json']).json)}`);
  await say('A health check again: the inputs drift (the status bar of the editor turns).');
  check();

  await say('New data: both cities, 2012-2014. It becomes version 2 of the dataset.');
  fs.writeFileSync(path.join(sample, 'data', 'weather.csv'), data.bothHistory);
  mlops(['snapshot', 'data/weather.csv', '-m', 'Weather of Seattle and New York, 2012-2014']);
  mlops(['features', 'materialize']);
  await say('Retrain the champion from its lineage: its feature service\'s training set is built again from the new version.');
  const retrained = mlops(['retrain', 'weather', '--reason', 'New York traffic drifted; data of both cities came in', '--json']).json;
  console.log(`  weather/${retrained.version} (alias challenger), from weather/${retrained.from}: cv ${retrained.cv.metric} ${retrained.cv.score?.toFixed(4)}`);
  await say('The gate: challenger against champion on the 2015 days served since, no city may get worse.');
  const gate = mlops(['gate', '--model', 'weather@challenger', '--against', 'champion', '--holdout', data.servedDays, '--slice', 'location', '--json'], { allow: [0, 1] }).json;
  console.log(`  ${gate.passed ? 'passed' : 'failed'}: ${gate.metric} challenger ${gate.challenger?.toFixed(4)}, champion ${gate.champion?.toFixed(4)}`);
  for (const s of gate.slices?.values ?? []) console.log(`    ${gate.slices.column} = ${s.value}: ${s.challenger?.toFixed(4)} / ${s.champion?.toFixed(4)}`);
  for (const reason of gate.reasons) console.log(`    - ${reason}`);
  if (!gate.passed) {
    console.log('  The champion stays; the story ends here.');
    return { gate, switched: undefined };
  }

  await say('Approval (governance: required), while traffic keeps coming: the served version switches live.');
  const during = replayInBackground(cli, sample, ['--endpoint', 'weather', '--file', data.servedDays, '--rate', '50', '--duration', '8']);
  await sleep(2500);
  mlops(['approve', `weather/${retrained.version}`, '--reason', 'The gate passed: better overall, no city worse']);
  const switched = await during;
  console.log(`  during the promotion: ${replayLine(switched)}`);
  await say(switched.failed === 0 && Object.keys(switched.byVersion).length > 1 ? 'The loop is closed: no request failed while the champion changed.' : 'The switch was not seen as expected: see above.');
  return { gate, switched };
}
