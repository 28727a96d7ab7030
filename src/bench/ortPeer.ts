import type * as Ort from 'onnxruntime-node';
import { onnxModel } from './onnxModel';
import type { Peer, PreparedRun, SkippedPeer } from './peer';
import type { Workload } from './workloads';

/** The part of the onnxruntime API both packages share (onnxruntime-common). */
type OrtApi = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

/**
 * ONNX Runtime (onnxruntime-node, native CPU kernels) on one thread, so it is compared with a single-threaded
 * JavaScript engine on equal terms; graph optimisations (fusions) are left on, as a user would run it.
 */
export async function loadOrtPeer(): Promise<Peer | SkippedPeer> {
  let ort: OrtApi;
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    return { name: 'ort', reason: `onnxruntime-node is not installed (${firstLine(e)})` };
  }
  return { name: 'ort', prepare: (w) => prepare(ort, 'cpu', w) };
}

/**
 * ONNX Runtime Web on its WebAssembly backend (SIMD), one thread, loaded in Node from node_modules; the same
 * graph as the `ort` peer.
 */
export async function loadOrtWebPeer(): Promise<Peer | SkippedPeer> {
  let ort: OrtApi & { env: { wasm: { numThreads?: number } } };
  try {
    ort = await import('onnxruntime-web');
  } catch (e) {
    return { name: 'ort-web', reason: `onnxruntime-web is not installed (${firstLine(e)})` };
  }
  ort.env.wasm.numThreads = 1;
  return { name: 'ort-web', prepare: (w) => prepare(ort, 'wasm', w) };
}

async function prepare(ort: OrtApi, provider: 'cpu' | 'wasm', w: Workload): Promise<PreparedRun> {
  const { bytes, output } = onnxModel(w);
  // Both packages register with the one onnxruntime-common, so the execution provider is named.
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [provider],
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

function firstLine(e: unknown): string {
  return String((e as Error).message ?? e).split('\n')[0];
}
