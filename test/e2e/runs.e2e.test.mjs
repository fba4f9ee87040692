// End to end: a project with two finished runs (made with `mlops run`, as a training script would be run from a
// terminal), opened in VS Code (code-server, Playwright, Chromium): the Runs view lists them with their key metric,
// and comparing the two selected runs opens the Run Metrics panel with a chart and a table marking what differs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mlopsIn, openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

/** A run's code for `node -e`: logs its learning rate and a loss curve that falls faster with a larger rate. */
const training = (lr) => `
const fs = require('fs');
const log = (r) => fs.appendFileSync(process.env.MLOPS_LOG_FILE, JSON.stringify(r) + '\\n');
log({ type: 'param', key: 'lr', value: ${lr} });
log({ type: 'param', key: 'layers', value: 2 });
log({ type: 'metrics', key: 'loss', steps: [...Array(500).keys()], values: [...Array(500).keys()].map((i) => Math.exp(-${lr} * i / 50) + 0.01 * (1 + Math.sin(i))) });`;

describe('Runs in the browser workbench', { skip: skipOutsideHarness }, () => {
  let workbench;
  let page, shot, pane, openView, row, chooseMenuItem, webview;
  let folder;

  before(async () => {
    folder = projectFolder('runs-project');
    const mlops = mlopsIn(folder);
    mlops('init');
    mlops('run', '--experiment', 'tuning', '--name', 'slow-lr', '--', process.execPath, '-e', training(0.5));
    mlops('run', '--experiment', 'tuning', '--name', 'fast-lr', '--', process.execPath, '-e', training(2));

    workbench = await openWorkbench(folder, 'runs');
    ({ page, shot, pane, openView, row, chooseMenuItem, webview } = workbench);
  });

  after(async () => {
    await workbench?.close();
  });

  it('the Runs view lists the experiment and its two runs, newest first, with their key metric', async () => {
    const runs = await openView('Runs');
    await row(runs, 'fast-lr').waitFor({ timeout: 30_000 });
    assert.match(await row(runs, 'tuning').innerText(), /2 runs/);
    assert.match(await row(runs, 'fast-lr').innerText(), /loss 0[.,]0\d+ · \d/);
    assert.match(await row(runs, 'slow-lr').innerText(), /loss 0[.,]\d+ · \d/);
    const labels = await runs.locator('.monaco-list-row .label-name').allInnerTexts();
    assert.ok(labels.indexOf('fast-lr') < labels.indexOf('slow-lr'), `newest first: ${labels.join(', ')}`);
    await shot('01-view');
  });

  it('"Compare Runs" on both selected runs charts their loss and marks the params that differ', async () => {
    const runs = pane('Runs');
    await row(runs, 'fast-lr').click();
    await row(runs, 'slow-lr').click({ modifiers: ['ControlOrMeta'] });
    await runs.locator('.monaco-list-row[aria-selected="true"]').nth(1).waitFor();
    await row(runs, 'slow-lr').click({ button: 'right' });
    await chooseMenuItem('Compare Runs');

    const panel = webview();
    await panel.locator('figure.chart figcaption', { hasText: /loss.*1,000 of 1,000 points drawn/ }).waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('figure.chart canvas').count(), 1);
    assert.equal(await panel.getByLabel('Logarithmic scale').isChecked(), false);
    await panel.getByRole('button', { name: 'Reset zoom' }).waitFor();

    const table = panel.getByRole('table', { name: 'Params and latest metrics' });
    assert.deepEqual(await table.locator('thead th').allInnerTexts(), ['', 'fast-lr', 'slow-lr']);
    const lr = table.locator('tr', { has: panel.locator('th', { hasText: /param\s+lr/ }) });
    assert.deepEqual(await lr.locator('td.differs').allInnerTexts(), ['2', '0.5']);
    const layers = table.locator('tr', { has: panel.locator('th', { hasText: /param\s+layers/ }) });
    assert.equal(await layers.locator('td.differs').count(), 0, 'the same value in both runs is not highlighted');
    assert.equal(await table.locator('tr', { hasText: 'loss' }).locator('td.differs').count(), 2);
    await shot('02-compare');
  });

  it('dragging across the chart zooms to those steps, drawn at full resolution; "Reset zoom" goes back', async () => {
    const panel = webview();
    const caption = panel.locator('figure.chart figcaption');
    const box = await panel.locator('figure.chart canvas').boundingBox();
    // From about step 100 to step 200 of 500: the host answers with only the points of that range.
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
    await page.mouse.up();
    await caption.filter({ hasText: /points drawn/ }).filter({ hasNotText: /1,000 of 1,000/ }).waitFor({ timeout: 30_000 });
    const [, drawn, total] = (await caption.innerText()).match(/([\d,]+) of ([\d,]+) points drawn/).map((n) => Number(n.replace(/,/g, '')));
    assert.ok(total > 100 && total < 400, `a zoomed range of about 100 steps per run: ${total} points`);
    assert.equal(drawn, total, 'every point of the range is drawn');
    await shot('03-zoomed');
    await panel.getByRole('button', { name: 'Reset zoom' }).click();
    await caption.filter({ hasText: /1,000 of 1,000 points drawn/ }).waitFor({ timeout: 30_000 });
  });
});
