// End to end: the Run Metrics panel of AutoML runs, which log each score once (at step 0) and a long
// mlops.trainingConfig param. Opened in VS Code at 1600x1000 (code-server, Playwright, Chromium): the scores read as
// bars with their values rather than an empty line chart, the table fits the panel with the long value folded, two
// runs of the same name are told apart by time and short id, and a metric can be plotted against a parameter.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { e2e, mlopsIn, openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

const VIEWPORT = { width: 1600, height: 1000 };

describe('Run Metrics of AutoML runs in the browser workbench', { skip: skipOutsideHarness }, () => {
  let workbench;
  let page, shot, openView, pane, chooseMenuItem, webview;
  let runIds;

  before(async () => {
    const folder = projectFolder('automl-metrics-project');
    fs.mkdirSync(path.join(folder, 'data'));
    const mlops = mlopsIn(folder);
    mlops('init');
    fs.copyFileSync(path.join(e2e.extensionPath, 'test', 'fixtures', 'datasets', 'iris.csv'), path.join(folder, 'data', 'iris.csv'));
    mlops('snapshot', 'data/iris.csv', '--name', 'iris');
    runIds = ['1', '2'].map((seed) => JSON.parse(mlops('train', '--dataset', 'iris', '--target', 'target', '--max-trials', '3', '--seed', seed, '--json')).runId);
    workbench = await openWorkbench(folder, 'run-metrics', { viewport: VIEWPORT });
    ({ page, shot, openView, pane, chooseMenuItem, webview } = workbench);
  });

  after(async () => {
    await workbench?.close();
  });

  /** The two AutoML runs' rows of the Runs view, newest first; both bear the same name. */
  const automlRows = async (runs) => {
    const rows = runs.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^AutoML/ }) });
    await rows.nth(1).waitFor({ timeout: 30_000 });
    return rows;
  };

  it('shows an AutoML run\'s scores as bars with their values, and its table fits the panel', async () => {
    const first = (await automlRows(await openView('Runs'))).first();
    await first.hover();
    await first.getByRole('button', { name: 'Show Run Metrics' }).click();
    const panel = webview();
    const bars = panel.locator('figure.scalar');
    await bars.first().waitFor({ timeout: 30_000 });
    assert.match(await bars.first().locator('figcaption').innerText(), /one value per run/);
    assert.match(await bars.first().locator('.bar-value').first().innerText(), /^\d[.,]\d+$|^\d$/, 'the score is written beside its bar');
    assert.equal(await panel.locator('figure.chart canvas').count(), 0, 'no line chart of a single point');

    const table = panel.getByRole('table', { name: 'Params and latest metrics' });
    const tableBox = await table.boundingBox();
    const pageWidth = await panel.locator('body').evaluate((b) => b.clientWidth);
    assert.ok(tableBox.width <= pageWidth, `the table (${tableBox.width} px) fits the panel (${pageWidth} px)`);
    const config = table.locator('td.folded');
    assert.ok((await config.count()) >= 1, 'the training configuration is folded');
    assert.match(await config.first().getAttribute('title'), /^\{.*"dataset"/, 'its full text is on hover');
    // The metric rows' values are on screen, not pushed off to the right.
    const metricCell = table.locator('tr', { has: panel.locator('th', { hasText: /metric\s+cv_/ }) }).locator('td').first();
    const cellBox = await metricCell.boundingBox();
    assert.ok(cellBox.x + cellBox.width <= VIEWPORT.width, 'the metric value is visible');
    await shot('01-automl-run');
  });

  it('compares two runs of the same name, told apart by time and short id, and plots a metric against a parameter', async () => {
    // The side bar is open already: openView() would click the MLOps tab again, which closes it.
    const rows = await automlRows(pane('Runs'));
    await rows.nth(0).click();
    await rows.nth(1).click({ modifiers: ['ControlOrMeta'] });
    await pane('Runs').locator('.monaco-list-row[aria-selected="true"]').nth(1).waitFor();
    await rows.nth(1).click({ button: 'right' });
    await chooseMenuItem('Compare Runs');

    const panel = webview();
    const table = panel.getByRole('table', { name: 'Params and latest metrics' });
    await table.locator('tr.run-detail td.muted').nth(1).waitFor({ timeout: 30_000 });
    const details = await table.locator('tr.run-detail td.muted').allInnerTexts();
    assert.equal(details.length, 2);
    assert.notEqual(details[0], details[1]);
    for (const id of runIds) assert.ok(details.some((d) => d.endsWith(id.slice(0, 8))), `${id} is shown by its short id: ${details.join(' | ')}`);
    assert.equal(await panel.locator('figure.scalar').first().locator('li').count(), 2, 'one bar per run');

    const plot = panel.getByRole('region', { name: 'A metric against a parameter' });
    await plot.locator('canvas').waitFor();
    assert.ok((await plot.getByLabel('Parameter').locator('option').count()) >= 1);
    assert.match(await plot.locator('canvas').getAttribute('aria-label'), /against .+, one point per run/);
    await shot('02-automl-compare');
  });
});
