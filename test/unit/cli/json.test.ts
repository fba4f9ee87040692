import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';

const root = installPaths().root;
const read = (relative: string) => fs.readFileSync(path.join(root, relative), 'utf8');

describe('--json shapes', () => {
  it('docs/cli-json.md names the type of every command CliJson declares', () => {
    const source = read('src/cli/json.ts');
    const body = /export interface CliJson \{([\s\S]*?)\n\}/.exec(source)?.[1];
    assert.ok(body, 'src/cli/json.ts exports CliJson');
    const entries = [...body.matchAll(/^\s+'?([\w ]+?)'?: (.+);$/gm)].map((m) => ({ command: m[1], type: m[2] }));
    assert.ok(entries.length >= 20, `CliJson lists the commands (found ${entries.length})`);
    const doc = read('docs/cli-json.md');
    const named = (e: { command: string; type: string }) => doc.includes(`\`${e.type}\``) || doc.includes(`\`CliJson['${e.command}']\``);
    assert.deepEqual(entries.filter((e) => !named(e)).map((e) => `${e.command}: ${e.type}`), []);
  });

  it('every command prints JSON through printJson with a shape of CliJson, none through JSON.stringify of its own', () => {
    const dir = path.join(root, 'src', 'cli', 'commands');
    for (const file of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      assert.doesNotMatch(text, /printJson\(ctx, [^']/, `${file}: printJson names its shape`);
      assert.doesNotMatch(text, /stdout\(JSON\.stringify/, `${file}: no JSON printed around printJson`);
    }
  });
});
