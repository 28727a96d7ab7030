import type { Attrs } from '../engine/registry';
import { Tensor } from '../engine/tensor';
import type { Shape } from '../engine/tensor';
import type { Model, ModuleDef, NodeDef } from '../model/ir';
import { mulberry32 } from '../loaders/tensors/random';

/** What follows a dense or conv layer's bias. `gelu` is the exact form, x·Φ(x) with erf. */
export type Activation = 'linear' | 'relu' | 'gelu';

/**
 * The benchmark's workloads, described once as a list of layers with their weights, so that the engine
 * model ({@link engineModel}), the TensorFlow.js forward pass (tfjsPeer.ts) and the ONNX graph (onnxModel.ts) are all
 * built from the same description, the same weights and the same input. Images are NCHW here, as in the engine.
 */
export type LayerSpec =
  /** y = x·kernel + bias, then the activation. kernel [in, out]; x [..., in]. */
  | { readonly kind: 'dense'; readonly name: string; readonly kernel: Tensor<'float32'>; readonly bias: Tensor<'float32'>; readonly activation: Activation }
  /**
   * Convolution with symmetric zero padding `pad` and `stride`, then the activation. kernel [out, in/group, kH, kW];
   * `group` is 1 (dense) or the channel count (depthwise, one filter per channel).
   */
  | {
    readonly kind: 'conv'; readonly name: string; readonly kernel: Tensor<'float32'>; readonly bias: Tensor<'float32'>;
    readonly pad: number; readonly stride: number; readonly group: number; readonly activation: Activation;
  }
  /** Max pooling with a square window `size` and stride `size`. */
  | { readonly kind: 'maxPool'; readonly name: string; readonly size: number }
  /** [N, C, H, W] → [N, C, 1, 1], the mean over H and W. */
  | { readonly kind: 'globalAvgPool'; readonly name: string }
  /** [N, C, H, W] → [N, C·H·W], row-major. */
  | { readonly kind: 'flatten'; readonly name: string }
  /** y = x·b for a constant matrix b (no bias). */
  | { readonly kind: 'matmul'; readonly name: string; readonly b: Tensor<'float32'> }
  /** Normalisation over the last axis, then scale and bias (ε = 1e-5). */
  | { readonly kind: 'layerNorm'; readonly name: string; readonly scale: Tensor<'float32'>; readonly bias: Tensor<'float32'> }
  /**
   * Multi-head self-attention on x [1, S, D]: q, k, v = x·W + b, split into `heads` heads of D/heads;
   * softmax(q·kᵀ/√(D/heads) + mask)·v, heads joined, then ·wo + bo. `mask` [S, S] is 0 where a position may
   * attend and −1e9 where not (causal), or absent.
   */
  | {
    readonly kind: 'attention'; readonly name: string; readonly heads: number;
    readonly wq: Tensor<'float32'>; readonly bq: Tensor<'float32'>; readonly wk: Tensor<'float32'>; readonly bk: Tensor<'float32'>;
    readonly wv: Tensor<'float32'>; readonly bv: Tensor<'float32'>; readonly wo: Tensor<'float32'>; readonly bo: Tensor<'float32'>;
    readonly mask?: Tensor<'float32'>;
  }
  /** y = body(x) + x. */
  | { readonly kind: 'residual'; readonly name: string; readonly body: readonly LayerSpec[] }
  /** A group of layers (a transformer block): one frame in the runner. */
  | { readonly kind: 'block'; readonly name: string; readonly body: readonly LayerSpec[] };

export interface Workload {
  /** Short key for `--workload`, e.g. `mlp-b32`. */
  readonly id: string;
  /** Short label for the table, e.g. `mlp b32`. */
  readonly name: string;
  /** What it is, in words. */
  readonly description: string;
  readonly inputShape: readonly number[];
  readonly input: Tensor<'float32'>;
  readonly layers: readonly LayerSpec[];
  /** Also time opening the model from an ONNX file and measure resident memory after a recorded pass. */
  readonly openProbe?: boolean;
  /** Peers left out of this workload, by name, with the reason the table gives. */
  readonly skipPeers?: Readonly<Record<string, string>>;
}

/** A float32 tensor uniform in [-limit, limit), reproducible from the generator. */
function uniform(shape: readonly number[], limit: number, rand: () => number): Tensor<'float32'> {
  const t = Tensor.zeros(shape, 'float32');
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * rand() - 1) * limit;
  return t;
}

