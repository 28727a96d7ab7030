import type { HostToWebview, WebviewToHost } from '../src/protocol/webview';
import { App } from './app';
import { HostClient } from './client';

/** The panel's entry point (bundled by esbuild into dist/webview.js). */
declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void };

const vscode = acquireVsCodeApi();
const client = new HostClient((m) => vscode.postMessage(m));
window.addEventListener('message', (e: MessageEvent<HostToWebview>) => client.receive(e.data));
window.addEventListener('error', (e) => client.notify({ type: 'log', level: 'error', message: `webview: ${e.message}` }));
window.addEventListener('unhandledrejection', (e) => client.notify({ type: 'log', level: 'error', message: `webview: ${String(e.reason)}` }));

const root = document.getElementById('app');
if (root) void new App(root, client).start();
