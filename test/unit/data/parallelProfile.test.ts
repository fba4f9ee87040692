import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { profileFile } from '../../../src/core/data';
import { profileInWorkers } from '../../../src/core/data/parallelProfile';

/** A CSV of about 20 MB (over the size that is split), its middle rows given by `middle`. */
function largeCsv(middle: (i: number) => string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-parts-')), 'big.csv');
  const rows = 700_000;
  const lines = ['id,x,label,when'];
  for (let i = 0; i < rows; i++) lines.push(Math.abs(i - rows / 2) < 2000 ? middle(i) : `${i},${(i * 37) % 1001 / 8},k${i % 13},2024-01-${String(1 + (i % 28)).padStart(2, '0')}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  assert.ok(fs.statSync(file).size > 16 << 20, 'large enough to be split');
  return file;
}

describe('profiling a large file by parts', () => {
  it('gives exactly the profile of reading it in one piece', async () => {
    const file = largeCsv((i) => `${i},${i / 3},"quoted, ${i}",2024-02-01`);
    assert.deepEqual(await profileInWorkers(file, 'csv', { threads: 2 }), profileFile(file, 'csv'));
  });

  it('falls back to one piece when the cut lands inside a quoted cell with line breaks', async () => {
    const file = largeCsv((i) => `${i},1,"line one\n${'line two '.repeat(20)}\nline three",2024-02-01`);
    const whole = profileFile(file, 'csv');
    assert.equal(whole.rows, 700_000);
    assert.deepEqual(await profileInWorkers(file, 'csv', { threads: 2 }), whole);
  });

  it('falls back to one piece when a column is numbers in one part and text in another', async () => {
    const file = largeCsv((i) => `${i},${i > 350_000 ? 'n/a' : '1.5'},x,2024-02-01`);
    const parts = await profileInWorkers(file, 'csv', { threads: 2 });
    assert.equal(parts.columns[1].type, 'string');
    assert.deepEqual(parts, profileFile(file, 'csv'));
  });
});
