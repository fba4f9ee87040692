// playwright-core lives in the harness cache, not in the project's dependencies: load it from there.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS } from './codeServer.mjs';

export function loadPlaywright(installDir) {
  return createRequire(path.join(installDir, 'driver', 'package.json'))('playwright-core');
}

/** A fresh Chromium profile per launch, so runs never share state; removed by close(). */
export async function launchBrowser(installDir, viewport = { width: 1400, height: 900 }) {
  const { chromium } = loadPlaywright(installDir);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
