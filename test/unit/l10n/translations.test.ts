import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { installPaths } from '../../../src/core/install';

const root = installPaths().root;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** A single-quoted TypeScript literal, unescaped, as l10n.t receives it. */
const literal = String.raw`'((?:[^'\\]|\\.)*)'`;
const unquote = (s: string) => s.replace(/\\(.)/g, '$1');

/** Every string the user can see: translated calls, and the CLI's command summaries and option descriptions. */
export function userFacingStrings(): Map<string, string> {
  const found = new Map<string, string>();
  const patterns = [new RegExp(String.raw`l10n\.t\(\s*` + literal, 'g'), new RegExp(String.raw`\b(?:summary|description): ` + literal, 'g')];
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    const isCli = file.includes(`${path.sep}cli${path.sep}`);
    for (const [i, pattern] of patterns.entries()) {
      if (i === 1 && !isCli) continue;
      for (const m of text.matchAll(pattern)) found.set(unquote(m[1]), path.relative(root, file));
    }
  }
  return found;
}

describe('localization', () => {
  const fr = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.fr.json'), 'utf8')) as Record<string, string>;

  it('has a French translation for every user-facing string of the engine, the CLI and the extension', () => {
    const strings = userFacingStrings();
    assert.ok(strings.size > 20, `found only ${strings.size} strings: the scan is broken`);
    const missing = [...strings].filter(([s]) => !(s in fr)).map(([s, file]) => `${file}: ${s}`);
    assert.deepEqual(missing, [], 'add these to l10n/bundle.l10n.fr.json');
  });

  it('keeps every placeholder of the English text in the French one', () => {
    for (const [en, text] of Object.entries(fr)) {
      const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
      assert.equal(placeholders(text), placeholders(en), `placeholders differ for "${en}"`);
    }
  });

  it('translates every key of the manifest', () => {
    const en = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const frManifest = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.fr.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(frManifest).sort(), Object.keys(en).sort());
    const manifest = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
    for (const m of manifest.matchAll(/"%([^%"]+)%"/g)) assert.ok(m[1] in en, `package.json uses %${m[1]}% that package.nls.json lacks`);
  });
});
