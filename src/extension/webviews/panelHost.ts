import * as vscode from 'vscode';
import type { PanelProtocol, ReadyMessage } from '../../../webview/shared/protocol';
import { reportError } from '../commandErrors';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface PanelSpec {
  /** The panel's view type, `mlops.<name>`. */
  viewType: string;
  /** The page's bundle: dist/webview/<page>.js and .css. */
  page: string;
  title: string;
}

/**
 * The host side of every MLOps panel: creates the webview under the strict CSP of webviewHtml(), keeps the page's
 * content and sends it each time the page says it is ready (when it first loads, and again after VS Code reloads a
 * hidden panel), hands every other page message to `receive` (whose failures reach the user through reportError),
 * and disposes of its listeners with the panel. Messages both ways are typed by the panel's protocol.
 */
export class PanelHost<P extends PanelProtocol> implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly disposed = new vscode.EventEmitter<void>();
  /** Fired once, when the user closes the panel or the extension disposes of it. */
  readonly onDidDispose = this.disposed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private content: P['host'] | undefined;
  private ready = false;

  constructor(
    extensionUri: vscode.Uri,
    spec: PanelSpec,
    output: vscode.LogOutputChannel,
    receive: (message: Exclude<P['page'], ReadyMessage>) => void | Promise<void> = () => undefined,
  ) {
    this.panel = vscode.window.createWebviewPanel(spec.viewType, spec.title, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, spec.page, spec.title);
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage(async (message: P['page']) => {
        if (message.type === 'ready') {
          this.ready = true;
          if (this.content !== undefined) void this.panel.webview.postMessage(this.content);
          return;
        }
        try {
          await receive(message as Exclude<P['page'], ReadyMessage>);
        } catch (err) {
          reportError(output, err);
        }
      }),
      // A hidden panel's page is unloaded: nothing reaches it until it is shown and says it is ready again.
      this.panel.onDidChangeViewState(() => {
        if (!this.panel.visible) this.ready = false;
      }),
      this.panel.onDidDispose(() => this.disposeListeners()),
    );
  }

  /** What the page shows: sent now if the page is ready, and again whenever it reloads. */
  show(content: P['host']): void {
    this.content = content;
    this.post(content);
  }

  /** A message for the page as it is now (a reply, a live update): dropped when the page is not loaded. */
  post(message: P['host']): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  set title(title: string) {
    this.panel.title = title;
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    this.panel.dispose();
  }

  private disposeListeners(): void {
    this.disposed.fire();
    for (const d of this.disposables) d.dispose();
    this.disposed.dispose();
  }
}