/** Glorot-uniform scaling keeps activations near unit size through the layers, so tolerances mean the same everywhere. */
const glorot = (fanIn: number, fanOut: number): number => Math.sqrt(6 / (fanIn + fanOut));

function dense(name: string, n: number, m: number, activation: Activation, rand: () => number): LayerSpec {
  return { kind: 'dense', name, kernel: uniform([n, m], glorot(n, m), rand), bias: uniform([m], 0.1, rand), activation };
}

interface ConvOptions { readonly k?: number; readonly stride?: number; readonly depthwise?: boolean; readonly activation?: Activation }

function conv(name: string, cin: number, cout: number, rand: () => number, o: ConvOptions = {}): LayerSpec {
  const k = o.k ?? 3;
  const group = o.depthwise ? cin : 1;
  const perFilter = (cin / group) * k * k;
  return {
    kind: 'conv', name, kernel: uniform([cout, cin / group, k, k], glorot(perFilter, (cout / group) * k * k), rand),
    bias: uniform([cout], 0.1, rand), pad: (k - 1) >> 1, stride: o.stride ?? 1, group, activation: o.activation ?? 'relu',
  };
}

function mlp(batch: number): Workload {
  const rand = mulberry32(1000 + batch);
  return {
    id: `mlp-b${batch}`,
    name: `mlp b${batch}`,
    description: `MLP 784-512-512-10 (dense+relu ×2, dense), batch ${batch}`,
    inputShape: [batch, 784],
    input: uniform([batch, 784], 1, rand),
    layers: [dense('dense1', 784, 512, 'relu', rand), dense('dense2', 512, 512, 'relu', rand), dense('dense3', 512, 10, 'linear', rand)],
  };
}

function cnn(batch: number): Workload {
  const rand = mulberry32(2000 + batch);
  return {
    id: `cnn-b${batch}`,
    name: `cnn b${batch}`,
    description: `CNN on 1×28×28: conv3×3 1→16 relu, maxpool 2, conv3×3 16→32 relu, maxpool 2, flatten, dense 10; batch ${batch}`,
    inputShape: [batch, 1, 28, 28],
    input: uniform([batch, 1, 28, 28], 1, rand),
    layers: [
      conv('conv1', 1, 16, rand), { kind: 'maxPool', name: 'pool1', size: 2 },
      conv('conv2', 16, 32, rand), { kind: 'maxPool', name: 'pool2', size: 2 },
      { kind: 'flatten', name: 'flatten' }, dense('dense', 32 * 7 * 7, 10, 'linear', rand),
    ],
  };
}

/** MobileNet v1's depthwise-separable blocks: output channels and the depthwise stride. */
const MOBILENET_BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

/**
 * A MobileNet-v1-style stack (batch norm folded into the conv biases, ReLU): conv 3×3 stride 2 to 32 channels,
 * 13 depthwise-separable blocks (depthwise 3×3, stride 1 or 2, then pointwise 1×1), global average pool, dense.
 * `width` scales the channels and `size` the image, for smaller versions in tests.
 */
export function mobilenet(size = 224, width = 1, classes = 1000): Workload {
  const rand = mulberry32(5000 + size);
  const ch = (c: number): number => Math.max(1, Math.round(c * width));
  const layers: LayerSpec[] = [conv('conv0', 3, ch(32), rand, { stride: 2 })];
  let c = ch(32);
  MOBILENET_BLOCKS.forEach(([out, stride], i) => {
    layers.push({
      kind: 'block', name: `block${i + 1}`,
      body: [conv(`block${i + 1}.dw`, c, c, rand, { stride, depthwise: true }), conv(`block${i + 1}.pw`, c, ch(out), rand, { k: 1 })],
    });
    c = ch(out);
  });
  layers.push({ kind: 'globalAvgPool', name: 'pool' }, { kind: 'flatten', name: 'flatten' }, dense('classifier', c, classes, 'linear', rand));
  const full = size === 224 && width === 1;
  return {
    id: full ? 'mobilenet' : `mobilenet-${size}-${width}`,
    name: `mobilenet ${size}²${width === 1 ? '' : ` ×${width}`}`,
    description: `MobileNet-v1-style stack on 3×${size}×${size}: 13 depthwise-separable blocks (stride-2 depthwise convs), width ${width}, batch 1`,
    inputShape: [1, 3, size, size],
    input: uniform([1, 3, size, size], 1, rand),
    layers,
  };
}

