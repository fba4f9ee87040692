import * as fs from 'node:fs';
import * as path from 'node:path';
import { snapshotDataset } from '../../../src/core/data';
import { openProject, type Project } from '../../../src/core/workspace';
import { makeProject, write } from '../data/projectFixture';

/**
 * A project with data files snapshotted as datasets, and a features: section appended to its mlops.yaml (after the
 * snapshots, so its types are checked against their profiles).
 */
export async function featureProject(files: Record<string, string>, features: string, options: { git?: boolean } = {}): Promise<{ dir: string; project: () => Project }> {
  const { dir } = makeProject({ git: options.git });
  for (const [relative, contents] of Object.entries(files)) {
    write(dir, relative, contents);
    await snapshotDataset(openProject(dir), relative, { name: path.basename(relative).replace(/\.[^.]+$/, ''), git: 'off' });
  }
  fs.appendFileSync(path.join(dir, 'mlops.yaml'), features);
  return { dir, project: () => openProject(dir) };
}

export { write };
