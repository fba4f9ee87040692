// `npm run test:desktop`: the same integration suite in desktop VS Code, downloaded by @vscode/test-electron.
// It needs the network to download VS Code; where that is impossible, `npm test` runs the suite in code-server.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const extensionDevelopmentPath = path.resolve(__dirname, '../../..');
  const extensionTestsPath = path.resolve(__dirname, 'index.js');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-desktop-'));
  try {
    await runTests({ extensionDevelopmentPath, extensionTestsPath, launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'] });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