function bigConv(): Workload {
  const rand = mulberry32(3000);
  return {
    id: 'conv',
    name: 'conv 64→64 56²',
    description: 'one 3×3 convolution 64→64 channels at 56×56 (same padding, bias), batch 1',
    inputShape: [1, 64, 56, 56],
    input: uniform([1, 64, 56, 56], 1, rand),
    layers: [conv('conv', 64, 64, rand, { activation: 'linear' })],
  };
}

export function matmulWorkload(n: number): Workload {
  const rand = mulberry32(4000 + (n === 512 ? 0 : n));
  return {
    id: `matmul${n}`,
    name: `matmul ${n}²`,
    description: `${n}×${n} by ${n}×${n} matrix product`,
    inputShape: [n, n],
    input: uniform([n, n], 1, rand),
    layers: [{ kind: 'matmul', name: 'matmul', b: uniform([n, n], 1 / Math.sqrt(n), rand) }],
  };
}

/** The sizes of a GPT-2-style decoder. */
export interface TransformerSize {
  readonly d: number;
  readonly heads: number;
  readonly seq: number;
  readonly blocks: number;
}

/** GPT-2 small: d 768, 12 heads, 12 blocks; the bench runs it at sequence length 128. */
export const GPT2_SMALL: TransformerSize = { d: 768, heads: 12, seq: 128, blocks: 12 };

function causalMask(seq: number): Tensor<'float32'> {
  const m = Tensor.zeros([seq, seq], 'float32');
  for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) m.data[i * seq + j] = -1e9;
  return m;
}

function layerNorm(name: string, d: number, rand: () => number): LayerSpec {
  const scale = uniform([d], 0.1, rand);
  for (let i = 0; i < d; i++) scale.data[i] += 1;
  return { kind: 'layerNorm', name, scale, bias: uniform([d], 0.1, rand) };
}

/**
 * One GPT-2 block (pre-norm): x + attention(LN(x)) with a causal mask, then h + MLP(LN(h)) with a 4·d hidden
 * layer and GELU.
 */
function gpt2Block(name: string, s: TransformerSize, mask: Tensor<'float32'>, rand: () => number): LayerSpec {
  const { d } = s;
  const w = (): Tensor<'float32'> => uniform([d, d], glorot(d, d), rand);
  const b = (): Tensor<'float32'> => uniform([d], 0.02, rand);
  return {
    kind: 'block', name, body: [
      { kind: 'residual', name: `${name}.attn`, body: [
        layerNorm(`${name}.ln1`, d, rand),
        { kind: 'attention', name: `${name}.attention`, heads: s.heads, wq: w(), bq: b(), wk: w(), bk: b(), wv: w(), bv: b(), wo: w(), bo: b(), mask },
      ] },
      { kind: 'residual', name: `${name}.mlp`, body: [
        layerNorm(`${name}.ln2`, d, rand), dense(`${name}.fc`, d, 4 * d, 'gelu', rand), dense(`${name}.proj`, 4 * d, d, 'linear', rand),
      ] },
    ],
  };
}

/**
 * A GPT-2-style decoder stack on seeded embeddings x [1, seq, d]: `blocks` blocks, then the final layer norm.
 * With one block it is the "transformer block" workload; with GPT-2 small's sizes, the decoder stack.
 */
export function transformer(s: TransformerSize): Workload {
  const rand = mulberry32(6000 + s.d + s.blocks);
  const mask = causalMask(s.seq);
  const layers: LayerSpec[] = [];
  for (let i = 0; i < s.blocks; i++) layers.push(gpt2Block(`block${i}`, s, mask, rand));
  if (s.blocks > 1) layers.push(layerNorm('ln_f', s.d, rand));
  const gpt2 = s.d === GPT2_SMALL.d && s.heads === GPT2_SMALL.heads && s.seq === GPT2_SMALL.seq;
  const id = gpt2 && s.blocks === 1 ? 'transformer' : gpt2 && s.blocks === GPT2_SMALL.blocks ? 'gpt2' : `transformer-${s.d}-${s.heads}-${s.seq}-${s.blocks}`;
  return {
    id,
    name: s.blocks === 1 ? `transformer s${s.seq}` : `gpt2 ${s.blocks}×${s.d} s${s.seq}`,
    description: s.blocks === 1
      ? `one GPT-2 block (d ${s.d}, ${s.heads} heads, causal attention, MLP ${4 * s.d} with GELU), seq ${s.seq}`
      : `GPT-2-style decoder stack: ${s.blocks} blocks, d ${s.d}, ${s.heads} heads, seq ${s.seq}, seeded weights`,
    inputShape: [1, s.seq, s.d],
    input: uniform([1, s.seq, s.d], 1, rand),
    layers,
    openProbe: s.blocks > 1 && gpt2,
    // TensorFlow.js's CPU backend needs minutes per pass of the full stack (about 4.5 measured).
    skipPeers: s.blocks > 1 ? { tfjs: 'minutes per pass' } : undefined,
  };
}

