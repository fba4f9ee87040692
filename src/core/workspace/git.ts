import { simpleGit, type SimpleGit } from 'simple-git';

/**
 * git for a project folder, as every part of the engine uses it. A repository's own config can name programs that
 * git runs on read-only commands: core.fsmonitor on `status`, external diff drivers and textconv on `diff`. Reading
 * a workspace's state must never execute something the workspace chose, so fsmonitor is switched off here (simple-git
 * refuses any fsmonitor setting unless told it is intended, even `false`), and `diff` callers pass
 * --no-ext-diff --no-textconv. Commit hooks still run where the user asked for a commit; the editor asks for none in
 * an untrusted workspace.
 */
export function projectGit(root: string): SimpleGit {
  return simpleGit({ baseDir: root, config: ['core.fsmonitor=false'], unsafe: { allowUnsafeFsMonitor: true } });
}
