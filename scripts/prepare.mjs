// What both README commands do first on a fresh clone: install the npm dependencies when they are missing or
// older than the lockfile, then build the bundles and compile the tests.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
  return result;
}

export function ensureDependencies() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
    console.log('> npm ci');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
}

export function build({ tests = false } = {}) {
  run(process.execPath, ['scripts/build.mjs']);
  if (tests) run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
}

/** Installs (or finds in its cache) code-server, Node 24, playwright-core and Chromium; returns where. */
export function installHarness() {
  const result = spawnSync('bash', [path.join(root, 'test/harness/install.sh')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error('installing the VS Code test harness failed (see above)');
  return result.stdout.trim().split('\n').pop();
}
