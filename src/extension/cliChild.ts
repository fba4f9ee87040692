import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as vscode from 'vscode';
import { MlopsError } from '../core/errors';

/**
 * Starts the bundled `mlops` CLI in a child process of its own, in the project's folder: long work (training again,
 * materializing, a model server) must not run in, or block, the extension host. The host's own runtime runs it; in
 * desktop VS Code that is Electron, told to act as Node. `detached` gives the child its own process group, so a
 * signal meant for the editor's process group does not reach it.
 */
export function spawnCli(extensionUri: vscode.Uri, root: string, args: readonly string[], options: { detached?: boolean } = {}): ChildProcessWithoutNullStreams {
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  return spawn(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', MLOPS_LOCALE: vscode.env.language },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
}

/**
 * Runs `mlops <args> --json` to its end and parses what it printed. Cancelling sends SIGINT, which the CLI turns
 * into an abort of its work; the promise then resolves undefined. Whatever the exit code, printed JSON is the result
 * (a failed gate exits 1 with its verdict). Without JSON the CLI failed and said why on stderr ("Error: what\nhint"),
 * which becomes the MlopsError.
 */
export function runCliJson<T>(extensionUri: vscode.Uri, root: string, args: readonly string[], token?: vscode.CancellationToken, failed = vscode.l10n.t('mlops {0} failed.', args[0])): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(extensionUri, root, [...args, '--json']);
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const cancelled = token?.onCancellationRequested(() => child.kill('SIGINT'));
    child.on('error', (err) => {
      cancelled?.dispose();
      reject(err);
    });
    child.on('close', () => {
      cancelled?.dispose();
      if (token?.isCancellationRequested) return resolve(undefined);
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        const [message, ...hint] = stderr.trim().replace(/^[^:]*: /, '').split('\n');
        reject(new MlopsError(message || failed, hint.join('\n') || undefined));
      }
    });
  });
}
