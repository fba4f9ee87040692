import * as vscode from 'vscode';
import type { MlopsApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'mlops-workbench.mlops-workbench';

export async function activateExtension(): Promise<MlopsApi> {
  const extension = vscode.extensions.getExtension<MlopsApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  return extension.activate();
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration suite needs a workspace folder');
  return folder.uri;
}

/** Polls until `check` returns a value, for state the editor updates asynchronously (diagnostics, tabs, views). */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
