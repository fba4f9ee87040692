import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkProjectText } from '../core/features';
import { CONFIG_FILE } from '../core/workspace';

/**
 * Puts mlops.yaml's problems in the Problems panel, from the editor's text as it is typed (not only when saved),
 * with the same checker as `mlops validate`, so the editor and CI never disagree.
 */
export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mlops');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        // a closed file is checked from disk again so its problems stay listed
        if (isConfig(d.uri)) void this.checkFile(d.uri);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  /** Checks the mlops.yaml of each workspace folder from disk: problems show before the file is opened. */
  async checkWorkspace(): Promise<void> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const uri = vscode.Uri.joinPath(folder.uri, CONFIG_FILE);
      await this.checkFile(uri);
    }
  }

  private async checkFile(uri: vscode.Uri): Promise<void> {
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      this.publish(uri, new TextDecoder().decode(bytes));
    } catch {
      this.collection.delete(uri);
    }
  }

  private schedule(document: vscode.TextDocument): void {
    if (!isConfig(document.uri)) return;
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    // Typing fires an event per keystroke; checking 150 ms after the last one keeps typing smooth.
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      this.check(document);
    }, 150));
  }

  private check(document: vscode.TextDocument): void {
    if (isConfig(document.uri)) this.publish(document.uri, document.getText());
  }

  private publish(uri: vscode.Uri, text: string): void {
    const { problems } = checkProjectText(text, path.dirname(uri.fsPath));
    this.collection.set(uri, problems.map((p) => {
      const range = new vscode.Range(p.line - 1, p.column - 1, p.endLine - 1, Math.max(p.endColumn - 1, p.column));
      const diagnostic = new vscode.Diagnostic(range, p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'mlops';
      return diagnostic;
    }));
  }

  /** What is currently listed for a file; the integration tests read it as the Problems panel would show it. */
  problemsOf(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }
}

function isConfig(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && path.basename(uri.fsPath) === CONFIG_FILE;
}
