import * as vscode from 'vscode';
import type { ReproduceResult } from '../../core/automl';
import { runCliJson } from '../cliChild';

/**
 * Runs `mlops reproduce <ref> --json` in a child process: training again can take minutes and must not block the
 * extension host. Cancelling sends SIGINT, which the CLI turns into an abort of the training. Resolves undefined
 * when cancelled.
 */
export function reproduceInChild(extensionUri: vscode.Uri, root: string, reference: string, token: vscode.CancellationToken): Promise<ReproduceResult | undefined> {
  return runCliJson<ReproduceResult>(extensionUri, root, ['reproduce', reference], token, vscode.l10n.t('mlops reproduce failed.'));
}
