// Runs the integration suite inside a real extension host: the workbench loads the extension under development
// and calls the suite's run() (the entry point @vscode/test-electron uses), then reports through
// window.codeAutomationExit(code), as @vscode/test-web does.
import * as util from 'node:util';
import { launchBrowser } from './playwright.mjs';
import { workbenchUrl } from './codeServer.mjs';

/**
 * @returns {Promise<number>} the suite's exit code (0 = all passed)
 */
export async function runExtensionTests({ installDir, origin, extensionPath, testsPath, folder, timeoutMs = 300_000 }) {
  const browser = await launchBrowser(installDir);
  try {
    let finish;
    const exited = new Promise((resolve) => (finish = resolve));
    await browser.page.exposeFunction('codeAutomationLog', (type, args) => {
      // mocha's reporter prints through console.log with printf-style arguments
      (type === 'error' ? process.stderr : process.stdout).write(util.format(...args) + '\n');
    });
    await browser.page.exposeFunction('codeAutomationExit', (code) => finish(code));
    await browser.page.goto(workbenchUrl(origin, { folder, extensionPath, testsPath }));
    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const code = await Promise.race([exited, timedOut]);
    // A pending timer would keep `npm test` alive for the rest of the timeout after the suite has finished.
    clearTimeout(timer);
    if (code === 'timeout') console.error(`the extension tests did not finish within ${timeoutMs / 1000} s`);
    return code === 0 ? 0 : 1;
  } finally {
    await browser.close();
  }
}
