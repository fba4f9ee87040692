// What every panel's message contract shares, imported by the extension host (src/extension/webviews/panelHost.ts)
// and the pages (webview/shared/vscodeApi.ts). Types only.

/** The first message of every page, sent when its script starts: also after VS Code reloads a hidden panel. */
export type ReadyMessage = { type: 'ready' };

/**
 * One panel's messages: `host` what the extension sends its page, `page` what the page sends back. The host and the
 * page are each typed by the same protocol, so neither can send a message of another panel's.
 */
export interface PanelProtocol<Host extends { type: string } = { type: string }, Page extends { type: string } = { type: string }> {
  host: Host;
  page: Page | ReadyMessage;
}
