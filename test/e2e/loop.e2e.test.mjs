// End to end, the loop of issues 15 and 16 through the editor: a champion trained on Seattle's days is served (the
// CLI, in its own process), New York's days are sent to it over HTTP, the editor's own scheduled check turns the
// status bar to drift and says so; the drift dashboard shows why; "Retrain Model" trains a challenger on the new
// data, the promotion review compares them, Approve moves champion, and the server switches to the new version
// while a client keeps sending requests, none of which fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { e2e, mlopsIn, openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

const STATUS_ITEM = '[id="mlops-workbench.mlops-workbench.mlops.modelHealth"]';

/**
 * data/seattle.csv: the sample's days that `keep` keeps, without the date column (small data and few trials keep
 * this fast; the date is not what this story is about).
 */
function writeDays(folder, keep) {
  const [header, ...lines] = fs.readFileSync(path.join(folder, 'data', 'weather.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const dateAt = header.indexOf('date');
  const drop = (cells) => cells.filter((_c, i) => i !== dateAt).join(',');
  fs.writeFileSync(path.join(folder, 'data', 'seattle.csv'), [drop(header), ...lines.filter(keep).map(drop)].join('\n') + '\n');
}

function cityRows(folder, city) {
  const [header, ...lines] = fs.readFileSync(path.join(folder, 'data', 'weather.csv'), 'utf8').trim().split('\n');
  const columns = header.split(',');
  const numeric = new Set(['precipitation', 'temp_max', 'temp_min', 'wind']);
  return lines.map((l) => l.split(',')).filter((cells) => cells[0] === city).map((cells) =>
    Object.fromEntries(columns.filter((c) => c !== 'weather' && c !== 'date').map((c) => [c, numeric.has(c) ? Number(cells[columns.indexOf(c)]) : cells[columns.indexOf(c)]])));
}

describe('The monitoring and retraining loop in the browser workbench', { skip: skipOutsideHarness }, () => {
  let workbench, page, shot, webview;
  let folder, mlops, server, url;

  const predict = async (rows) => {
    const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: rows }) });
    await res.arrayBuffer();
    return { status: res.status, version: res.headers.get('x-mlops-model-version') };
  };

  const runCommand = async (title) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  };

  /** The smoke-test driver keeps notifications out of toasts: act on them in the notification centre. */
  const notificationButton = async (text, button) => {
    const center = page.locator('.notifications-center');
    if (!(await center.isVisible())) await page.locator('.statusbar-item[id="status.notifications"]').click();
    const item = center.locator('.notification-list-item', { hasText: text }).first();
    await item.waitFor({ timeout: 120_000 });
    // a hover left by the pointer can cover the button: press it from the keyboard
    await item.getByRole('button', { name: button }).focus();
    await page.keyboard.press('Enter');
  };

  before(async () => {
    folder = projectFolder('loop-project');
    mlops = mlopsIn(folder);
    mlops('init', '--sample');
    writeDays(folder, (cells) => cells[0] === 'Seattle');
    mlops('snapshot', 'data/seattle.csv', '--name', 'seattle');
    const { runId } = JSON.parse(mlops('train', '--dataset', 'seattle', '--target', 'weather', '--max-trials', '2', '--seed', '1', '--json'));
    mlops('register', runId, '--model', 'weather', '--alias', 'champion');
    // the gate the review runs: on days of both cities that neither model trains on, no regression in either city
    const [header, ...days] = fs.readFileSync(path.join(folder, 'data', 'weather.csv'), 'utf8').trim().split('\n');
    fs.mkdirSync(path.join(folder, 'holdout'));
    fs.writeFileSync(path.join(folder, 'holdout', 'days.csv'), [header, ...days.filter((_d, i) => i % 7 === 0)].join('\n') + '\n');
    // in place of the sample's own policy (the last section of its mlops.yaml)
    const config = path.join(folder, 'mlops.yaml');
    const sample = fs.readFileSync(config, 'utf8').split(/^retraining:$/m)[0];
    fs.writeFileSync(config, `${sample}retraining:\n  weather:\n    gate: { holdout: holdout/days.csv, slice: location }\n`);
    // the editor's scheduled check, every 5 s rather than every minute
    fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'mlops.monitoring.interval': 5 }));

    server = spawn(process.execPath, [path.join(e2e.extensionPath, 'dist', 'cli.js'), 'serve', 'weather@champion', '--port', '0'], { cwd: folder, stdio: 'ignore' });
    const stateFile = path.join(folder, '.mlops', 'serving', 'server.json');
    for (let i = 0; !fs.existsSync(stateFile); i++) {
      if (i > 600) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    url = JSON.parse(fs.readFileSync(stateFile, 'utf8')).url;

    workbench = await openWorkbench(folder, 'loop', { viewport: { width: 1600, height: 1000 } });
    ({ page, shot, webview } = workbench);
  });

  after(async () => {
    await workbench?.close();
    server?.kill('SIGTERM');
  });

  it('the status bar shows the served model, then turns to drift when New York\'s days reach the Seattle model', async () => {
    const item = page.locator(STATUS_ITEM);
    await item.filter({ hasText: /weather@champion v1 · .* · no data yet/ }).waitFor({ timeout: 60_000 });
    const rows = cityRows(folder, 'New York');
    for (let i = 0; i < rows.length; i += 100) assert.equal((await predict(rows.slice(i, i + 100))).status, 200);
    await item.filter({ hasText: /weather@champion v1 · [\d.]+ req\/s · p99 .* · 0 errors · drift/ }).waitFor({ timeout: 90_000 });
    await shot('01-status-drift');
    await notificationButton('no data yet → drift', 'Open Dashboard');
    const dashboard = webview();
    await dashboard.locator('h1', { hasText: 'weather@champion' }).waitFor({ timeout: 30_000 });
    await dashboard.locator('.histograms canvas').first().waitFor({ timeout: 30_000 });
    const text = await dashboard.locator('body').innerText();
    assert.match(text, /Share of drifted columns/);
    assert.match(text, /temp_max/);
    // nothing wider than the panel, even with every column charted
    const widths = await dashboard.locator('body').evaluate((b) => ({ scroll: b.scrollWidth, client: b.clientWidth }));
    assert.ok(widths.scroll <= widths.client + 1, JSON.stringify(widths));
    await shot('02-dashboard');
  });

  it('Retrain Model trains a challenger on the new data and offers the promotion review', async () => {
    // new data arrives: both cities' days, as a new version of the champion's training dataset
    writeDays(folder, () => true);
    mlops('snapshot', 'data/seattle.csv', '--name', 'seattle');
    await runCommand('MLOps: Retrain Model');
    await notificationButton('is now the challenger', 'Review Promotion');
    const review = webview();
    await review.locator('h1', { hasText: 'weather' }).waitFor({ timeout: 120_000 });
    await review.locator('#approve').waitFor();
    const text = await review.locator('body').innerText();
    assert.match(text, /Champion: version 1/);
    assert.match(text, /Challenger: version 2/);
    assert.match(text, /seattle@1 → seattle@2/);
    assert.match(text, /Gate (passed|failed)/);
    assert.match(text, /Per slice: column location/);
    assert.equal(await review.locator('.charts canvas').count(), 2);
    await shot('03-review');
  });

  it('Approve moves champion and the server answers with version 2, with no failed request during the switch', async () => {
    const seattle = cityRows(folder, 'Seattle').slice(0, 5);
    const seen = new Map();
    let failed = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          const { status, version } = await predict(seattle);
          if (status !== 200) failed++;
          seen.set(version, (seen.get(version) ?? 0) + 1);
        } catch {
          failed++;
        }
      }
    };
    const clients = [client(), client()];
    await webview().locator('#approve').click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('better on both cities');
    await page.keyboard.press('Enter');
    for (let i = 0; !seen.has('2'); i++) {
      if (i > 300) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(clients);
    assert.ok(seen.has('2'), `versions answered: ${[...seen.keys()].join(', ')}`);
    assert.ok(seen.has('1'), 'the client loop ran across the switch');
    assert.equal(failed, 0);
    await page.locator(STATUS_ITEM).filter({ hasText: /weather@champion v2/ }).waitFor({ timeout: 30_000 });
    const history = fs.readFileSync(path.join(folder, '.mlops', 'models', 'weather', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const approval = history.find((e) => e.event === 'approve');
    assert.equal(approval?.reason, 'better on both cities');
    assert.equal(approval?.version, 2);
    await shot('04-approved');
  });
});
