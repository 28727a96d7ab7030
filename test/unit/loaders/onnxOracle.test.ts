import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomTensor } from '../engine/helpers';
import type { ModelSpec, NodeSpec } from './onnxHelpers';
import { encodeModel, load, modulesById, runLayerstep, runOrt, treeText } from './onnxHelpers';

/**
 * Whole exported-style graphs (the node names and weight names PyTorch's exporter writes), built with
 * src/loaders/onnx/proto, run in onnxruntime-node and in Layerstep: the outputs agree, and the module tree follows the
 * name scopes.
 */

const TOL = { atol: 1e-5, rtol: 1e-4 };

async function compare(spec: ModelSpec, inputs: Record<string, Tensor>): Promise<void> {
  const bytes = encodeModel(spec);
  const expected = await runOrt(bytes, inputs);
  const got = await runLayerstep(await load(bytes), inputs);
  for (const [name, want] of expected) expectClose(got.get(name)!, want.data, want.shape, TOL);
}

function mlp(): ModelSpec {
  return {
    name: 'mlp',
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 16] }],
    outputs: [{ name: 'probs', dtype: 'float32', shape: ['batch', 10] }],
    initializers: {
      'fc1.weight': randomTensor([32, 16], 1), 'fc1.bias': randomTensor([32], 2),
      'fc2.weight': randomTensor([10, 32], 3), 'fc2.bias': randomTensor([10], 4),
    },
    nodes: [
      { op: 'Gemm', name: '/fc1/Gemm', inputs: ['x', 'fc1.weight', 'fc1.bias'], outputs: ['/fc1/Gemm_output_0'], attrs: { transB: 1, alpha: { f: 1 }, beta: { f: 1 } } },
      { op: 'Relu', name: '/relu/Relu', inputs: ['/fc1/Gemm_output_0'], outputs: ['/relu/Relu_output_0'] },
      { op: 'Gemm', name: '/fc2/Gemm', inputs: ['/relu/Relu_output_0', 'fc2.weight', 'fc2.bias'], outputs: ['/fc2/Gemm_output_0'], attrs: { transB: 1 } },
      { op: 'Softmax', name: '/Softmax', inputs: ['/fc2/Gemm_output_0'], outputs: ['probs'], attrs: { axis: 1 } },
    ],
  };
}

