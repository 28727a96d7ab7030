// Writes examples/onnx-encoder/model.onnx: a two-layer transformer-style encoder graph laid out the way
// PyTorch's ONNX exporter names things (node names `/encoder/layer.0/attn/q_proj/MatMul`, initializers
// `encoder.layer.0.attn.q_proj.weight`), with seeded weights, so the module tree nests encoder › layer.N ›
// attn/mlp/norm. It then runs the file in Layerstep and in onnxruntime-node and prints how far they differ.
//   npm run build && node dist/make-onnx-example.js     (from the repository's root)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { onnx } from '../src/loaders/onnx/proto';
import type * as Ort from 'onnxruntime-node';
import { FileModelSource } from '../src/node/fileSource';
import { openModel } from '../src/loaders/registry';
import { randomInputs } from '../src/loaders/tensors/random';
import { Runner } from '../src/runner/runner';
import { mulberry32 } from '../src/engine/random';

const SEQ = 6;
const D = 16;
const HIDDEN = 32;
const CLASSES = 10;
const LAYERS = 2;

/** The folder to write to: the first argument, else examples/onnx-encoder under the current folder (the repository). */
const out = resolve(process.argv[2] ?? join('examples', 'onnx-encoder'));

// Mulberry32, as everywhere in Layerstep: the same weights on every run.
const rand = mulberry32(2024);

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const initializers: onnx.ITensorProto[] = [];
const nodes: onnx.INodeProto[] = [];

/**
 * A float initializer: uniform in `center ± spread`; matrices default to ±sqrt(6 / (fanIn + fanOut)) (Glorot).
 */
function weight(name: string, dims: number[], center = 0, spread = dims.length === 2 ? Math.sqrt(6 / (dims[0] + dims[1])) : 0): string {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, () => center + (2 * rand() - 1) * spread);
  initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) });
  return name;
}

function node(name: string, opType: string, input: string[], attrs: onnx.IAttributeProto[] = []): string {
  const output = `${name}_output_0`;
  nodes.push({ name, opType, input, output: [output], attribute: attrs });
  return output;
}

const ints = (name: string, v: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const int = (name: string, v: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: v });
const float = (name: string, v: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v });

/** `x @ W + b` as the exporter writes nn.Linear: a MatMul and an Add under the module's scope. */
function linear(scope: string, param: string, x: string, inDim: number, outDim: number): string {
  const w = weight(`${param}.weight`, [inDim, outDim]);
  const b = weight(`${param}.bias`, [outDim], 0, 0.05);
  return node(`${scope}/Add`, 'Add', [node(`${scope}/MatMul`, 'MatMul', [x, w]), b]);
}

function layerNorm(scope: string, param: string, x: string): string {
  const g = weight(`${param}.weight`, [D], 1, 0.1);
  const b = weight(`${param}.bias`, [D], 0, 0.05);
  return node(`${scope}/LayerNormalization`, 'LayerNormalization', [x, g, b], [int('axis', -1), float('epsilon', 1e-5)]);
}

let x = 'input';
for (let l = 0; l < LAYERS; l++) {
  const s = `/encoder/layer.${l}`;
  const p = `encoder.layer.${l}`;
  // sqrt(d), a constant of each layer's attention.
  const scale = weight(`${p}.attn.scale`, [], Math.sqrt(D));
  // Single-head self-attention: softmax(q kᵀ / sqrt(d)) v, then the output projection.
  const q = linear(`${s}/attn/q_proj`, `${p}.attn.q_proj`, x, D, D);
  const k = linear(`${s}/attn/k_proj`, `${p}.attn.k_proj`, x, D, D);
  const v = linear(`${s}/attn/v_proj`, `${p}.attn.v_proj`, x, D, D);
  const kt = node(`${s}/attn/Transpose`, 'Transpose', [k], [ints('perm', [0, 2, 1])]);
  const scores = node(`${s}/attn/Div`, 'Div', [node(`${s}/attn/MatMul`, 'MatMul', [q, kt]), scale]);
  const probs = node(`${s}/attn/Softmax`, 'Softmax', [scores], [int('axis', -1)]);
  const ctx = node(`${s}/attn/MatMul_1`, 'MatMul', [probs, v]);
  const attn = linear(`${s}/attn/o_proj`, `${p}.attn.o_proj`, ctx, D, D);
  const h = layerNorm(`${s}/norm1`, `${p}.norm1`, node(`${s}/Add`, 'Add', [x, attn]));
  const up = node(`${s}/mlp/act/Relu`, 'Relu', [linear(`${s}/mlp/fc1`, `${p}.mlp.fc1`, h, D, HIDDEN)]);
  const down = linear(`${s}/mlp/fc2`, `${p}.mlp.fc2`, up, HIDDEN, D);
  x = layerNorm(`${s}/norm2`, `${p}.norm2`, node(`${s}/Add_1`, 'Add', [h, down]));
}
const logits = linear('/head', 'head', x, D, CLASSES);
nodes[nodes.length - 1].output = ['logits'];
void logits;

const tensorType = (dims: (number | string)[]): onnx.ITypeProto => ({
  tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
});
const model = onnx.ModelProto.create({
  irVersion: 8,
  producerName: 'layerstep make-onnx-example',
  producerVersion: '1',
  docString: 'A two-layer transformer-style encoder with seeded (untrained) weights, named like a PyTorch export.',
  opsetImport: [{ domain: '', version: 17 }],
  graph: {
    name: 'onnx-encoder',
    node: nodes,
    initializer: initializers,
    input: [{ name: 'input', type: tensorType([1, SEQ, D]) }],
    output: [{ name: 'logits', type: tensorType([1, SEQ, CLASSES]) }],
  },
});
const bytes = onnx.ModelProto.encode(model).finish();
mkdirSync(out, { recursive: true });
const file = join(out, 'model.onnx');
writeFileSync(file, bytes);
console.log(`wrote ${file}: ${bytes.length} bytes, ${nodes.length} nodes, ${initializers.length} initializers`);

async function check(): Promise<void> {
  const m = await openModel(new FileModelSource(file));
  const inputs = randomInputs(m.inputs, 0);
  const runner = new Runner(m, Object.fromEntries(inputs));
  await runner.continue();
  if (runner.error) throw runner.error;
  const ours = runner.outputs().get('logits')!;
  let ort: typeof Ort;
  try {
    ort = await import('onnxruntime-node');
  } catch {
    console.log('onnxruntime-node is not installed: skipped the comparison');
    return;
  }
  const session = await ort.InferenceSession.create(file);
  const x0 = inputs.get('input')!;
  const result = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x0.data), [...x0.shape]) });
  const theirs = result.logits.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(theirs[i] - ours.data[i]));
  console.log(`Layerstep and onnxruntime agree on the random input (seed 0): max |difference| ${worst.toExponential(2)}`);
  if (!(worst < 1e-4)) process.exitCode = 1;
}

void check().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
