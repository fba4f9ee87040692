// End to end: the sample project with two registered versions of a model trained from the command line, the first
// as champion, opened in VS Code (code-server, Playwright, Chromium): "MLOps: Start Serving" from the command
// palette serves weather@champion in a process of its own, the notification says where, a request answers, and the
// Models view shows the endpoint with the version answering and its counters; Stop Serving ends it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mlopsIn, openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

/** A port nobody listens on now: other servers may run on this machine, so not the default 5005. */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function predict(port) {
  const body = JSON.stringify({ dataframe_records: [{ location: 'Seattle', date: '2015-06-01', precipitation: 0.3, temp_max: 11.1, temp_min: 3.9, wind: 4.2 }] });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/invocations', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, version: res.headers['x-mlops-model-version'], body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Serving from the browser workbench', { skip: skipOutsideHarness }, () => {
  let workbench;
  let page, shot, pane, openView, row;
  let folder, port, mlops;

  before(async () => {
    folder = projectFolder('serving-project');
    mlops = mlopsIn(folder);
    mlops('init', '--sample');
    port = await freePort();
    const config = path.join(folder, 'mlops.yaml');
    // the sample serves on 5005: another port, for the servers other tests may run
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('git: commit', 'git: off').replace(/^ {2}port: 5005$/m, `  port: ${port}`));
    mlops('snapshot', 'data/weather.csv', '--name', 'weather');
    for (const [seed, alias] of [['1', ['--alias', 'champion']], ['2', []]]) {
      const { runId } = JSON.parse(mlops('train', '--dataset', 'weather', '--target', 'weather', '--max-trials', '3', '--seed', seed, '--json'));
      mlops('register', runId, '--model', 'weather', ...alias);
    }
    workbench = await openWorkbench(folder, 'serving');
    ({ page, shot, pane, openView, row } = workbench);
  });

  after(async () => {
    try {
      mlops?.('serve', 'stop');
    } finally {
      await workbench?.close();
    }
  });

  it('"MLOps: Start Serving" serves the champion; the notification says where, and a request answers', async () => {
    await openView('Models');
    // The side bar's tree draws only the rows in sight: give the Models view the room of the other three.
    for (const other of ['Datasets', 'Features', 'Runs']) {
      const header = pane(other).locator('.pane-header');
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    // the project is open (and the command offered) once the Models view lists its model
    await row(pane('Models'), 'weather').waitFor({ timeout: 60_000 });
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>MLOps: Start Serving');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'MLOps: Start Serving' }).first().waitFor();
    await page.keyboard.press('Enter');
    // What to serve: the model at its alias.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'weather@champion' }).waitFor({ timeout: 30_000 });
    await input.fill('weather@champion');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'weather@champion' }).first().waitFor();
    await page.keyboard.press('Enter');
    // The smoke-test driver keeps notifications out of toasts: read them in the notification centre. The server takes
    // a while to listen, and the centre can close again while it does (the quick pick closing): open it until it shows.
    const center = page.locator('.notifications-center');
    const started = center.locator('.notification-list-item', { hasText: `Serving weather on http://127.0.0.1:${port}.` });
    for (const deadline = Date.now() + 120_000; !(await started.isVisible());) {
      assert.ok(Date.now() < deadline, 'the notification "Serving weather on ..." within 120 s');
      if (!(await center.isVisible())) await page.locator('.statusbar-item[id="status.notifications"]').click();
      await page.waitForTimeout(1000);
    }
    await shot('01-started');
    await page.keyboard.press('Escape');
    const answer = await predict(port);
    assert.equal(answer.status, 200);
    assert.equal(answer.version, '1');
    assert.equal(answer.body.predictions.length, 1);
  });

  it('the Models view shows the endpoint, the version answering and its counters', async () => {
    const models = pane('Models');
    await row(models, 'Serving').waitFor({ timeout: 30_000 });
    assert.match(await row(models, 'Serving').innerText(), new RegExp(`http://127\\.0\\.0\\.1:${port} · process \\d+`));
    const endpoint = models.locator('.monaco-list-row', { hasText: 'weather@champion → 1' });
    await endpoint.waitFor({ timeout: 30_000 });
    for (let i = 0; i < 5; i++) await predict(port);
    // polled every 2 s: the requests show within a few polls (a rate over the server's window, so maybe below 1)
    await models.locator('.monaco-list-row', { hasText: /weather@champion → 1 · (?!0\.0 )\d+\.\d req\/s · p99 \d+\.\d ms · 0 errors/ }).waitFor({ timeout: 15_000 });
    await shot('02-endpoint');
  });

  it('Stop Serving ends the server, and the endpoint leaves the view', async () => {
    const models = pane('Models');
    await row(models, 'Serving').hover();
    await row(models, 'Serving').getByRole('button', { name: 'Stop Serving' }).click();
    await row(models, 'Serving').waitFor({ state: 'detached', timeout: 30_000 });
    await assert.rejects(predict(port));
    await shot('03-stopped');
  });
});
