import type * as Tf from '@tensorflow/tfjs';
import { Tensor } from '../engine/tensor';
import { nhwcDenseKernel, permute, toHwio, toNchw, toNhwc } from './layout';
import type { Peer, PreparedRun, SkippedPeer } from './peer';
import { LAYER_NORM_EPSILON } from './workloads';
import type { Activation, LayerSpec, Workload } from './workloads';

/** The TensorFlow.js backends the bench compares: the pure-JavaScript `cpu` one and WebAssembly (`wasm`). */
export type TfjsBackend = 'cpu' | 'wasm';

/** One TensorFlow.js instance for both peers: each switches to its backend before it uploads or runs anything. */
let shared: Promise<typeof Tf> | undefined;
const loadTf = (): Promise<typeof Tf> => (shared ??= import('@tensorflow/tfjs'));

/**
 * TensorFlow.js on one backend: `cpu` (pure JavaScript; peer `tfjs`) or `wasm` (@tensorflow/tfjs-backend-wasm on one
 * thread, SIMD when the runtime has it; peer `tfjs-wasm`). The same layers with the same weights, in NHWC (its
 * native image layout; weights and the input are transposed once while preparing). Dense and conv layers use
 * `tf.fused` ops with bias and ReLU, which is what `tf.layers` itself runs. Both peers share one TensorFlow.js
 * instance; a tensor lives in the backend it was made in, so every run first makes its own backend current.
 */
export async function loadTfjsPeer(backend: TfjsBackend = 'cpu'): Promise<Peer | SkippedPeer> {
  const name = backend === 'cpu' ? 'tfjs' : 'tfjs-wasm';
  let tf: typeof Tf;
  try {
    tf = await loadTf();
  } catch (e) {
    return { name, reason: `@tensorflow/tfjs is not installed (${firstLine(e)})` };
  }
  if (backend === 'wasm') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // The thread count is read when the backend is first initialised.
      wasm.setThreadsCount(1);
    } catch (e) {
      return { name, reason: `@tensorflow/tfjs-backend-wasm is not installed (${firstLine(e)})` };
    }
  }
  try {
    await quietly(async () => {
      await tf.setBackend(backend);
      await tf.ready();
      tf.tensor([0]).dispose(); // the backend gives its advice on its first tensor
    });
  } catch (e) {
    return { name, reason: `could not start the ${backend} backend (${firstLine(e)})` };
  }
  if (tf.getBackend() !== backend) return { name, reason: `could not select the ${backend} backend (got '${tf.getBackend()}')` };
  const use = async (): Promise<void> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
  };
  return { name, prepare: async (w) => { await use(); return prepare(tf, w, use); } };
}

