import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sha256 } from '../storage';
import { projectGit } from '../workspace';

/** Lockfiles whose hash pins what a run's code depended on. */
const LOCKFILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'requirements.txt', 'poetry.lock', 'uv.lock', 'Pipfile.lock', 'environment.yml'];

export interface RunEnvironment {
  os: string;
  arch: string;
  cpu: string;
  cpus: number;
  node: string;
  python: string | null;
  /** sha256 of each lockfile found in the project root. */
  lockfiles: Record<string, string>;
}

export interface GitState {
  commit: string;
  dirty: boolean;
  /** sha256 of `git diff HEAD`, so two dirty runs can be told apart; null when clean. */
  diffSha256: string | null;
}

export function captureEnvironment(root: string): RunEnvironment {
  const lockfiles: Record<string, string> = {};
  for (const name of LOCKFILES) {
    const file = path.join(root, name);
    if (fs.existsSync(file)) lockfiles[name] = sha256(fs.readFileSync(file));
  }
  return {
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    node: process.version,
    python: pythonVersion(),
    lockfiles,
  };
}

function pythonVersion(): string | null {
  for (const exe of ['python3', 'python']) {
    const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 5_000 });
    if (r.status === 0) return (r.stdout || r.stderr).trim().replace(/^Python /, '');
  }
  return null;
}

/** The commit and the state of the working tree, or null outside a git repository (or without git). */
export async function captureGit(root: string): Promise<GitState | null> {
  try {
    const git = projectGit(root);
    if (!(await git.checkIsRepo())) return null;
    const commit = (await git.revparse(['HEAD'])).trim();
    const status = await git.status();
    const dirty = !status.isClean();
    return { commit, dirty, diffSha256: dirty ? sha256(await git.diff(['--no-ext-diff', '--no-textconv', 'HEAD'])) : null };
  } catch {
    // No commit yet, or git missing: a run without git state is still a run.
    return null;
  }
}
