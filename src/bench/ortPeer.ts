import type * as Ort from 'onnxruntime-node';
import { onnxModel } from './onnxModel';
import type { Peer, PreparedRun, SkippedPeer } from './peer';
import type { Workload } from './workloads';

/**
 * ONNX Runtime (onnxruntime-node, native CPU kernels) on one thread, so it is compared with a single-threaded
 * JavaScript engine on equal terms; graph optimisations (fusions) are left on, as a user would run it.
 */
export async function loadOrtPeer(): Promise<Peer | SkippedPeer> {
  let ort: typeof Ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    return { name: 'ort', reason: `onnxruntime-node is not installed (${String((e as Error).message ?? e).split('\n')[0]})` };
  }
  return { name: 'ort', prepare: (w) => prepare(ort, w) };
}

async function prepare(ort: typeof Ort, w: Workload): Promise<PreparedRun> {
  const { bytes, output } = onnxModel(w);
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = { x: new ort.Tensor('float32', w.input.data, [...w.inputShape]) };
  return {
    run: () => session.run(feeds),
    result: async () => Float32Array.from((await session.run(feeds))[output].data as Float32Array),
    dispose: () => void session.release(),
  };
}
