import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installPaths } from '../../../src/core/install';
import { initProject, openProject, type Project } from '../../../src/core/workspace';

/** A fresh project in a temporary folder; with `git`, in a real repository with a first commit. */
export function makeProject(options: { git?: boolean; config?: string } = {}): { dir: string; project: () => Project; git: (...args: string[]) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-data-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  if (options.git) {
    git('init', '-q');
    git('config', 'user.name', 'Test');
    git('config', 'user.email', 'test@example.com');
  }
  initProject(dir, { sampleDir: installPaths().sample });
  if (options.config) fs.appendFileSync(path.join(dir, 'mlops.yaml'), options.config);
  if (options.git) {
    git('add', '-A');
    git('commit', '-q', '-m', 'init');
  }
  return { dir, project: () => openProject(dir), git };
}

export function write(dir: string, relative: string, contents: string | Buffer): string {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, contents);
  return file;
}
