// End to end: the Get Started walkthrough as a new user meets it, in a folder that is not a project yet. Its steps
// walk the whole loop, and they tick as the person does them: "Create the sample project" once the sample is created
// from the step's own button; the steps not done yet stay unticked. "Open a folder" shows only while no folder is
// open: VS Code ticks a context step only when its key changes after the walkthrough loaded, so a folder opened
// before would leave it unticked forever.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWorkbench, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';

const STEPS = ['createSample', 'snapshot', 'features', 'train', 'register', 'serve', 'monitor', 'retrain'];

describe('the Get Started walkthrough', { skip: skipOutsideHarness }, () => {
  let workbench, page, shot, folder;

  before(async () => {
    folder = projectFolder('walkthrough-empty');
    workbench = await openWorkbench(folder, 'walkthrough', { viewport: { width: 1600, height: 1000 } });
    ({ page, shot } = workbench);
  });

  after(async () => {
    await workbench?.close();
  });

  const step = (id) => page.locator(`button.getting-started-step[data-step-id$="#${id}"]`);
  const ticked = (id) => step(id).locator('.codicon.complete');

  it('opens from the MLOps view of a folder without a project and lists the whole loop', async () => {
    await page.locator('#workbench\\.parts\\.activitybar').getByRole('tab', { name: 'MLOps' }).click();
    await page.getByRole('button', { name: 'Open the walkthrough' }).first().click({ timeout: 30_000 });
    await step('createSample').waitFor({ timeout: 30_000 });
    for (const id of STEPS) assert.equal(await step(id).count(), 1, `step ${id}`);
    assert.equal(await step('openFolder').count(), 0, 'a folder is open: "Open a folder" is done and not shown');
  });

  it('ticks "Create the sample project" once its button made the sample; the steps not done stay unticked', async () => {
    for (const id of STEPS) assert.equal(await ticked(id).count(), 0, `${id} is not done yet`);
    await step('createSample').click();
    await page.locator('.getting-started-step.expanded a, .getting-started-step.expanded .monaco-button', { hasText: 'Create Sample Project' }).first().click({ timeout: 30_000 });
    await ticked('createSample').waitFor({ timeout: 30_000 });
    assert.ok(fs.existsSync(path.join(folder, 'mlops.yaml')));
    for (const id of STEPS.slice(1)) assert.equal(await ticked(id).count(), 0, `${id} is not done yet`);
    await page.getByRole('tab', { name: /Welcome/ }).click();
    await shot('01-sample-created');
  });
});
