import type * as vscode from 'vscode';
import type { ReproduceResult } from '../../core/automl';
import { runCliJson } from '../cliChild';

/** `mlops reproduce <ref>`: trains the version again from its lineage and compares the artifacts, in a child process. */
export function reproduceInChild(extensionUri: vscode.Uri, root: string, reference: string, token: vscode.CancellationToken): Promise<ReproduceResult | undefined> {
  return runCliJson<ReproduceResult>(extensionUri, root, ['reproduce', reference], token);
}
