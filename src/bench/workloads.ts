import type { Attrs } from '../engine/registry';
import { Tensor } from '../engine/tensor';
import type { Shape } from '../engine/tensor';
import type { Model, ModuleDef, NodeDef } from '../model/ir';
import { mulberry32 } from '../loaders/tensors/random';

/**
 * The benchmark's workloads, described once as a list of layers with their weights, so that the engine
 * model (engineModel.ts), the TensorFlow.js forward pass (tfjsPeer.ts) and the ONNX graph (onnxModel.ts) are all
 * built from the same description, the same weights and the same input. Images are NCHW here, as in the engine.
 */
export type LayerSpec =
  /** y = x·kernel + bias, then ReLU when `relu`. kernel [in, out]. */
  | { readonly kind: 'dense'; readonly name: string; readonly kernel: Tensor<'float32'>; readonly bias: Tensor<'float32'>; readonly relu: boolean }
  /** 3×3-style convolution with symmetric zero padding `pad`, stride 1, then ReLU when `relu`. kernel [out, in, kH, kW]. */
  | { readonly kind: 'conv'; readonly name: string; readonly kernel: Tensor<'float32'>; readonly bias: Tensor<'float32'>; readonly pad: number; readonly relu: boolean }
  /** Max pooling with a square window `size` and stride `size`. */
  | { readonly kind: 'maxPool'; readonly name: string; readonly size: number }
  /** [N, C, H, W] → [N, C·H·W], row-major. */
  | { readonly kind: 'flatten'; readonly name: string }
  /** y = x·b for a constant matrix b (no bias). */
  | { readonly kind: 'matmul'; readonly name: string; readonly b: Tensor<'float32'> };

export interface Workload {
  /** Short label for the table, e.g. `mlp b32`. */
  readonly name: string;
  /** What it is, in words. */
  readonly description: string;
  readonly inputShape: readonly number[];
  readonly input: Tensor<'float32'>;
  readonly layers: readonly LayerSpec[];
}

/** A float32 tensor uniform in [-limit, limit), reproducible from the generator. */
function uniform(shape: readonly number[], limit: number, rand: () => number): Tensor<'float32'> {
  const t = Tensor.zeros(shape, 'float32');
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * rand() - 1) * limit;
  return t;
}

/** Glorot-uniform scaling keeps activations near unit size through the layers, so tolerances mean the same everywhere. */
const glorot = (fanIn: number, fanOut: number): number => Math.sqrt(6 / (fanIn + fanOut));

function dense(name: string, n: number, m: number, relu: boolean, rand: () => number): LayerSpec {
  return { kind: 'dense', name, kernel: uniform([n, m], glorot(n, m), rand), bias: uniform([m], 0.1, rand), relu };
}

function conv(name: string, cin: number, cout: number, relu: boolean, rand: () => number): LayerSpec {
  return { kind: 'conv', name, kernel: uniform([cout, cin, 3, 3], glorot(cin * 9, cout * 9), rand), bias: uniform([cout], 0.1, rand), pad: 1, relu };
}

function mlp(batch: number): Workload {
  const rand = mulberry32(1000 + batch);
  return {
    name: `mlp b${batch}`,
    description: `MLP 784-512-512-10 (dense+relu ×2, dense), batch ${batch}`,
    inputShape: [batch, 784],
    input: uniform([batch, 784], 1, rand),
    layers: [dense('dense1', 784, 512, true, rand), dense('dense2', 512, 512, true, rand), dense('dense3', 512, 10, false, rand)],
  };
}

function cnn(batch: number): Workload {
  const rand = mulberry32(2000 + batch);
  return {
    name: `cnn b${batch}`,
    description: `CNN on 1×28×28: conv3×3 1→16 relu, maxpool 2, conv3×3 16→32 relu, maxpool 2, flatten, dense 10; batch ${batch}`,
    inputShape: [batch, 1, 28, 28],
    input: uniform([batch, 1, 28, 28], 1, rand),
    layers: [
      conv('conv1', 1, 16, true, rand), { kind: 'maxPool', name: 'pool1', size: 2 },
      conv('conv2', 16, 32, true, rand), { kind: 'maxPool', name: 'pool2', size: 2 },
      { kind: 'flatten', name: 'flatten' }, dense('dense', 32 * 7 * 7, 10, false, rand),
    ],
  };
}

