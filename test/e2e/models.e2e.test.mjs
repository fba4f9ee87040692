// End to end: a project where the AutoML trained two models from the command line and both were registered, the
// first as champion, opened in VS Code (code-server, Playwright, Chromium): the Models view shows the model, its
// versions with the champion badge and key metric, their lineage, and comparing the two selected versions opens the
// Compare Model Versions panel.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { e2e, mlopsIn, openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

describe('Models in the browser workbench', { skip: skipOutsideHarness }, () => {
  let workbench;
  let shot, pane, openView, row, chooseMenuItem, webview;
  let folder;

  before(async () => {
    folder = projectFolder('models-project');
    fs.mkdirSync(path.join(folder, 'data'));
    const mlops = mlopsIn(folder);
    mlops('init');
    fs.copyFileSync(path.join(e2e.extensionPath, 'test', 'fixtures', 'datasets', 'iris.csv'), path.join(folder, 'data', 'iris.csv'));
    mlops('snapshot', 'data/iris.csv', '--name', 'iris');
    for (const [seed, alias] of [['1', ['--alias', 'champion']], ['2', []]]) {
      const { runId } = JSON.parse(mlops('train', '--dataset', 'iris', '--target', 'target', '--max-trials', '3', '--seed', seed, '--json'));
      mlops('register', runId, '--model', 'iris', ...alias, '--description', 'Sorts irises by their petals and sepals.');
    }

    workbench = await openWorkbench(folder, 'models');
    ({ shot, pane, openView, row, chooseMenuItem, webview } = workbench);
  });

  after(async () => {
    await workbench?.close();
  });

  it('the Models view shows the model, its versions newest first, the champion badge and the key metric', async () => {
    const models = await openView('Models');
    await row(models, 'version 1').waitFor({ timeout: 30_000 });
    assert.match(await row(models, 'iris').innerText(), /2 versions · @champion → 1/);
    assert.match(await row(models, 'version 1').innerText(), /@champion · cv_accuracy 0[.,]\d+ · \d{4}-\d\d-\d\d/);
    assert.doesNotMatch(await row(models, 'version 2').innerText(), /@champion/);
    const labels = await models.locator('.monaco-list-row .label-name').allInnerTexts();
    assert.ok(labels.indexOf('version 2') < labels.indexOf('version 1'), `newest first: ${labels.join(', ')}`);
    await row(models, 'version 1').click();
    await models.locator('.monaco-list-row', { hasText: /^Run / }).first().waitFor();
    assert.equal(await row(models, 'Data iris@1').count(), 1);
    await shot('01-view');
  });

  it('"Compare Model Versions" on both selected versions shows them side by side', async () => {
    const models = pane('Models');
    await row(models, 'version 2').click();
    await row(models, 'version 1').click({ modifiers: ['ControlOrMeta'] });
    await models.locator('.monaco-list-row[aria-selected="true"]').nth(1).waitFor();
    await row(models, 'version 1').click({ button: 'right' });
    // The workbench ignores a click that comes right after a context menu opens (a guard against stray mouse-ups).
    await chooseMenuItem('Compare Model Versions');
    const panel = webview();
    await panel.locator('h1', { hasText: 'iris: version 1 ↔ version 2' }).waitFor({ timeout: 30_000 });
    assert.match(await panel.locator('body').innerText(), /Both versions were trained on the same data\./);
    assert.ok((await panel.locator('tr.differs').count()) > 0, 'the run ids at least differ');
    await shot('02-compare');
  });
});
