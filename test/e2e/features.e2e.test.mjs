// End to end: the sample project, its weather data snapshotted and its features materialized from the command line,
// opened in VS Code (code-server, Playwright, Chromium): the Features view shows the entity, the view with its
// features, types and freshness, and the service; Preview draws the view's first rows and histograms; clicking a
// feature opens mlops.yaml at its line, with the CodeLens above the view.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mlopsIn, openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

describe('Features in the browser workbench', { skip: skipOutsideHarness }, () => {
  let workbench;
  let page, shot, pane, openView, row, webview;
  let folder;

  before(async () => {
    folder = projectFolder('features-project');
    const mlops = mlopsIn(folder);
    mlops('init', '--sample');
    // No repository here: the pointer files are not committed.
    const config = path.join(folder, 'mlops.yaml');
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('git: commit', 'git: off'));
    mlops('snapshot', 'data/weather.csv', '--name', 'weather');
    mlops('features', 'materialize');
    workbench = await openWorkbench(folder, 'features');
    ({ page, shot, pane, openView, row, webview } = workbench);
  });

  after(async () => {
    await workbench?.close();
  });

  it('the Features view shows the entity, the view with each feature and its freshness, and the service', async () => {
    const features = await openView('Features');
    // The side bar's tree draws only the rows in sight: give the Features view the room of the other three.
    for (const other of ['Datasets', 'Runs', 'Models']) {
      const header = pane(other).locator('.pane-header');
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    await row(features, 'daily_weather').waitFor({ timeout: 30_000 });
    assert.match(await row(features, 'location').innerText(), /key location/);
    assert.match(await row(features, 'daily_weather').innerText(), /weather@1 · materialized (just now|\d+ min ago)/);
    await row(features, 'daily_weather').click();
    await row(features, 'temp_range').waitFor();
    assert.match(await row(features, 'temp_range').innerText(), /number · request\.temp_max - request\.temp_min/);
    assert.match(await row(features, 'wind_30d_mean').innerText(), /number · mean\(wind\) over 30d/);
    assert.match(await row(features, 'weather_features').innerText(), /5 features/);
    assert.match(await row(features, 'weather_history').innerText(), /8 features/);
    await shot('01-view');
  });

  it('Preview shows the first rows and a histogram per numeric feature', async () => {
    const features = pane('Features');
    await row(features, 'daily_weather').hover();
    await row(features, 'daily_weather').getByRole('button', { name: 'Preview Features' }).click();
    const panel = webview();
    await panel.locator('h1', { hasText: 'Preview of daily_weather' }).waitFor({ timeout: 60_000 });
    await panel.locator('table tbody tr').first().waitFor({ timeout: 60_000 });
    assert.equal(await panel.locator('table tbody tr').count(), 20);
    const header = await panel.locator('table thead th').allInnerTexts();
    assert.ok(header.includes('daily_weather__temp_range'), header.join(', '));
    // all eight features are numbers: one chart each, and drawn (a canvas with a size)
    assert.equal(await panel.locator('figure.histogram canvas').count(), 8);
    const box = await panel.locator('figure.histogram canvas').first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, JSON.stringify(box));
    assert.match(await panel.locator('body').innerText(), /rows built from weather@1 with the service weather_history/);
    await shot('02-preview');
  });

  it('clicking a feature opens mlops.yaml at its line, under the CodeLens of its view', async () => {
    const features = pane('Features');
    await row(features, 'temp_range').click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-line', { hasText: 'temp_range: request.temp_max - request.temp_min' }).waitFor({ timeout: 30_000 });
    await page.locator('.codelens-decoration', { hasText: 'not used by any model yet' }).waitFor({ timeout: 30_000 });
    // the selection is the feature's name
    await editor.locator('.selected-text').first().waitFor({ timeout: 10_000 });
    await shot('03-definition');
  });
});
