// `npm test`: the three layers, each able to fail on its own.
//   unit         node's test runner over the engine and the CLI (out/test/unit)
//   integration  the mocha suite inside a real VS Code extension host (code-server 1.139)
//   e2e          Playwright drives the workbench in Chromium as a person would
// Usage: node scripts/test.mjs [--only unit|integration|e2e] [--file <name>.e2e.test.mjs]
//   --file runs one end-to-end file instead of test/e2e (for working on one screen)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, ensureDependencies, installHarness, root } from './prepare.mjs';
import { startCodeServer } from '../test/harness/codeServer.mjs';
import { runExtensionTests } from '../test/harness/runExtensionTests.mjs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const wants = (layer) => !only || only === layer;
const e2eFile = process.argv.includes('--file') ? path.join('test/e2e', process.argv[process.argv.indexOf('--file') + 1]) : 'test/e2e';
const results = path.join(root, 'test-results');
fs.rmSync(results, { recursive: true, force: true });
fs.mkdirSync(results, { recursive: true });
const counts = {};

/** node --test with the spec reporter on screen and TAP in a file, whose totals are counted. */
function nodeTest(layer, target, env = {}, extraArgs = []) {
  const tap = path.join(results, `${layer}.tap`);
  const r = spawnSync(process.execPath, ['--test', ...extraArgs, '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, target], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  const total = (name) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  counts[layer] = { passed: total('pass'), failed: total('fail') + total('cancelled') + (r.status === 0 ? 0 : total('fail') ? 0 : 1) };
}

async function editorLayers() {
  const harness = installHarness();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-vscode-'));
  // Each end-to-end file makes its own project folder under e2e/; the integration suite shares one workspace.
  const folders = { e2e: path.join(scratch, 'e2e'), integration: path.join(scratch, 'integration-project') };
  for (const f of Object.values(folders)) fs.mkdirSync(f);
  const extResult = path.join(results, 'integration.txt');
  const metrics = path.join(results, 'metrics.txt');
  // The extension host inherits code-server's environment: that is how the suite hands back its counts.
  const server = await startCodeServer({
    installDir: harness,
    runDir: path.join(scratch, 'server'),
    env: { MLOPS_EXT_TEST_RESULT: extResult, MLOPS_EXT_METRICS: metrics },
    // The built-in git extension watches the test repositories the suites create and delete, and its stray
    // errors (EPIPE from a git it started) land on whichever test is running. The tests use git themselves.
    settings: { 'git.enabled': false, 'git.autoRepositoryDetection': false },
  });
  try {
    if (wants('e2e')) {
      console.log('\n# end-to-end (Playwright, Chromium, code-server)');
      // One file at a time: they share the code-server instance and the machine's two cores.
      nodeTest('e2e', e2eFile, {
        MLOPS_HARNESS_DIR: harness, MLOPS_E2E_ORIGIN: server.origin, MLOPS_E2E_SCRATCH: folders.e2e,
        MLOPS_EXTENSION_PATH: root, MLOPS_RESULTS_DIR: results,
      }, ['--test-concurrency=1']);
    }
    if (wants('integration')) {
      console.log('\n# integration (mocha inside the VS Code extension host)');
      const code = await runExtensionTests({
        installDir: harness, origin: server.origin, extensionPath: root,
        testsPath: path.join(root, 'out/test/integration/index.js'), folder: folders.integration,
      });
      const summary = fs.existsSync(extResult) ? fs.readFileSync(extResult, 'utf8') : '';
      const m = summary.match(/(\d+) passed, (\d+) failed/);
      counts.integration = m ? { passed: Number(m[1]), failed: Number(m[2]) + (code && !Number(m[2]) ? 1 : 0) } : { passed: 0, failed: 1 };
      if (fs.existsSync(metrics)) console.log(fs.readFileSync(metrics, 'utf8').trim());
    }
  } finally {
    await server.stop();
    fs.copyFileSync(server.log, path.join(results, 'code-server.log'));
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

ensureDependencies();
build({ tests: true });
if (wants('unit')) {
  console.log('\n# unit (node:test)');
  nodeTest('unit', 'out/test/unit');
}
if (wants('integration') || wants('e2e')) await editorLayers();

console.log('\n# summary');
let passed = 0;
let failed = 0;
for (const [layer, c] of Object.entries(counts)) {
  console.log(`${layer}: ${c.passed} passed, ${c.failed} failed`);
  passed += c.passed;
  failed += c.failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
