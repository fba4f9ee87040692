// The webview side of the message contract. acquireVsCodeApi() may be called once per page, so every panel gets
// the API from here, through a channel typed by the panel's own protocol.
import type { PanelProtocol } from './protocol';

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

const api = acquireVsCodeApi<unknown>();

/** What a page may send: its own protocol's messages only. */
export interface PanelChannel<P extends PanelProtocol> {
  post(message: P['page']): void;
}

/**
 * Listens to the host with `receive`, then tells the host the page is ready (in that order, so the host's answer is
 * never missed). Call once per page.
 */
export function connect<P extends PanelProtocol>(receive: (message: P['host']) => void): PanelChannel<P> {
  window.addEventListener('message', (event: MessageEvent<P['host']>) => receive(event.data));
  const channel: PanelChannel<P> = { post: (message) => api.postMessage(message) };
  channel.post({ type: 'ready' });
  return channel;
}

export function getState<S>(): S | undefined {
  return api.getState() as S | undefined;
}

export function setState<S>(state: S): void {
  api.setState(state);
}
