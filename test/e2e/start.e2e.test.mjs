// End to end: the workbench as `npm start` opens it for a person (scripts/start.mjs), not as the tests drive it. The
// extension is installed as a user's would be, without the smoke-test driver, so its messages pop up as toasts; and a
// stop leaves no run folder behind in the temporary directory.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startPersonalWorkbench } from '../harness/codeServer.mjs';
import { launchBrowser } from '../harness/playwright.mjs';
import { e2e, projectFolder, skipOutsideHarness } from '../harness/workbench.mjs';
import * as path from 'node:path';

describe('the workbench npm start opens', { skip: skipOutsideHarness }, () => {
  let server, browser, page, folder;

  before(async () => {
    folder = projectFolder('npm-start');
    server = await startPersonalWorkbench({ installDir: e2e.harnessDir, extensionPath: e2e.extensionPath });
    browser = await launchBrowser(e2e.harnessDir);
    page = browser.page;
    await page.goto(server.url(folder));
  });

  after(async () => {
    await page?.screenshot({ path: path.join(e2e.resultsDir, 'start-last.png') }).catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  it('loads MLOps Workbench as an installed extension, and its notifications pop up', async () => {
    const mlops = page.locator('#workbench\\.parts\\.activitybar').getByRole('tab', { name: 'MLOps' });
    await mlops.waitFor({ timeout: 90_000 });
    assert.doesNotMatch(await page.title(), /Extension Development Host/);
    await mlops.click();
    await page.getByRole('button', { name: 'Initialize MLOps Project' }).first().click({ timeout: 30_000 });
    // A toast, not only an entry in the notification centre: what the smoke-test driver suppressed.
    const toast = page.locator('.notification-toast', { hasText: 'Created an MLOps project' });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: path.join(e2e.resultsDir, 'start-notification.png') });
    assert.ok(fs.existsSync(path.join(folder, 'mlops.yaml')));
  });

  it('removes its run folder from the temporary directory when stopped', async () => {
    const { runDir } = server;
    assert.ok(fs.existsSync(runDir));
    await browser.close();
    await server.stop();
    browser = server = undefined;
    assert.equal(fs.existsSync(runDir), false, `${runDir} is left behind`);
  });
});
