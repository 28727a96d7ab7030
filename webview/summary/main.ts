import type { SummaryHostMessage, SummaryViewMessage } from '../../src/protocol/summary';
import { SummaryView } from './view';

/** The `.onnx` summary editor's entry point (bundled by esbuild into dist/summary.js). */
declare function acquireVsCodeApi(): { postMessage(message: SummaryViewMessage): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('app');
if (root) {
  const view = new SummaryView(root, (m) => vscode.postMessage(m));
  window.addEventListener('message', (e: MessageEvent<SummaryHostMessage>) => view.show(e.data));
  vscode.postMessage({ type: 'ready' });
}