function bigConv(): Workload {
  const rand = mulberry32(3000);
  return {
    name: 'conv 64→64 56²',
    description: 'one 3×3 convolution 64→64 channels at 56×56 (same padding, bias), batch 1',
    inputShape: [1, 64, 56, 56],
    input: uniform([1, 64, 56, 56], 1, rand),
    layers: [conv('conv', 64, 64, false, rand)],
  };
}

function matmul512(): Workload {
  const rand = mulberry32(4000);
  return {
    name: 'matmul 512²',
    description: '512×512 by 512×512 matrix product',
    inputShape: [512, 512],
    input: uniform([512, 512], 1, rand),
    layers: [{ kind: 'matmul', name: 'matmul', b: uniform([512, 512], 1 / Math.sqrt(512), rand) }],
  };
}

/** Every workload of `layerstep bench`, in table order. Built fresh (weights are seeded, so always the same). */
export function benchWorkloads(): Workload[] {
  return [mlp(1), mlp(32), cnn(1), cnn(32), bigConv(), matmul512()];
}

/**
 * The engine's IR model of a workload: the model calls one module per layer, each layer calls its ops
 * (`dense` = matmul, add, relu; `conv` = conv, relu), so the runner has the same frames a loaded model has.
 */
export function engineModel(w: Workload): Model {
  const weights = new Map<string, Tensor>();
  const body: ModuleDef[] = [];
  let x = 'x';
  for (const layer of w.layers) {
    const nodes: NodeDef[] = [];
    const input = x;
    const node = (op: string, inputs: string[], attrs: Attrs = {}): void => {
      const out = `${layer.name}/${op}:0`;
      nodes.push({ kind: 'node', id: `${layer.name}/${op}`, name: op, op, inputs, outputs: [out], attrs });
      x = out;
    };
    const roles: Record<string, string> = {};
    const weight = (role: string, t: Tensor): string => {
      const name = `${layer.name}.${role}`;
      weights.set(name, t);
      roles[role] = name;
      return name;
    };
    switch (layer.kind) {
      case 'dense':
        node('matmul', [x, weight('kernel', layer.kernel)]);
        node('add', [x, weight('bias', layer.bias)]);
        if (layer.relu) node('relu', [x]);
        break;
      case 'conv': {
        const [kh, kw] = layer.kernel.shape.slice(2);
        const p = layer.pad;
        node('conv', [x, weight('kernel', layer.kernel), weight('bias', layer.bias)],
          { kernelShape: [kh, kw], pads: [p, p, p, p], strides: [1, 1], dilations: [1, 1], group: 1 });
        if (layer.relu) node('relu', [x]);
        break;
      }
      case 'maxPool':
        node('maxPool', [x], { kernelShape: [layer.size, layer.size], strides: [layer.size, layer.size], pads: [0, 0, 0, 0] });
        break;
      case 'flatten':
        node('flatten', [x], { axis: 1 });
        break;
      case 'matmul':
        node('matmul', [x, weight('b', layer.b)]);
        break;
    }
    body.push({ kind: 'module', id: layer.name, name: layer.name, type: layer.kind, inputs: [input], outputs: [x], weights: roles, attrs: {}, body: nodes });
  }
  const root: ModuleDef = { kind: 'module', id: 'model', name: w.name, type: 'model', inputs: ['x'], outputs: [x], weights: {}, attrs: {}, body };
  return {
    format: 'bench', name: w.name, file: `bench:${w.name}`,
    inputs: [{ name: 'x', dtype: 'float32', shape: [...w.inputShape] }],
    outputs: [{ name: x, dtype: 'float32', shape: outputShape(w) }],
    weights, root, examples: [],
  };
}

/** The output shape of a workload, worked out from its layers (for the model's declared output). */
export function outputShape(w: Workload): number[] {
  let s: Shape = w.inputShape;
  for (const l of w.layers) {
    switch (l.kind) {
      case 'dense': s = [s[0], l.kernel.shape[1]]; break;
      case 'matmul': s = [s[0], l.b.shape[1]]; break;
      case 'conv': s = [s[0], l.kernel.shape[0], s[2] + 2 * l.pad - l.kernel.shape[2] + 1, s[3] + 2 * l.pad - l.kernel.shape[3] + 1]; break;
      case 'maxPool': s = [s[0], s[1], Math.floor(s[2] / l.size), Math.floor(s[3] / l.size)]; break;
      case 'flatten': s = [s[0], s.slice(1).reduce((a, b) => a * b, 1)]; break;
    }
  }
  return [...s];
}
