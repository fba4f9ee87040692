// End to end: a person opens an empty folder in VS Code (code-server, driven by Playwright in Chromium),
// opens the MLOps side bar, initializes a project, uses the command palette and the status bar.
// Run by scripts/test.mjs, which starts code-server and passes where it is through the environment.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

const STATUS_ITEM = '[id="mlops-workbench.mlops-workbench.mlops.modelHealth"]';
const VIEWS = ['Datasets', 'Features', 'Runs', 'Models'];

describe('MLOps Workbench in the browser workbench', { skip: skipOutsideHarness }, () => {
  let workbench;
  let page, shot, pane;
  let folder;

  before(async () => {
    folder = projectFolder('empty-folder');
    workbench = await openWorkbench(folder, 'workbench');
    ({ page, shot, pane } = workbench);
  });

  after(async () => {
    await workbench?.close();
  });

  it('has an MLOps container with four views that offer to initialize a project', async () => {
    await page.locator('#workbench\\.parts\\.activitybar').getByRole('tab', { name: 'MLOps' }).click();
    for (const view of VIEWS) await pane(view).locator('.pane-header').waitFor({ timeout: 30_000 });
    const datasets = pane('Datasets');
    await datasets.getByRole('button', { name: 'Initialize MLOps Project' }).waitFor({ timeout: 30_000 });
    assert.match(await datasets.innerText(), /not an MLOps project yet/);
    await shot('01-welcome');
  });

  it('clicking "Initialize MLOps Project" creates mlops.yaml and the views change', async () => {
    await pane('Datasets').getByRole('button', { name: 'Initialize MLOps Project' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: 'mlops.yaml' }).waitFor({ timeout: 30_000 });
    await pane('Datasets').getByText('No dataset is declared yet').waitFor({ timeout: 30_000 });
    assert.equal(await pane('Datasets').getByRole('button', { name: 'Initialize MLOps Project' }).count(), 0);
    assert.ok(fs.existsSync(path.join(folder, 'mlops.yaml')), 'mlops.yaml is on disk');
    await shot('02-initialized');
  });

  it('runs an MLOps command from the command palette', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>MLOps: Create Sample Project');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'MLOps: Create Sample Project' }).first().waitFor();
    await page.keyboard.press('Enter');
    // The folder already holds a project: the command must say so and leave it alone. This workbench runs with
    // the smoke-test driver, which keeps notifications out of toasts, so read them in the notification center.
    await page.locator('.statusbar-item[id="status.notifications"]').click();
    await page.locator('.notifications-center', { hasText: 'already has an MLOps project' }).waitFor({ timeout: 30_000 });
    assert.equal(fs.existsSync(path.join(folder, 'data', 'weather.csv')), false);
    await shot('03-command-palette');
    await page.keyboard.press('Escape');
  });

  it('the status bar says no model is served, and clicking it opens the Models view', async () => {
    const item = page.locator(STATUS_ITEM);
    await item.waitFor({ timeout: 30_000 });
    assert.match(await item.innerText(), /MLOps: no model served/);
    // Move focus elsewhere first, so the click is what brings the Models view forward.
    await page.locator('#workbench\\.parts\\.activitybar').getByRole('tab', { name: 'Explorer' }).click();
    await pane('Models').waitFor({ state: 'hidden', timeout: 30_000 });
    await item.click();
    await pane('Models').getByText('No model is registered yet').waitFor({ timeout: 30_000 });
    for (const view of VIEWS) assert.equal(await pane(view).count(), 1, `${view} view is shown`);
    await shot('04-models-view');
  });
});
