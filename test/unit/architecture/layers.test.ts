import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';

const root = installPaths().root;
const core = path.join(root, 'src', 'core');

// eslint is a development dependency with its own types; the rule is the project's CommonJS plugin.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Linter } = require('eslint') as { Linter: new (options?: { cwd?: string }) => { verify(code: string, config: unknown, options: { filename: string }): { ruleId: string | null; message: string }[] } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin = require(path.join(root, 'eslint-rules', 'core-layers.cjs')) as { rules: Record<string, unknown>; LAYERS: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('typescript-eslint') as { parser: unknown };

/** Lints one line of code as if it were the file `file` of src/core, with the project's layer rule only. */
function problems(file: string, code: string): string[] {
  const linter = new Linter({ cwd: root });
  const config = [{ files: ['**/*.ts'], languageOptions: { parser }, plugins: { architecture: plugin }, rules: { 'architecture/core-layers': 'error' } }];
  return linter.verify(code, config, { filename: path.join(core, file) }).map((m) => m.message);
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the layers of src/core', () => {
  it('lets a capability import a lower layer through its index', () => {
    assert.deepEqual(problems('registry/register.ts', "import { ObjectCache } from '../storage';"), []);
    assert.deepEqual(problems('models/predictFile.ts', "import { cancelled } from '../errors';"), []);
    assert.deepEqual(problems('data/snapshot.ts', "import { pointerPath } from './pointer';"), []);
  });

  it('fails an upward import, naming the order', () => {
    const [message] = problems('registry/register.ts', "import { runAutoml } from '../automl';");
    assert.match(message, /registry must not import automl: automl is a higher layer/);
    assert.match(problems('storage/objectCache.ts', "import { openProject } from '../workspace';")[0], /storage must not import workspace/);
    assert.match(problems('errors.ts', "import { ObjectCache } from './storage';")[0], /the base must not import storage/);
  });

  it('fails a deep import into another capability, naming its index', () => {
    const [message] = problems('automl/automl.ts', "import { readDelimitedFile } from '../data/delimitedReader';");
    assert.match(message, /Import data through its index \("\.\.\/data"\)/);
    assert.match(problems('models/artifact.ts', "export { hashFile } from '../storage/hashing';")[0], /through its index/);
  });

  it('fails an import of a folder the order does not know, and of a worker entry point', () => {
    assert.match(problems('data/snapshot.ts', "import { x } from '../mystery';")[0], /not in the layer order/);
    assert.match(problems('automl/automlWorker.ts', "import '../workers/automl.worker';")[0], /started by file name/);
  });

  it('orders every folder of src/core (npm run lint then checks every file against the order)', () => {
    const folders = fs.readdirSync(core, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'l10n').map((e) => e.name);
    assert.deepEqual(folders.filter((f) => !plugin.LAYERS.includes(f)), [], 'add these folders to eslint-rules/core-layers.cjs');
  });

  it('has no import cycle between files', () => {
    const edges = new Map<string, string[]>();
    for (const file of sourceFiles(core)) {
      const targets: string[] = [];
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s+'(\.[^']+)'/gm)) {
        const base = path.resolve(path.dirname(file), m[1]);
        const target = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
        if (target) targets.push(target);
      }
      edges.set(file, targets);
    }
    // Depth-first search with colours: reaching a file still on the stack closes a cycle.
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const cycles: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(core, f)).join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of edges.keys()) if (!state.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });
});