function prepare(tf: typeof Tf, w: Workload, use: () => Promise<void>): PreparedRun {
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
  type Step = (h: Tf.Tensor) => Tf.Tensor;
  /** Rank-3 inputs [1, S, D] (the transformers) run as [S, D] matrices; the output is reshaped back. */
  const sequence = w.inputShape.length === 3;
  const fused = (a: Activation): 'relu' | 'linear' => (a === 'relu' ? 'relu' : 'linear');
  const gelu = (h: Tf.Tensor): Tf.Tensor => tf.mul(tf.mul(h, 0.5), tf.add(tf.erf(tf.div(h, Math.SQRT2)), 1));
  const denseStep = (kernelT: Tensor<'float32'>, biasT: Tensor<'float32'>, activation: Activation): Step => {
    const b = upload(kernelT) as Tf.Tensor2D;
    const bias = upload(biasT);
    return (h) => {
      const y = tf.fused.matMul({ a: h as Tf.Tensor2D, b, bias, activation: fused(activation) });
      return activation === 'gelu' ? gelu(y) : y;
    };
  };
  const build = (layers: readonly LayerSpec[]): Step[] => {
    const steps: Step[] = [];
    for (const l of layers) {
      switch (l.kind) {
        case 'dense': {
          let kernel = l.kernel;
          if (flattened) {
            kernel = nhwcDenseKernel(kernel, flattened);
            flattened = undefined;
          }
          steps.push(denseStep(kernel, l.bias, l.activation));
          break;
        }
        case 'conv': {
          const bias = upload(l.bias);
          const activation = fused(l.activation);
          const pad = l.pad;
          const explicit: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
          const strides = l.stride;
          if (l.group === 1) {
            const filter = upload(toHwio(l.kernel)) as Tf.Tensor4D;
            steps.push((h) => tf.fused.conv2d({ x: h as Tf.Tensor4D, filter, strides, pad: explicit, bias, activation }));
          } else {
            // Depthwise: kernel [C, 1, kH, kW] → [kH, kW, C, 1]; a number pads every side by that much.
            const filter = upload(permute(l.kernel, [2, 3, 0, 1])) as Tf.Tensor4D;
            steps.push((h) => tf.fused.depthwiseConv2d({ x: h as Tf.Tensor4D, filter, strides, pad, bias, activation }));
          }
          const out = (n: number, k: number): number => Math.floor((n + 2 * pad - k) / strides) + 1;
          hwc = [out(hwc[0], l.kernel.shape[2]), out(hwc[1], l.kernel.shape[3]), l.kernel.shape[0]];
          break;
        }
        case 'maxPool': {
          const s = l.size;
          steps.push((h) => tf.maxPool(h as Tf.Tensor4D, s, s, 'valid'));
          hwc = [Math.floor(hwc[0] / s), Math.floor(hwc[1] / s), hwc[2]];
          break;
        }
        case 'globalAvgPool':
          steps.push((h) => tf.mean(h, [1, 2], true));
          hwc = [1, 1, hwc[2]];
          break;
        case 'flatten':
          flattened = hwc;
          steps.push((h) => tf.reshape(h, [h.shape[0], -1]));
          break;
        case 'matmul': {
          const b = upload(l.b) as Tf.Tensor2D;
          steps.push((h) => tf.matMul(h as Tf.Tensor2D, b));
          break;
        }
        case 'layerNorm': {
          const scale = upload(l.scale);
          const bias = upload(l.bias);
          steps.push((h) => {
            const { mean, variance } = tf.moments(h, -1, true);
            return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON))), scale), bias);
          });
          break;
        }
        case 'attention': {
          const d = l.wq.shape[0];
          const heads = l.heads;
          const dh = d / heads;
          const q = denseStep(l.wq, l.bq, 'linear');
          const k = denseStep(l.wk, l.bk, 'linear');
          const v = denseStep(l.wv, l.bv, 'linear');
          const o = denseStep(l.wo, l.bo, 'linear');
          const mask = l.mask ? upload(l.mask) : undefined;
          const scale = 1 / Math.sqrt(dh);
          // [S, D] → [heads, S, dh]
          const split = (h: Tf.Tensor): Tf.Tensor3D => tf.transpose(tf.reshape(h, [h.shape[0], heads, dh]), [1, 0, 2]);
          steps.push((h) => {
            const scores = tf.mul(tf.matMul(split(q(h)), split(k(h)), false, true), scale);
            const p = tf.softmax(mask ? tf.add(scores, mask) : scores);
            const context = tf.matMul(p as Tf.Tensor3D, split(v(h)));
            return o(tf.reshape(tf.transpose(context, [1, 0, 2]), [h.shape[0], d]));
          });
          break;
        }
        case 'residual': {
          const body = build(l.body);
          steps.push((h) => tf.add(body.reduce((y, step) => step(y), h), h));
          break;
        }
        case 'block': {
          const body = build(l.body);
          steps.push((h) => body.reduce((y, step) => step(y), h));
          break;
        }
      }
    }
    return steps;
  };
  const steps = build(w.layers);
  const start = sequence ? x.reshape(w.inputShape.slice(1)) : x;
  if (sequence) keep.push(start);
  const forward = (): Tf.Tensor => tf.tidy(() => steps.reduce((h, step) => step(h), start));
  const runOnce = async (): Promise<Tf.Tensor> => {
    await use();
    const y = forward();
    y.dataSync();
    return y;
  };
  return {
    run: async () => (await runOnce()).dispose(),
    result: async () => {
      const y = await runOnce();
      const data = Float32Array.from(y.dataSync());
      const shape = [...y.shape];
      y.dispose();
      return shape.length === 4 ? toNchw(new Tensor('float32', shape, data)).data : data;
    },
    // A tensor is freed by the backend that holds it, whichever is current.
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
