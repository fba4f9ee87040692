import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { trainInWorker, type AutomlProgress } from '../../../src/core/automl';
import { snapshotDataset } from '../../../src/core/data';
import { MlopsError } from '../../../src/core/errors';
import { listRuns } from '../../../src/core/tracking';
import { makeProject, write } from '../data/projectFixture';
import { FIXTURE_DIR } from '../train/fixtures';
import { openMetadataStore } from '../../../src/core/metadata';

describe('AutoML on a worker thread', () => {
  it('reports progress, and a cancellation stops it with its runs marked killed', async () => {
    const { dir, project } = makeProject();
    write(dir, 'data/wine.csv', fs.readFileSync(path.join(FIXTURE_DIR, 'wine.csv')));
    await snapshotDataset(project(), 'data/wine.csv', { name: 'wine', git: 'off' });
    const abort = new AbortController();
    const seen: AutomlProgress[] = [];
    await assert.rejects(
      trainInWorker(dir, { dataset: 'wine', target: 'target', timeBudget: 600 }, {
        signal: abort.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.trials >= 2) abort.abort();
        },
      }),
      (err: unknown) => err instanceof MlopsError && err.code === 'CANCELLED',
    );
    assert.equal(seen[0].phase, 'loading');
    assert.ok(seen.some((p) => p.phase === 'searching' && p.bestScore !== null && p.runId));
    const store = await openMetadataStore(dir);
    const runs = listRuns(store);
    assert.equal(runs.find((r) => r.parentId === null)?.status, 'killed');
    assert.ok(runs.every((r) => r.status !== 'running'));
    store.close();
  });
});
