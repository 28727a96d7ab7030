import type * as Tf from '@tensorflow/tfjs';
import { Tensor } from '../engine/tensor';
import { permute, toHwio, toNchw, toNhwc } from './layout';
import type { Peer, PreparedRun, SkippedPeer } from './peer';
import type { Workload } from './workloads';

/**
 * TensorFlow.js on its pure-JavaScript `cpu` backend: the same layers with the same weights, in NHWC (its
 * native image layout; weights and the input are transposed once while preparing). Dense and conv layers use
 * `tf.fused` ops with bias and ReLU, which is what `tf.layers` itself runs.
 */
export async function loadTfjsPeer(): Promise<Peer | SkippedPeer> {
  let tf: typeof Tf;
  try {
    tf = await import('@tensorflow/tfjs');
  } catch (e) {
    return { name: 'tfjs', reason: `@tensorflow/tfjs is not installed (${firstLine(e)})` };
  }
  await quietly(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    tf.tensor([0]).dispose(); // the backend gives its advice on its first tensor
  });
  if (tf.getBackend() !== 'cpu') return { name: 'tfjs', reason: `could not select the cpu backend (got '${tf.getBackend()}')` };
  return { name: 'tfjs', prepare: async (w) => prepare(tf, w) };
}

function prepare(tf: typeof Tf, w: Workload): PreparedRun {
  const keep: Tf.Tensor[] = [];
  const upload = (t: Tensor<'float32'>): Tf.Tensor => {
    const x = tf.tensor(t.data, [...t.shape], 'float32');
    keep.push(x);
    return x;
  };
  const image = w.inputShape.length === 4;
  const x = upload(image ? toNhwc(w.input) : w.input);
  /** The NHWC feature map shape [H, W, C] at a flatten, so the next dense kernel's rows can be reordered. */
  let flattened: [number, number, number] | undefined;
  let hwc: [number, number, number] = image ? [w.inputShape[2], w.inputShape[3], w.inputShape[1]] : [0, 0, 0];
  const steps: ((h: Tf.Tensor) => Tf.Tensor)[] = [];
  for (const l of w.layers) {
    switch (l.kind) {
      case 'dense': {
        let kernel = l.kernel;
        if (flattened) {
          // Rows are in the engine's (c, h, w) flatten order; NHWC flattens as (h, w, c).
          const [hh, ww, cc] = flattened;
          kernel = permute(kernel.reshape([cc, hh, ww, kernel.shape[1]]), [1, 2, 0, 3]).reshape(kernel.shape);
          flattened = undefined;
        }
        const b = upload(kernel);
        const bias = upload(l.bias);
        const activation = l.relu ? 'relu' : 'linear';
        steps.push((h) => tf.fused.matMul({ a: h as Tf.Tensor2D, b: b as Tf.Tensor2D, bias, activation }));
        break;
      }
      case 'conv': {
        const filter = upload(toHwio(l.kernel)) as Tf.Tensor4D;
        const bias = upload(l.bias);
        const activation = l.relu ? 'relu' : 'linear';
        const pad = l.pad;
        steps.push((h) => tf.fused.conv2d({ x: h as Tf.Tensor4D, filter, strides: 1, pad: [[0, 0], [pad, pad], [pad, pad], [0, 0]], bias, activation }));
        hwc = [hwc[0] + 2 * pad - l.kernel.shape[2] + 1, hwc[1] + 2 * pad - l.kernel.shape[3] + 1, l.kernel.shape[0]];
        break;
      }
      case 'maxPool': {
        const s = l.size;
        steps.push((h) => tf.maxPool(h as Tf.Tensor4D, s, s, 'valid'));
        hwc = [Math.floor(hwc[0] / s), Math.floor(hwc[1] / s), hwc[2]];
        break;
      }
      case 'flatten':
        flattened = hwc;
        steps.push((h) => tf.reshape(h, [h.shape[0], -1]));
        break;
      case 'matmul': {
        const b = upload(l.b) as Tf.Tensor2D;
        steps.push((h) => tf.matMul(h as Tf.Tensor2D, b));
        break;
      }
    }
  }
  const forward = (): Tf.Tensor => tf.tidy(() => steps.reduce((h, step) => step(h), x));
  const runOnce = (): Tf.Tensor => {
    const y = forward();
    y.dataSync();
    return y;
  };
  return {
    run: () => runOnce().dispose(),
    result: async () => {
      const y = runOnce();
      const data = Float32Array.from(y.dataSync());
      const shape = [...y.shape];
      y.dispose();
      return shape.length === 4 ? toNchw(new Tensor('float32', shape, data)).data : data;
    },
    dispose: () => keep.forEach((t) => t.dispose()),
  };
}

/** Runs `fn` without TensorFlow.js's console advice to install tfjs-node (we measure the JavaScript backend on purpose). */
async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!args.some((a) => typeof a === 'string' && /tfjs-node|TensorFlow\.js in Node/.test(a))) warn(...args);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error).message ?? e).split('\n')[0];
}
