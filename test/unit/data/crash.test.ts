import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { snapshotDataset } from '../../../src/core/data';
import { ObjectCache } from '../../../src/core/storage/objectCache';
import { installPaths } from '../../../src/core/install';
import { makeProject } from './projectFixture';

const cli = path.join(installPaths().root, 'dist', 'cli.js');

/** Rows of varied numbers and text, ~40 MB: long enough to kill the snapshot while it hashes or profiles. */
function bigCsv(file: string): void {
  const fd = fs.openSync(file, 'w');
  let chunk = 'id,x,y,label\n';
  for (let i = 0; i < 800_000; i++) {
    chunk += `${i},${(i * 7919) % 100003},${Math.sin(i).toFixed(12)},label-${i % 97}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

/** Bytes written so far to the cache's temporaries, and the number of finished objects. */
function cacheState(cache: ObjectCache): { temporary: number; objects: number } {
  const tmp = path.join(cache.dir, 'tmp');
  const temporary = fs.existsSync(tmp) ? fs.readdirSync(tmp).reduce((s, f) => s + (fs.statSync(path.join(tmp, f), { throwIfNoEntry: false })?.size ?? 0), 0) : 0;
  return { temporary, objects: [...cache.list()].length };
}

describe('a snapshot killed with SIGKILL', () => {
  // Kill points: early in the copy, late in it, and after the data object exists (while profiling).
  const trials: [string, (s: { temporary: number; objects: number }) => boolean][] = [
    ['after 1 MiB was copied', (s) => s.temporary >= 1 << 20],
    ['after 24 MiB were copied', (s) => s.temporary >= 24 << 20],
    ['once the data object exists', (s) => s.objects >= 1],
  ];
  for (const [when, ready] of trials) {
    it(`${when}, never leaves an object whose bytes do not match its name, and the next snapshot completes`, async () => {
      const { dir, project } = makeProject();
      bigCsv(path.join(dir, 'big.csv'));
      const cache = new ObjectCache(project().paths.cache);
      const child = spawn(process.execPath, [cli, 'snapshot', 'big.csv'], { cwd: dir, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      let running = true;
      void exited.then(() => (running = false));
      while (running && !ready(cacheState(cache))) await sleep(1);
      child.kill('SIGKILL');
      await exited;
      for (const hex of cache.list()) assert.ok(cache.verify(hex), `object ${hex} does not match its hash`);
      // The dead snapshot's lock is taken over: it names a process that no longer exists.
      const result = await snapshotDataset(project(), 'big.csv');
      assert.ok(cache.verify(result.version.digest.slice(7)));
      assert.equal(result.version.rows, 800_000);
    });
  }
});