/** Builders of every workload of `layerstep bench`, by id, in table order. */
const BUILDERS: readonly (readonly [string, () => Workload])[] = [
  ['mlp-b1', () => mlp(1)],
  ['mlp-b32', () => mlp(32)],
  ['cnn-b1', () => cnn(1)],
  ['cnn-b32', () => cnn(32)],
  ['mobilenet', () => mobilenet()],
  ['conv', bigConv],
  ['matmul512', () => matmulWorkload(512)],
  ['matmul1024', () => matmulWorkload(1024)],
  ['transformer', () => transformer({ ...GPT2_SMALL, blocks: 1 })],
  ['gpt2', () => transformer(GPT2_SMALL)],
];

/** The ids `--workload` accepts, in table order. */
export const WORKLOAD_IDS: readonly string[] = BUILDERS.map(([id]) => id);

/**
 * The workloads with these ids (all by default), in table order, each built only when reached, so a large one's
 * weights are not held while the others run. Weights are seeded: always the same.
 */
export function* buildWorkloads(ids: readonly string[] = WORKLOAD_IDS): Generator<Workload> {
  for (const [id, build] of BUILDERS) if (ids.includes(id)) yield build();
}

/** Every workload, built at once (tests; the bench itself builds them one at a time with {@link buildWorkloads}). */
export function benchWorkloads(): Workload[] {
  return [...buildWorkloads()];
}

/**
 * The engine's IR model of a workload: the model calls one module per layer (blocks and residuals hold theirs),
 * each layer calls its ops (`dense` = matmul, add, activation; `conv` = conv, activation), so the runner has the
 * same frames a loaded model has.
 */
