import { layoutGraph } from '../../src/protocol/graphLayout';
import type { LayoutReply, LayoutRequest } from './layoutMessages';

/**
 * The graph's layout worker: dagre runs here, off the panel's thread, so a large drawing never blocks a step.
 * Bundled on its own and started from a Blob URL (see layoutClient.ts).
 */
const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null; postMessage(m: LayoutReply): void };

scope.onmessage = (e) => {
  const { id, view } = e.data;
  try {
    const t0 = performance.now();
    const layout = layoutGraph(view);
    scope.postMessage({ id, layout, ms: performance.now() - t0 });
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
