// What every end-to-end file needs: the workbench opened on its own project folder with the extension under
// development, and the few locators a person's actions map to. scripts/test.mjs passes where things are through
// the environment.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workbenchUrl } from './codeServer.mjs';
import { launchBrowser } from './playwright.mjs';

export const e2e = {
  harnessDir: process.env.MLOPS_HARNESS_DIR,
  origin: process.env.MLOPS_E2E_ORIGIN,
  scratch: process.env.MLOPS_E2E_SCRATCH,
  extensionPath: process.env.MLOPS_EXTENSION_PATH,
  resultsDir: process.env.MLOPS_RESULTS_DIR,
};

/** Skip reason for node:test when the file is run on its own rather than through npm test. */
export const skipOutsideHarness = !e2e.origin && 'run through npm test';

/** A project folder of this file's own under the run's scratch folder. */
export function projectFolder(name) {
  const folder = path.join(e2e.scratch, name);
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

/** Runs the built CLI in `folder`, as a person would in a terminal; returns its stdout. */
export function mlopsIn(folder) {
  return (...args) => execFileSync(process.execPath, [path.join(e2e.extensionPath, 'dist', 'cli.js'), ...args], { cwd: folder, encoding: 'utf8', stdio: 'pipe' });
}

/**
 * Opens the workbench on `folder`; screenshots are named `<prefix>-<name>.png` in the results folder.
 * @param {{ viewport?: { width: number, height: number } }} [options] the window's size (default 1400x900)
 */
export async function openWorkbench(folder, prefix, { viewport } = {}) {
  fs.mkdirSync(e2e.resultsDir, { recursive: true });
  const browser = await launchBrowser(e2e.harnessDir, viewport);
  const { page } = browser;
  await page.goto(workbenchUrl(e2e.origin, { folder, extensionPath: e2e.extensionPath }));
  await page.waitForFunction(() => window.driver, null, { timeout: 90_000 });
  await page.evaluate(() => window.driver.whenWorkbenchRestored());
  const menuItem = (name) => page.locator('.context-view .monaco-menu').getByRole('menuitem', { name });
  const pane = (title) => page.locator('.pane', { has: page.locator(`.pane-header[aria-label^="${title}"]`) });
  const shot = (name) => page.screenshot({ path: path.join(e2e.resultsDir, `${prefix}-${name}.png`) });
  return {
    page,
    shot,
    /** A side bar section (view) by its title. */
    pane,
    /** Opens the MLOps side bar and the view `title` in it (expanded if it was collapsed); returns the view. */
    openView: async (title) => {
      await page.locator('#workbench\\.parts\\.activitybar').getByRole('tab', { name: 'MLOps' }).click();
      const view = pane(title);
      const header = view.locator('.pane-header');
      await header.waitFor({ timeout: 30_000 });
      if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
      return view;
    },
    /** A tree row whose label is exactly `label`. */
    row: (container, label) => container.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }),
    menuItem,
    /** The workbench ignores a click that lands right after a context menu opens: point at the item, press Enter. */
    chooseMenuItem: async (name) => {
      await menuItem(name).hover();
      await page.keyboard.press('Enter');
    },
    /** The HTML of the newest webview panel. */
    webview: () => page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame'),
    close: async () => {
      await shot('last').catch(() => {});
      await browser.close();
    },
  };
}
