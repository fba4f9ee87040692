import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import type { ReproduceResult } from '../../core/automl';

/**
 * Runs `mlops reproduce <ref> --json` in a child process: training again can take minutes and must not block the
 * extension host. Cancelling sends SIGINT, which the CLI turns into an abort of the training. Resolves undefined
 * when cancelled.
 */
export function reproduceInChild(extensionUri: vscode.Uri, root: string, reference: string, token: vscode.CancellationToken): Promise<ReproduceResult | undefined> {
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  return new Promise((resolve, reject) => {
    // The extension host's own runtime runs the bundled CLI; in desktop VS Code it is Electron, told to act as Node.
    const child = spawn(process.execPath, [cli, 'reproduce', reference, '--json'], {
      cwd: root,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', MLOPS_LOCALE: vscode.env.language },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const cancelled = token.onCancellationRequested(() => child.kill('SIGINT'));
    child.on('error', (err) => {
      cancelled.dispose();
      reject(err);
    });
    child.on('close', () => {
      cancelled.dispose();
      if (token.isCancellationRequested) return resolve(undefined);
      try {
        resolve(JSON.parse(stdout) as ReproduceResult);
      } catch {
        // no JSON: the CLI failed before comparing and said why on stderr ("Error: what\nhint")
        const [message, ...hint] = stderr.trim().replace(/^[^:]*: /, '').split('\n');
        reject(new MlopsError(message || vscode.l10n.t('mlops reproduce failed.'), hint.join('\n') || undefined));
      }
    });
  });
}
