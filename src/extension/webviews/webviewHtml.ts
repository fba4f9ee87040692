import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The HTML shell of every MLOps webview: one bundled script (dist/webview/<name>.js) and its stylesheet, loaded
 * under a strict Content-Security-Policy. Scripts run only with this page's nonce, nothing is fetched from the
 * network, and there is no 'unsafe-eval' or 'unsafe-inline' for scripts.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, name: string, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    // Styles set from script (chart.js, Lit's adopted stylesheets) are not inline markup, so no 'unsafe-inline'.
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset(`${name}.css`)}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="app" aria-busy="true"></div>
<script nonce="${nonce}" src="${asset(`${name}.js`)}"></script>
</body>
</html>`;
}

/** Options every MLOps webview shares: scripts on, and local resources from dist/webview only. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
