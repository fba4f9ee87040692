import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAutoml } from '../../../src/core/automl';
import { snapshotDataset } from '../../../src/core/data';
import { openMetadataStore } from '../../../src/core/metadata';
import { predictFile } from '../../../src/core/models';
import { registerModel, readModelArtifact } from '../../../src/core/registry';
import { getRun } from '../../../src/core/tracking';
import { openProject } from '../../../src/core/workspace';
import { makeProject, write } from '../data/projectFixture';
import { FIXTURE_DIR } from '../train/fixtures';

describe('AutoML stopped by the user', () => {
  it('keeps the best trial so far as a finished, registrable model', async () => {
    const { dir, project } = makeProject();
    write(dir, 'data/iris.csv', fs.readFileSync(path.join(FIXTURE_DIR, 'iris.csv')));
    await snapshotDataset(project(), 'data/iris.csv', { name: 'iris', git: 'off' });
    const store = await openMetadataStore(dir);
    const stop = new AbortController();
    const seen: number[] = [];
    const result = await runAutoml(store, { dataset: 'iris', target: 'target', timeBudget: 600 }, {
      stopSignal: stop.signal,
      onProgress: (p) => {
        if (p.phase === 'searching') seen.push(p.trials);
        // Ctrl+C as the third trial ends.
        if (p.trials >= 3) stop.abort();
      },
    });
    assert.equal(result.stopped, true);
    assert.equal(result.trials, 3);
    assert.deepEqual([...new Set(seen)], [0, 1, 2, 3], 'progress reports every finished trial');
    const run = getRun(store, result.runId);
    assert.equal(run.status, 'finished');
    assert.equal(run.tags['mlops.stopped'], 'true');
    assert.match(run.notes ?? '', /Stopped by the user after 3 trials/);

    const registered = await registerModel(openProject(dir), store, result.runId, { model: 'iris' });
    assert.equal(registered.record.version, 1);
    const input = write(dir, 'in.csv', 'sepal_length_(cm),sepal_width_(cm),petal_length_(cm),petal_width_(cm)\n5.1,3.5,1.4,0.2\n');
    const predicted = await predictFile(readModelArtifact(openProject(dir), registered.record), input, path.join(dir, 'out.csv'));
    assert.equal(predicted.rows, 1);
    store.close();
  });
});
