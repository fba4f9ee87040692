// Entry point the extension host loads when extensionTestsPath points here: the same run() contract that
// @vscode/test-electron (desktop) and the code-server harness (web) both call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 30_000, color: false });
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const summary = `${runner.stats?.passes ?? 0} passed, ${runner.stats?.failures ?? 0} failed`;
      console.log(summary);
      // The harness reads the counts from here: the browser only sees the exit code.
      if (process.env.MLOPS_EXT_TEST_RESULT) fs.writeFileSync(process.env.MLOPS_EXT_TEST_RESULT, summary + '\n');
      if (failures) reject(new Error(`${failures} integration tests failed`));
      else resolve();
    });
  });
}
