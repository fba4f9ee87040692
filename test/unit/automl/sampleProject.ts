import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { snapshotDataset } from '../../../src/core/data';
import { installPaths } from '../../../src/core/install';
import { initProject, openProject } from '../../../src/core/workspace';

/**
 * The sample project (`mlops init --sample`: weather.csv, `task: classification` for `weather`, `date` as the
 * timestamp), with `training` lines added to mlops.yaml's training section, and its data snapshotted.
 */
export async function sampleProject(training = ''): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-sample-'));
  initProject(dir, { sampleDir: installPaths().sample, sample: true });
  const config = path.join(dir, 'mlops.yaml');
  // right under `training:`, which other sections follow
  if (training) fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/^training:\n/m, (header) => header + training));
  await snapshotDataset(openProject(dir), 'data/weather.csv', { name: 'weather', git: 'off' });
  return dir;
}