function cnn(): ModelSpec {
  return {
    name: 'cnn',
    inputs: [{ name: 'image', dtype: 'float32', shape: [1, 3, 16, 16] }],
    outputs: [{ name: 'logits', dtype: 'float32', shape: [1, 5] }],
    initializers: {
      'conv1.weight': randomTensor([8, 3, 3, 3], 11), 'conv1.bias': randomTensor([8], 12),
      'conv2.weight': randomTensor([16, 8, 3, 3], 13), 'conv2.bias': randomTensor([16], 14),
      'fc.weight': randomTensor([5, 16 * 4 * 4], 15), 'fc.bias': randomTensor([5], 16),
    },
    nodes: [
      { op: 'Conv', name: '/conv1/Conv', inputs: ['image', 'conv1.weight', 'conv1.bias'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] } },
      { op: 'Relu', name: '/relu1/Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'MaxPool', name: '/pool/MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Conv', name: '/conv2/Conv', inputs: ['p1', 'conv2.weight', 'conv2.bias'], outputs: ['c2'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: '/relu2/Relu', inputs: ['c2'], outputs: ['r2'] },
      { op: 'MaxPool', name: '/pool_1/MaxPool', inputs: ['r2'], outputs: ['p2'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Flatten', name: '/flatten/Flatten', inputs: ['p2'], outputs: ['f'], attrs: { axis: 1 } },
      { op: 'Gemm', name: '/fc/Gemm', inputs: ['f', 'fc.weight', 'fc.bias'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
  };
}

function residual(): ModelSpec {
  const bn = (k: number) => ({
    [`bn${k}.weight`]: randomTensor([8], 20 + k, 0.5, 1.5), [`bn${k}.bias`]: randomTensor([8], 30 + k),
    [`bn${k}.running_mean`]: randomTensor([8], 40 + k), [`bn${k}.running_var`]: randomTensor([8], 50 + k, 0.5, 2),
  });
  const bnNode = (k: number, x: string, y: string): NodeSpec => ({
    op: 'BatchNormalization', name: `/block/bn${k}/BatchNormalization`, outputs: [y], attrs: { epsilon: { f: 1e-5 }, momentum: { f: 0.9 } },
    inputs: [x, `bn${k}.weight`, `bn${k}.bias`, `bn${k}.running_mean`, `bn${k}.running_var`],
  });
  return {
    name: 'residual',
    inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 8, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 8, 8, 8] }],
    initializers: { 'conv1.weight': randomTensor([8, 8, 3, 3], 61), 'conv2.weight': randomTensor([8, 8, 3, 3], 62), ...bn(1), ...bn(2) },
    nodes: [
      { op: 'Conv', name: '/block/conv1/Conv', inputs: ['x', 'conv1.weight'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      bnNode(1, 'a', 'b'),
      { op: 'Relu', name: '/block/relu/Relu', inputs: ['b'], outputs: ['c'] },
      { op: 'Conv', name: '/block/conv2/Conv', inputs: ['c', 'conv2.weight'], outputs: ['d'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      bnNode(2, 'd', 'e'),
      { op: 'Add', name: '/block/Add', inputs: ['e', 'x'], outputs: ['f'] },
      { op: 'Relu', name: '/block/relu_1/Relu', inputs: ['f'], outputs: ['y'] },
    ],
  };
}

/** One self-attention layer with two heads, as PyTorch names it: /encoder/layer.0/attn/... */
function attention(): ModelSpec {
  const p = '/encoder/layer.0/attn';
  const w = 'encoder.layer.0.attn';
  const int64 = (values: number[]) => Tensor.from([values.length], values, 'int64');
  const node = (op: string, name: string, inputs: string[], attrs?: NodeSpec['attrs']): NodeSpec =>
    ({ op, name: `${p}/${name}`, inputs, outputs: [`${p}/${name}_output_0`], attrs });
  const out = (name: string) => `${p}/${name}_output_0`;
  return {
    name: 'attention',
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4, 16] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, 4, 16] }],
    initializers: {
      [`${w}.q.weight`]: randomTensor([16, 16], 71), [`${w}.k.weight`]: randomTensor([16, 16], 72),
      [`${w}.v.weight`]: randomTensor([16, 16], 73), [`${w}.out.weight`]: randomTensor([16, 16], 74),
      'encoder.layer.0.norm.weight': randomTensor([16], 75, 0.5, 1.5), 'encoder.layer.0.norm.bias': randomTensor([16], 76),
    },
    nodes: [
      { op: 'Constant', name: `${p}/Constant`, inputs: [], outputs: ['heads_shape'], attrs: { value: int64([1, 4, 2, 8]) } },
      { op: 'Constant', name: `${p}/Constant_1`, inputs: [], outputs: ['merged_shape'], attrs: { value: int64([1, 4, 16]) } },
      { op: 'Constant', name: `${p}/Constant_2`, inputs: [], outputs: ['scale'], attrs: { value_float: Math.sqrt(8) } },
      { ...node('MatMul', 'q/MatMul', ['x', `${w}.q.weight`]) },
      { ...node('MatMul', 'k/MatMul', ['x', `${w}.k.weight`]) },
      { ...node('MatMul', 'v/MatMul', ['x', `${w}.v.weight`]) },
      node('Reshape', 'Reshape', [out('q/MatMul'), 'heads_shape']),
      node('Transpose', 'Transpose', [out('Reshape')], { perm: [0, 2, 1, 3] }),
      node('Reshape', 'Reshape_1', [out('k/MatMul'), 'heads_shape']),
      node('Transpose', 'Transpose_1', [out('Reshape_1')], { perm: [0, 2, 3, 1] }),
      node('Reshape', 'Reshape_2', [out('v/MatMul'), 'heads_shape']),
      node('Transpose', 'Transpose_2', [out('Reshape_2')], { perm: [0, 2, 1, 3] }),
      node('MatMul', 'MatMul', [out('Transpose'), out('Transpose_1')]),
      node('Div', 'Div', [out('MatMul'), 'scale']),
      node('Softmax', 'Softmax', [out('Div')], { axis: -1 }),
      node('MatMul', 'MatMul_1', [out('Softmax'), out('Transpose_2')]),
      node('Transpose', 'Transpose_3', [out('MatMul_1')], { perm: [0, 2, 1, 3] }),
      node('Reshape', 'Reshape_3', [out('Transpose_3'), 'merged_shape']),
      node('MatMul', 'out/MatMul', [out('Reshape_3'), `${w}.out.weight`]),
      { op: 'Add', name: '/encoder/layer.0/Add', inputs: ['x', out('out/MatMul')], outputs: ['/encoder/layer.0/Add_output_0'] },
      {
        op: 'LayerNormalization', name: '/encoder/layer.0/norm/LayerNormalization', outputs: ['y'], attrs: { axis: -1, epsilon: { f: 1e-5 } },
        inputs: ['/encoder/layer.0/Add_output_0', 'encoder.layer.0.norm.weight', 'encoder.layer.0.norm.bias'],
      },
    ],
  };
}

describe('ONNX loader: exported-style graphs against onnxruntime', () => {
  it('runs an MLP of Gemm layers like onnxruntime and nests each layer in its scope', async () => {
    await compare(mlp(), { x: randomTensor([3, 16], 5) });
    const model = await load(encodeModel(mlp()));
    expect(treeText(model.root)).toBe([
      'mlp (model)', '  fc1 (scope)', '    Gemm [gemm]', '  relu (scope)', '    Relu [relu]',
      '  fc2 (scope)', '    Gemm [gemm]', '  Softmax [softmax]',
    ].join('\n'));
    const fc1 = modulesById(model.root).get('fc1')!;
    expect(fc1.weights).toEqual({ weight: 'fc1.weight', bias: 'fc1.bias' });
    expect(fc1.inputs).toEqual(['x']);
    expect(fc1.outputs).toEqual(['/fc1/Gemm_output_0']);
    expect(model.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', 16] }]);
  });

  it('runs a CNN with Conv, MaxPool and Flatten like onnxruntime', async () => {
    await compare(cnn(), { image: randomTensor([1, 3, 16, 16], 17) });
    const model = await load(encodeModel(cnn()));
    expect(model.root.body.map((m) => m.id)).toEqual(['conv1', 'relu1', 'pool', 'conv2', 'relu2', 'pool_1', 'flatten', 'fc']);
    expect(model.shapes?.get('f')).toEqual([1, 256]);
  });

  it('runs a residual block with BatchNormalization and Add like onnxruntime, as one module', async () => {
    await compare(residual(), { x: randomTensor([2, 8, 8, 8], 63) });
    const model = await load(encodeModel(residual()));
    const block = modulesById(model.root).get('block')!;
    expect(block.inputs).toEqual(['x']);
    expect(block.outputs).toEqual(['y']);
    expect(block.body.map((i) => `${i.kind} ${i.id}`)).toEqual([
      'module block/conv1', 'module block/bn1', 'module block/relu', 'module block/conv2', 'module block/bn2',
      'node block/Add', 'module block/relu_1',
    ]);
    expect(modulesById(model.root).get('block/bn1')!.weights).toEqual({
      weight: 'bn1.weight', bias: 'bn1.bias', running_mean: 'bn1.running_mean', running_var: 'bn1.running_var',
    });
  });

  it('runs an attention block like onnxruntime and builds encoder › layer.0 › attn from the scopes', async () => {
    await compare(attention(), { x: randomTensor([1, 4, 16], 77) });
    const model = await load(encodeModel(attention()));
    const mods = modulesById(model.root);
    expect([...mods.keys()]).toEqual([
      '', 'encoder', 'encoder/layer.0', 'encoder/layer.0/attn', 'encoder/layer.0/attn/q', 'encoder/layer.0/attn/k',
      'encoder/layer.0/attn/v', 'encoder/layer.0/attn/out', 'encoder/layer.0/norm',
    ]);
    const attn = mods.get('encoder/layer.0/attn')!;
    expect(attn.inputs).toEqual(['x']);
    expect(attn.outputs).toEqual(['/encoder/layer.0/attn/out/MatMul_output_0']);
    expect(mods.get('encoder/layer.0/attn/q')!.weights).toEqual({ weight: 'encoder.layer.0.attn.q.weight' });
    expect(mods.get('encoder/layer.0/norm')!.weights).toEqual({ weight: 'encoder.layer.0.norm.weight', bias: 'encoder.layer.0.norm.bias' });
    // Constant nodes are folded into weights, not frames.
    expect(model.weights.get('heads_shape')?.toArray()).toEqual([1, 4, 2, 8]);
    const ops = attn.body.filter((i) => i.kind === 'node').map((i) => i.name);
    expect(ops).toEqual(['Reshape', 'Transpose', 'Reshape_1', 'Transpose_1', 'Reshape_2', 'Transpose_2', 'MatMul', 'Div', 'Softmax',
      'MatMul_1', 'Transpose_3', 'Reshape_3']);
  });
});
