import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MetadataStore } from '../../../src/core/store';
import { getRun, metricSeries } from '../../../src/core/tracking';
import { openMetadataStore } from '../../../src/core/metadata';

const writerScript = path.join(__dirname, 'storeWriter.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-procs-'));

interface WriterOutput {
  runId?: string;
  acked: number[];
  done: boolean;
}

/** Parses what a writer printed; a line cut by the kill is not an acknowledgement. */
function parseOutput(text: string): WriterOutput {
  const out: WriterOutput = { acked: [], done: false };
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  for (const line of complete.split('\n')) {
    if (line.startsWith('run ')) out.runId = line.slice(4);
    else if (line.startsWith('ack ')) out.acked.push(Number(line.slice(4)));
    else if (line === 'done') out.done = true;
  }
  return out;
}

/**
 * Runs a writer; with `kill`, kill -9s it `afterMs` after it started, or after it started logging. Resolves with
 * what it acknowledged.
 */
function runWriter(root: string, points: number, foldEvery: number, kill?: { afterMs: number; from: 'spawn' | 'logging' }): Promise<WriterOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writerScript, root, String(points), String(foldEvery)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const armKill = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), kill!.afterMs));
    if (kill?.from === 'spawn') armKill();
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (kill?.from === 'logging' && stdout.includes('\nack ')) armKill();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`writer failed (${code}): ${stderr}`));
      else resolve(parseOutput(stdout));
    });
  });
}

function assertAllPresent(store: MetadataStore, runId: string, acked: readonly number[]): void {
  const steps = new Set(metricSeries(store, runId, 'loss').steps);
  const missing = acked.filter((s) => !steps.has(s));
  assert.deepEqual(missing, [], `run ${runId}: acknowledged points missing`);
}

describe('metadata store with several processes', () => {
  it('loses nothing when 4 processes log 5,000 points each at once, folding as they go', async () => {
    const root = tmp();
    const outputs = await Promise.all([1, 2, 3, 4].map(() => runWriter(root, 5000, 1000)));
    const store = await openMetadataStore(root);
    await store.fold();
    const fresh = await openMetadataStore(root);
    for (const out of outputs) {
      assert.equal(out.done, true);
      const series = metricSeries(fresh, out.runId!, 'loss');
      assert.equal(series.values.length, 5000);
      assert.deepEqual(Array.from(series.steps), Array.from({ length: 5000 }, (_, i) => i));
      assert.equal(series.values[4999], 4999 / 7);
      assert.equal(getRun(fresh, out.runId!).status, 'finished');
    }
  });

  it('keeps every acknowledged write when a writer is killed with kill -9 at random moments (50 trials)', async () => {
    const root = tmp();
    const runs: WriterOutput[] = [];
    for (let trial = 0; trial < 50; trial++) {
      // The kill lands anywhere: during start-up, while appending, or in the middle of writing the database file.
      const kill = trial % 4 === 0 ? { afterMs: Math.random() * 300, from: 'spawn' as const } : { afterMs: Math.random() * 200, from: 'logging' as const };
      const out = await runWriter(root, 1_000_000, 25, kill);
      runs.push(out);
      const store = await openMetadataStore(root);
      for (const r of runs) if (r.runId) assertAllPresent(store, r.runId, r.acked);
      store.close();
    }
    assert.ok(runs.filter((r) => r.acked.length > 0).length >= 35, 'most trials were killed while logging');
    // The killed writers left their lock and journals behind: the next fold takes over and keeps everything.
    const store = await openMetadataStore(root);
    await store.fold();
    const fresh = await openMetadataStore(root);
    for (const r of runs) if (r.runId) assertAllPresent(fresh, r.runId, r.acked);
    const statuses = new Set(runs.filter((r) => r.runId).map((r) => getRun(fresh, r.runId!).status));
    assert.deepEqual([...statuses], ['killed'], 'runs whose process died are ended as killed, none stays running');
  });
});
