// End to end: a project with two versions of data/weather.csv (made with the CLI, as a teammate would have),
// opened in VS Code (code-server, Playwright, Chromium): the Datasets view lists the versions, comparing them opens
// the panel with its histograms and schema changes, and the Explorer offers "Snapshot Dataset" on the file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mlopsIn, openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

describe('Datasets in the browser workbench', { skip: skipOutsideHarness }, () => {
  let workbench;
  let page, shot, pane, openView, row, menuItem, chooseMenuItem, webview;
  let folder;

  before(async () => {
    folder = projectFolder('datasets-project');
    const mlops = mlopsIn(folder);
    mlops('init', '--sample');
    mlops('snapshot', 'data/weather.csv', '-m', 'the sample as shipped');
    // Version 2 keeps the first 1000 days and gains a column: a row count change and a schema change to see.
    const csv = path.join(folder, 'data', 'weather.csv');
    const [header, ...rows] = fs.readFileSync(csv, 'utf8').trimEnd().split('\n');
    fs.writeFileSync(csv, [`${header},source`, ...rows.slice(0, 1000).map((r, i) => `${r},${i % 3 ? 'station' : 'satellite'}`)].join('\n') + '\n');
    mlops('snapshot', 'data/weather.csv', '-m', 'first 1000 days, with their source');

    workbench = await openWorkbench(folder, 'datasets');
    ({ page, shot, pane, openView, row, menuItem, chooseMenuItem, webview } = workbench);
  });

  after(async () => {
    await workbench?.close();
  });

  it('the Datasets view lists weather and, expanded, its two versions newest first', async () => {
    const datasets = await openView('Datasets');
    const weather = row(datasets, 'weather');
    await weather.waitFor({ timeout: 30_000 });
    assert.match(await weather.innerText(), /data\/weather\.csv · 2 versions/);
    await weather.click();
    await row(datasets, 'v2').waitFor({ timeout: 30_000 });
    await row(datasets, 'v1').waitFor();
    assert.match(await row(datasets, 'v2').innerText(), /first 1000 days, with their source · 1,000 rows/);
    const labels = await datasets.locator('.monaco-list-row .label-name').allInnerTexts();
    assert.ok(labels.indexOf('v2') < labels.indexOf('v1'), `newest first: ${labels.join(', ')}`);
    await shot('01-versions');
  });

  it('comparing the two selected versions shows schema, row count and histograms side by side', async () => {
    const datasets = pane('Datasets');
    // v1 first: a click also expands a version, and v2 expanding above v1 could scroll v1 out of the pane.
    await row(datasets, 'v1').click();
    await row(datasets, 'v2').click({ modifiers: ['ControlOrMeta'] });
    await row(datasets, 'v2').click({ button: 'right' });
    // The menu ignores a mouse release that comes right after it opened (the right click's own); pointing at the
    // item focuses it, and Enter runs it, as a keyboard user would.
    await chooseMenuItem('Compare Dataset Versions');

    const panel = webview();
    await panel.locator('h1', { hasText: 'weather: v1 ↔ v2' }).waitFor({ timeout: 30_000 });
    await panel.locator('#app[aria-busy="false"]').waitFor();
    const schema = panel.locator('section.schema table');
    assert.match(await schema.innerText(), /source\s+Column added/);
    assert.match(await panel.locator('.row-count').innerText(), /2,922 → 1,000 \(−1,922\)/);
    const temp = panel.locator('table.statistics tr', { has: panel.locator('th', { hasText: /^temp_max$/ }) });
    assert.match(await temp.locator('td.differs').first().innerText(), /→/);
    // One chart per column of the newer version (8) and none for a dropped column: all drawn with both versions.
    assert.equal(await panel.locator('figure.histogram canvas').count(), 8);
    await shot('02-compare');
    await panel.locator('section.distributions').scrollIntoViewIfNeeded();
    await shot('03-histograms');
  });

  it('the Explorer offers "Snapshot Dataset" on data/weather.csv', async () => {
    await page.locator('#workbench\\.parts\\.activitybar').getByRole('tab', { name: 'Explorer' }).click();
    const explorer = page.locator('.explorer-folders-view');
    await row(explorer, 'data').click();
    await row(explorer, 'weather.csv').click({ button: 'right' });
    await menuItem('Snapshot Dataset').waitFor({ timeout: 30_000 });
    await shot('04-explorer-menu');
    await page.keyboard.press('Escape');
  });
});
