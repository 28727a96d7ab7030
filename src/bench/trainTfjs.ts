import type * as Tf from '@tensorflow/tfjs';
import type { LossName } from '../engine/grad/losses';
import { ADAM, MOMENTUM } from '../engine/grad/optimizers';
import type { Tensor } from '../engine/tensor';
import { nhwcDenseKernel, permute, toHwio, toNhwc } from './layout';
import type { SkippedPeer } from './peer';
import type { PreparedTraining, TrainPeer, TrainWorkload } from './train';
import { loadTfjsPeer } from './tfjsPeer';
import type { TfjsBackend } from './tfjsPeer';
import type { Activation, LayerSpec } from './workloads';

/**
 * TensorFlow.js training a workload on one backend (`cpu`, peer `tfjs`, or `wasm` on one thread, peer `tfjs-wasm`):
 * the layers as in tfjsPeer.ts (NHWC, `tf.fused` dense and conv ops with bias and ReLU, what `tf.layers` runs) with
 * every weight a `tf.variable`, and one `optimizer.minimize` per step, as a custom training loop does. The backend is
 * loaded and selected by {@link loadTfjsPeer}, so a backend that the forward bench skips is skipped here too.
 */
export async function loadTfjsTrainPeer(backend: TfjsBackend = 'cpu'): Promise<TrainPeer | SkippedPeer> {
  const forward = await loadTfjsPeer(backend);
  if ('reason' in forward) return forward;
  // The instance loadTfjsPeer set up (a module is loaded once).
  const tf = await import('@tensorflow/tfjs');
  const use = async (): Promise<void> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
  };
  return { name: forward.name, prepare: async (w) => { await use(); return prepare(tf, w, use); } };
}

function prepare(tf: typeof Tf, tw: TrainWorkload, use: () => Promise<void>): PreparedTraining {
  const w = tw.workload;
  const keep: Tf.Tensor[] = [];
  const variables: Tf.Variable[] = [];
  const constant = (t: Tensor<'float32'>): Tf.Tensor => {
    const c = tf.tensor(t.data, [...t.shape], 'float32');
    keep.push(c);
    return c;
  };
  // Unnamed: TensorFlow.js gives each a unique name (both backends' peers train the same layers).
  const variable = (t: Tensor<'float32'>): Tf.Variable => {
    const init = tf.tensor(t.data, [...t.shape], 'float32');
    const v = tf.variable(init);
    init.dispose();
    variables.push(v);
    return v;
  };
  const image = w.inputShape.length === 4;
  if (w.inputShape.length !== 2 && !image) throw new Error(`bench: cannot train '${tw.id}' with TensorFlow.js: inputs of rank ${w.inputShape.length}`);
  const x = constant(image ? toNhwc(w.input) : w.input);
  const target = constant(tw.target);
  let hwc: [number, number, number] = image ? [w.inputShape[2], w.inputShape[3], w.inputShape[1]] : [0, 0, 0];
  let flattened: [number, number, number] | undefined;
  const fused = (a: Activation): 'relu' | 'linear' => {
    if (a === 'gelu') throw new Error(`bench: cannot train '${tw.id}' with TensorFlow.js: gelu`);
    return a;
  };
  type Step = (h: Tf.Tensor) => Tf.Tensor;
  function layerStep(l: LayerSpec): Step {
    switch (l.kind) {
      case 'dense': {
        let kernel = l.kernel;
        if (flattened) {
          kernel = nhwcDenseKernel(kernel, flattened);
          flattened = undefined;
        }
        const b = variable(kernel) as Tf.Variable<Tf.Rank.R2>;
        const bias = variable(l.bias);
        const activation = fused(l.activation);
        return (h) => tf.fused.matMul({ a: h as Tf.Tensor2D, b, bias, activation });
      }
      case 'conv': {
        const bias = variable(l.bias);
        const activation = fused(l.activation);
        const pad = l.pad;
        const strides = l.stride;
        const out = (n: number, k: number): number => Math.floor((n + 2 * pad - k) / strides) + 1;
        hwc = [out(hwc[0], l.kernel.shape[2]), out(hwc[1], l.kernel.shape[3]), l.kernel.shape[0]];
        if (l.group === 1) {
          const filter = variable(toHwio(l.kernel)) as Tf.Variable<Tf.Rank.R4>;
          const explicit: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
          return (h) => tf.fused.conv2d({ x: h as Tf.Tensor4D, filter, strides, pad: explicit, bias, activation });
        }
        // Depthwise: kernel [C, 1, kH, kW] → [kH, kW, C, 1].
        const filter = variable(permute(l.kernel, [2, 3, 0, 1])) as Tf.Variable<Tf.Rank.R4>;
        return (h) => tf.fused.depthwiseConv2d({ x: h as Tf.Tensor4D, filter, strides, pad, bias, activation });
      }
      case 'maxPool': {
        const s = l.size;
        hwc = [Math.floor(hwc[0] / s), Math.floor(hwc[1] / s), hwc[2]];
        return (h) => tf.maxPool(h as Tf.Tensor4D, s, s, 'valid');
      }
      case 'globalAvgPool':
        hwc = [1, 1, hwc[2]];
        return (h) => tf.mean(h, [1, 2], true);
      case 'flatten':
        flattened = hwc;
        return (h) => tf.reshape(h, [h.shape[0], -1]);
      default:
        throw new Error(`bench: cannot train '${tw.id}' with TensorFlow.js: '${l.kind}' layers`);
    }
  }

  const steps = w.layers.map(layerStep);
  const loss = lossFn(tf, tw.loss);
  const optimizer = tw.optimizer === 'sgd' ? tf.train.sgd(tw.learningRate)
    : tw.optimizer === 'momentum' ? tf.train.momentum(tw.learningRate, MOMENTUM)
      : tf.train.adam(tw.learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  return {
    step: async () => {
      await use();
      const cost = optimizer.minimize(() => loss(steps.reduce((h, s) => s(h), x), target), true, variables)!;
      const value = cost.dataSync()[0];
      cost.dispose();
      return value;
    },
    // A tensor is freed by the backend that holds it, whichever is current.
    dispose: () => {
      optimizer.dispose();
      for (const t of [...keep, ...variables]) t.dispose();
    },
  };
}

/** The losses the training workloads use, as TensorFlow.js computes them (see src/engine/grad/losses.ts). */
function lossFn(tf: typeof Tf, name: LossName): (y: Tf.Tensor, t: Tf.Tensor) => Tf.Scalar {
  switch (name) {
    case 'mse': return (y, t) => tf.mean(tf.square(tf.sub(y, t)));
    case 'cce-logits': return (y, t) => tf.losses.softmaxCrossEntropy(t, y) as Tf.Scalar;
    case 'bce-logits': return (y, t) => tf.losses.sigmoidCrossEntropy(t, y) as Tf.Scalar;
    default: throw new Error(`bench: no TensorFlow.js loss for '${name}'`);
  }
}
