import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { openMetadataStore } from '../../../src/core/metadata';
import { listRuns, startRun, trialCounts } from '../../../src/core/tracking';

describe('trial counts', () => {
  it('count the trials a leaderboard lists: the one the time budget cut off (ended killed) is not a trial', async () => {
    const store = await openMetadataStore(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-trials-')));
    try {
      // As a search records them: a parent, trials that scored or failed, and the last one stopped by the budget.
      const parent = await startRun(store, { experiment: 'default', name: 'AutoML weather -> weather' });
      const ended = ['finished', 'failed', 'finished', 'killed'] as const;
      for (const [i, status] of ended.entries()) {
        const child = await startRun(store, { experiment: 'default', name: `trial ${i + 1}`, parent: parent.id });
        child.end(status);
      }
      parent.end();
      const other = await startRun(store, { experiment: 'default', name: 'plain' });
      other.end();
      store.refresh();
      const counts = trialCounts(listRuns(store));
      assert.equal(counts.get(parent.id), 3);
      assert.equal(counts.get(other.id), undefined);
    } finally {
      store.close();
    }
  });
});
