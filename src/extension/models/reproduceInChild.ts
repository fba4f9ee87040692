import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import type { ReproduceResult } from '../../core/automl';

/**
 * Runs `mlops <args> --json` in a child process: training, gating or a drift check can take minutes and must not
 * block the extension host. Cancelling sends SIGINT, which the CLI turns into an abort of the work. Resolves
 * undefined when cancelled; the parsed JSON whenever the CLI printed some, whatever its exit code (a failed gate
 * exits 1 with its result); rejects with the CLI's own message otherwise.
 */
export function mlopsJsonInChild<T>(extensionUri: vscode.Uri, root: string, args: readonly string[], token?: vscode.CancellationToken): Promise<T | undefined> {
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  return new Promise((resolve, reject) => {
    // The extension host's own runtime runs the bundled CLI; in desktop VS Code it is Electron, told to act as Node.
    const child = spawn(process.execPath, [cli, ...args, '--json'], {
      cwd: root,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', MLOPS_LOCALE: vscode.env.language },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
        // no JSON: the CLI failed before its result and said why on stderr ("Error: what\nhint")
        const [message, ...hint] = stderr.trim().replace(/^[^:]*: /, '').split('\n');
        reject(new MlopsError(message || vscode.l10n.t('mlops {0} failed.', args[0]), hint.join('\n') || undefined));
      }
    });
  });
}

/** `mlops reproduce <ref>`: trains the version again from its lineage and compares the artifacts. */
export function reproduceInChild(extensionUri: vscode.Uri, root: string, reference: string, token: vscode.CancellationToken): Promise<ReproduceResult | undefined> {
  return mlopsJsonInChild<ReproduceResult>(extensionUri, root, ['reproduce', reference], token);
}
