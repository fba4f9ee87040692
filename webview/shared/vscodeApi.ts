// The webview side of the message contract. acquireVsCodeApi() may be called once per page, so every panel gets
// the API from here; `post` and `onMessage` are typed by the panel's protocol.
interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

const api = acquireVsCodeApi<unknown>();

export function post<M>(message: M): void {
  api.postMessage(message);
}

export function onMessage<M>(handler: (message: M) => void): void {
  window.addEventListener('message', (event: MessageEvent<M>) => handler(event.data));
}

export function getState<S>(): S | undefined {
  return api.getState() as S | undefined;
}

export function setState<S>(state: S): void {
  api.setState(state);
}