export function engineModel(w: Workload): Model {
  const weights = new Map<string, Tensor>();
  const layerModule = (layer: LayerSpec, input: string): ModuleDef => {
    const body: (NodeDef | ModuleDef)[] = [];
    let x = input;
    const node = (op: string, inputs: string[], attrs: Attrs = {}, tag = op): string => {
      const out = `${layer.name}/${tag}:0`;
      body.push({ kind: 'node', id: `${layer.name}/${tag}`, name: tag, op, inputs, outputs: [out], attrs });
      x = out;
      return out;
    };
    const roles: Record<string, string> = {};
    const weight = (role: string, t: Tensor): string => {
      const name = `${layer.name}.${role}`;
      weights.set(name, t);
      roles[role] = name;
      return name;
    };
    const activation = (a: Activation): void => {
      if (a !== 'linear') node(a, [x]);
    };
    switch (layer.kind) {
      case 'dense':
        node('matmul', [x, weight('kernel', layer.kernel)]);
        node('add', [x, weight('bias', layer.bias)]);
        activation(layer.activation);
        break;
      case 'conv': {
        const [kh, kw] = layer.kernel.shape.slice(2);
        const p = layer.pad;
        const s = layer.stride;
        node('conv', [x, weight('kernel', layer.kernel), weight('bias', layer.bias)],
          { kernelShape: [kh, kw], pads: [p, p, p, p], strides: [s, s], dilations: [1, 1], group: layer.group });
        activation(layer.activation);
        break;
      }
      case 'maxPool':
        node('maxPool', [x], { kernelShape: [layer.size, layer.size], strides: [layer.size, layer.size], pads: [0, 0, 0, 0] });
        break;
      case 'globalAvgPool':
        node('globalAveragePool', [x]);
        break;
      case 'flatten':
        node('flatten', [x], { axis: 1 });
        break;
      case 'matmul':
        node('matmul', [x, weight('b', layer.b)]);
        break;
      case 'layerNorm':
        node('layerNormalization', [x, weight('scale', layer.scale), weight('bias', layer.bias)], { axis: -1, epsilon: LAYER_NORM_EPSILON });
        break;
      case 'attention': {
        const d = layer.wq.shape[0];
        const dh = d / layer.heads;
        const heads = (role: 'q' | 'k' | 'v', w: Tensor, b: Tensor, perm: number[]): string => {
          node('matmul', [input, weight(`w${role}`, w)], {}, `${role}.matmul`);
          node('add', [x, weight(`b${role}`, b)], {}, `${role}.add`);
          node('reshape', [x], { shape: [0, 0, layer.heads, dh] }, `${role}.reshape`);
          return node('transpose', [x], { perm }, `${role}.transpose`);
        };
        const q = heads('q', layer.wq, layer.bq, [0, 2, 1, 3]);
        const k = heads('k', layer.wk, layer.bk, [0, 2, 3, 1]);
        const v = heads('v', layer.wv, layer.bv, [0, 2, 1, 3]);
        node('matmul', [q, k], {}, 'scores');
        node('mul', [x, weight('scale', Tensor.from([1], [1 / Math.sqrt(dh)]))], {}, 'scale');
        if (layer.mask) node('add', [x, weight('mask', layer.mask)], {}, 'mask');
        node('softmax', [x], { axis: -1 });
        node('matmul', [x, v], {}, 'context');
        node('transpose', [x], { perm: [0, 2, 1, 3] }, 'merge.transpose');
        node('reshape', [x], { shape: [0, 0, d] }, 'merge.reshape');
        node('matmul', [x, weight('wo', layer.wo)], {}, 'out.matmul');
        node('add', [x, weight('bo', layer.bo)], {}, 'out.add');
        break;
      }
      case 'residual':
      case 'block':
        for (const child of layer.body) {
          const m = layerModule(child, x);
          body.push(m);
          x = m.outputs[0];
        }
        if (layer.kind === 'residual') node('add', [x, input], {}, 'residual');
        break;
    }
    return { kind: 'module', id: layer.name, name: layer.name, type: layer.kind, inputs: [input], outputs: [x], weights: roles, attrs: {}, body };
  };
  const body: ModuleDef[] = [];
  let x = 'x';
  for (const layer of w.layers) {
    const m = layerModule(layer, x);
    body.push(m);
    x = m.outputs[0];
  }
  const root: ModuleDef = { kind: 'module', id: 'model', name: w.name, type: 'model', inputs: ['x'], outputs: [x], weights: {}, attrs: {}, body };
  return {
    format: 'bench', name: w.name, file: `bench:${w.name}`,
    inputs: [{ name: 'x', dtype: 'float32', shape: [...w.inputShape] }],
    outputs: [{ name: x, dtype: 'float32', shape: outputShape(w) }],
    weights, root, examples: [],
  };
}

/** ε of every layer norm. */
export const LAYER_NORM_EPSILON = 1e-5;

/** The output shape after a list of layers, worked out from their specs (for the model's declared output). */
function shapeAfter(layers: readonly LayerSpec[], input: Shape): number[] {
  let s: Shape = input;
  for (const l of layers) {
    switch (l.kind) {
      case 'dense': s = [...s.slice(0, -1), l.kernel.shape[1]]; break;
      case 'matmul': s = [s[0], l.b.shape[1]]; break;
      case 'conv': {
        const out = (n: number, k: number): number => Math.floor((n + 2 * l.pad - k) / l.stride) + 1;
        s = [s[0], l.kernel.shape[0], out(s[2], l.kernel.shape[2]), out(s[3], l.kernel.shape[3])];
        break;
      }
      case 'maxPool': s = [s[0], s[1], Math.floor(s[2] / l.size), Math.floor(s[3] / l.size)]; break;
      case 'globalAvgPool': s = [s[0], s[1], 1, 1]; break;
      case 'flatten': s = [s[0], s.slice(1).reduce((a, b) => a * b, 1)]; break;
      case 'layerNorm': case 'attention': case 'residual': break;
      case 'block': s = shapeAfter(l.body, s); break;
    }
  }
  return [...s];
}

/** The output shape of a workload, worked out from its layers (for the model's declared output). */
export function outputShape(w: Workload): number[] {
  return shapeAfter(w.layers, w.inputShape);
}
