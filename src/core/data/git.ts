import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { projectGit } from '../workspace';
import { l10n } from '../l10n';

export type GitMode = 'commit' | 'stage' | 'off';

/** What happened to a new version's pointer file in git. */
export interface GitOutcome {
  status: 'committed' | 'staged' | 'off' | 'no-repository' | 'failed';
  /** The commit that recorded the pointer, when it was committed. */
  commit?: string;
  /** Things the user should know or do, already translated. */
  notes: string[];
}

async function repository(root: string): Promise<SimpleGit | undefined> {
  const git = projectGit(root);
  try {
    return (await git.checkIsRepo()) ? git : undefined;
  } catch {
    // git missing from PATH counts as no repository: the snapshot itself does not need git
    return undefined;
  }
}

/** The commit HEAD points at, if the project is in a git repository with at least one commit. */
export async function headCommit(root: string): Promise<string | undefined> {
  const git = await repository(root);
  if (!git) return undefined;
  try {
    return (await git.revparse(['HEAD'])).trim();
  } catch {
    return undefined;
  }
}

/** Adds `/<data path>` to the project's .gitignore once; returns whether the file changed. */
export function ignoreDataPath(root: string, dataRelative: string, isFolder: boolean): boolean {
  const file = path.join(root, '.gitignore');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const line = `/${dataRelative}${isFolder ? '/' : ''}`;
  if (existing.split(/\r?\n/).some((l) => l.trim() === line)) return false;
  const separator = existing && !existing.endsWith('\n') ? '\n' : '';
  fs.writeFileSync(file, `${existing}${separator}${line}\n`);
  return true;
}

/**
 * Keeps the data out of git and the pointer in it: the data path goes into .gitignore, then the pointer (and
 * .gitignore) are staged and, in `commit` mode, committed alone: other staged changes of the user stay staged.
 */
export async function recordPointerInGit(root: string, options: { mode: GitMode; dataRelative: string; isFolder: boolean; pointerRelative: string; message: string }): Promise<GitOutcome> {
  const notes: string[] = [];
  const git = await repository(root);
  if (!git) {
    return {
      status: 'no-repository',
      notes: [l10n.t('{0} is not in a git repository, so the pointer file was not committed. Run `git init` there to version your data pointers with your code.', root)],
    };
  }
  const ignoreChanged = ignoreDataPath(root, options.dataRelative, options.isFolder);
  try {
    await git.raw(['ls-files', '--error-unmatch', '--', options.dataRelative]);
    notes.push(l10n.t('{0} is tracked by git: .gitignore does not untrack it. Run `git rm -r --cached {0}` so that only its pointer is committed.', options.dataRelative));
  } catch {
    // not tracked: what we want
  }
  if (options.mode === 'off') return { status: 'off', notes };
  const paths = [options.pointerRelative, ...(ignoreChanged || (await isUntracked(git, '.gitignore')) ? ['.gitignore'] : [])];
  try {
    // -v makes git print what it added; simple-git waits 50 ms after any git command that prints nothing.
    await git.raw(['add', '-v', '--', ...paths]);
    if (options.mode === 'stage') return { status: 'staged', notes };
    if (!(await hasIdentity(git))) {
      notes.push(l10n.t('git does not know who you are, so the pointer file is staged but not committed: run `git config --global user.name "Your Name"` and `git config --global user.email you@example.com`, then `git commit`.'));
      return { status: 'staged', notes };
    }
    await git.commit(options.message, paths);
    return { status: 'committed', commit: (await git.revparse(['HEAD'])).trim(), notes };
  } catch (err) {
    notes.push(l10n.t('git could not record the pointer file: {0}', (err as Error).message.trim()));
    return { status: 'failed', notes };
  }
}

/** Whether git would accept a commit's author and committer: asked first, so the user never sees git's own dump. */
async function hasIdentity(git: SimpleGit): Promise<boolean> {
  try {
    // `git var` applies the same strict check as `git commit` (config, environment, user.useConfigOnly)
    await git.raw(['var', 'GIT_AUTHOR_IDENT']);
    await git.raw(['var', 'GIT_COMMITTER_IDENT']);
    return true;
  } catch {
    return false;
  }
}

async function isUntracked(git: SimpleGit, file: string): Promise<boolean> {
  try {
    await git.raw(['ls-files', '--error-unmatch', '--', file]);
    return false;
  } catch {
    return true;
  }
}
