import { describe, expect, it } from 'vitest';
import type { Item, Model, ModuleDef } from '../../../src/model/ir';
import { openModel } from '../../../src/loaders/registry';
import { load, modelOf, tree } from './nativeHelpers';
import { MemorySource } from './memorySource';

const init = { init: 'glorotUniform' };
const zeros = { init: 'zeros' };

/** Shape of a value as the loader inferred it. */
const shapeOf = (m: Model, name: string): readonly number[] | undefined => m.shapes?.get(name);

/** The item as a module (fails the test if it is a node). */
function mod(item: Item): ModuleDef {
  if (item.kind !== 'module') throw new Error(`${item.id} is a node`);
  return item;
}

describe('native loader: layer types', () => {
  it('expands dense into matmul, add and the activation, with weight value names <id>.<role>', async () => {
    const m = await load(modelOf([{ name: 'hidden', type: 'dense', units: 3, activation: 'relu', weights: { kernel: init, bias: zeros } }], { name: 'x', shape: [2, 4] }));
    expect(tree(m, true)).toBe([
      '<model> (model)',
      '  hidden (dense)',
      '    hidden/matmul = matmul(x, hidden.kernel) -> hidden/matmul:0',
      '    hidden/add = add(hidden/matmul:0, hidden.bias) -> hidden/add:0',
      '    hidden/relu = relu(hidden/add:0) -> output',
    ].join('\n'));
    const layer = m.root.body[0];
    expect(layer.kind === 'module' && layer.weights).toEqual({ kernel: 'hidden.kernel', bias: 'hidden.bias' });
    expect(layer.kind === 'module' && layer.attrs).toEqual({ units: 3, activation: 'relu', useBias: true });
    expect(m.root).toMatchObject({ id: '', type: 'model', inputs: ['x'], outputs: ['output'] });
    expect(m.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: [2, 3] }]);
    expect(m.weights.get('hidden.kernel')!.shape).toEqual([4, 3]);
  });

  it('names unnamed layers after their type, skipping explicit names', async () => {
    const m = await load(modelOf([
      { type: 'dense', units: 4, weights: { kernel: init, bias: zeros } },
      { name: 'dense_1', type: 'relu' },
      { type: 'dense', units: 4, weights: { kernel: init, bias: zeros } },
    ]));
    expect(m.root.body.map((b) => b.id)).toEqual(['dense', 'dense_1', 'dense_2']);
  });

  it('expands conv2d into conv (with bias) and its activation, turning same padding into explicit pads', async () => {
    const m = await load(modelOf([
      { name: 'conv', type: 'conv2d', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', weights: { kernel: init, bias: zeros } },
    ], { name: 'img', shape: [1, 3, 9, 9] }));
    expect(tree(m, true)).toBe([
      '<model> (model)',
      '  conv (conv2d)',
      '    conv/conv = conv(img, conv.kernel, conv.bias) -> conv/conv:0',
      '    conv/relu = relu(conv/conv:0) -> output',
    ].join('\n'));
    const conv = mod(m.root.body[0]).body[0];
    expect(conv.attrs).toEqual({ kernelShape: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], group: 1 });
    expect(m.weights.get('conv.kernel')!.shape).toEqual([8, 3, 3, 3]);
    expect(shapeOf(m, 'output')).toEqual([1, 8, 5, 5]);
  });

  it('infers shapes through conv1d, depthwise, transposed convolution and pooling', async () => {
    const m = await load(modelOf([
      { name: 'c1', type: 'conv1d', filters: 4, kernelSize: 3, weights: { kernel: init, bias: zeros } },
      { name: 'p1', type: 'maxPool1d', poolSize: 2 },
      { name: 'r', type: 'reshape', shape: [0, 4, 3, 1] },
      { name: 'dw', type: 'depthwiseConv2d', kernelSize: [3, 1], depthMultiplier: 2, padding: 'same', weights: { kernel: init, bias: zeros } },
      { name: 'up', type: 'conv2dTranspose', filters: 2, kernelSize: 2, strides: 2, weights: { kernel: init, bias: zeros } },
      { name: 'avg', type: 'averagePool2d', poolSize: 2, strides: 1, padding: 'valid' },
      { name: 'gap', type: 'globalAveragePool' },
    ], { name: 'x', shape: [1, 2, 8] }));
    const out = (id: string): readonly number[] => {
      const mod = m.root.body.find((b) => b.id === id)!;
      return shapeOf(m, mod.outputs[0] === 'output' ? 'output' : mod.outputs[0])!;
    };
    expect(out('c1')).toEqual([1, 4, 6]);
    expect(out('p1')).toEqual([1, 4, 3]);
    expect(out('dw')).toEqual([1, 8, 3, 1]);
    expect(m.weights.get('dw.kernel')!.shape).toEqual([8, 1, 3, 1]);
    expect(out('up')).toEqual([1, 2, 6, 2]);
    expect(m.weights.get('up.kernel')!.shape).toEqual([8, 2, 2, 2]);
    expect(out('avg')).toEqual([1, 2, 5, 1]);
    expect(out('gap')).toEqual([1, 2]);
    expect(tree(m)).toContain('gap/squeeze = squeeze');
  });

  it('loads batchNorm and layerNorm with their weight roles', async () => {
    const m = await load(modelOf([
      { name: 'bn', type: 'batchNorm', weights: { gamma: { init: 'ones' }, beta: zeros, mean: zeros, variance: { init: 'ones' } } },
      { name: 'ln', type: 'layerNorm', weights: { gamma: { init: 'ones' }, beta: zeros } },
    ], { name: 'x', shape: [2, 3, 4] }));
    expect(tree(m)).toContain('bn/batchNormalization = batchNormalization');
    expect(m.weights.get('bn.mean')!.shape).toEqual([3]);
    expect(m.weights.get('ln.gamma')!.shape).toEqual([4]);
    expect(mod(m.root.body[0]).attrs).toEqual({ epsilon: 1e-3 });
  });

  it('loads every activation layer as one op', async () => {
    const types = ['relu', 'relu6', 'leakyRelu', 'elu', 'selu', 'gelu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'silu', 'clip', 'softmax', 'logSoftmax'];
    const m = await load(modelOf([...types.map((type) => ({ type })), { type: 'activation', activation: 'tanh' }, { type: 'activation' }]));
    expect(m.root.body.map((b) => (b.kind === 'module' ? b.body.map((n) => n.kind === 'node' && n.op).join() : ''))).toEqual([
      'relu', 'clip', 'leakyRelu', 'elu', 'selu', 'gelu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign', 'silu', 'silu', 'clip', 'softmax', 'logSoftmax', 'tanh', 'identity',
    ]);
    expect(mod(m.root.body[3]).attrs).toEqual({ alpha: 1 });
  });

  it('loads elementwise layers with a number, a broadcast weight, and matmul by a weight', async () => {
    const m = await load(modelOf([
      { name: 'scale', type: 'mul', value: 2 },
      { name: 'shift', type: 'add', weights: { value: [[1, 2, 3, 4]] } },
      { name: 'root', type: 'sqrt' },
      { name: 'proj', type: 'matmul', weights: { value: { shape: [4, 2], init: 'ones' } } },
    ]));
    expect(m.weights.get('scale.value')!.shape).toEqual([]);
    expect(m.weights.get('shift.value')!.shape).toEqual([1, 4]);
    expect(shapeOf(m, 'output')).toEqual([1, 2]);
    expect(mod(m.root.body[0]).weights).toEqual({});
  });

  it('loads the shape layers and reductions', async () => {
    const m = await load(modelOf([
      { name: 'pad', type: 'pad', pads: [0, 0, 1, 0, 0, 1] },
      { name: 'up', type: 'upsample', scale: 2 },
      { name: 't', type: 'transpose', perm: [0, 2, 1] },
      { name: 's', type: 'slice', starts: [1], ends: [3], axes: [1] },
      { name: 'f', type: 'flatten' },
      { name: 'd', type: 'dropout', rate: 0.5 },
      { name: 'mean', type: 'reduceMean', axes: [1], keepDims: true },
      { name: 'am', type: 'argmax' },
    ], { name: 'x', shape: [1, 2, 3] }));
    const shapes = m.root.body.map((b) => shapeOf(m, b.outputs[0]));
    expect(shapes).toEqual([[1, 2, 5], [1, 2, 10], [1, 10, 2], [1, 2, 2], [1, 4], [1, 4], [1, 1], [1]]);
    expect(m.outputs[0].dtype).toBe('int64');
    expect(tree(m)).toContain('up/resize = resize');
  });

  it('loads an embedding over integer ids', async () => {
    const m = await load(modelOf([
      { name: 'emb', type: 'embedding', inputDim: 10, outputDim: 3, weights: { embeddings: init } },
      { name: 'avg', type: 'reduceMean', axes: [1] },
    ], { name: 'ids', shape: [1, 5], dtype: 'int32' }));
    expect(tree(m, true)).toContain('emb/gather = gather(emb.embeddings, ids) -> emb/gather:0');
    expect(shapeOf(m, 'emb/gather:0')).toEqual([1, 5, 3]);
    expect(m.inputs[0].dtype).toBe('int32');
    const withExample = await load(modelOf([{ type: 'embedding', inputDim: 10, outputDim: 3, weights: { embeddings: init } }], { name: 'ids', shape: [1, 2], dtype: 'int64' },
      { examples: [{ name: 'pair', inputs: { ids: { shape: [1, 2], dtype: 'int32', data: [3, 9] } } }] }));
    expect(withExample.examples[0].inputs.ids.dtype).toBe('int64');
    expect(withExample.examples[0].inputs.ids.toArray()).toEqual([3, 9]);
  });

  it('expands a residual block: its layers, the shortcut module, add, activation', async () => {
    const m = await load(modelOf([{
      name: 'block1', type: 'residual', activation: 'relu',
      layers: [
        { name: 'fc1', type: 'dense', units: 3, activation: 'relu', weights: { kernel: init, bias: zeros } },
        { name: 'fc2', type: 'dense', units: 5, weights: { kernel: init, bias: zeros } },
      ],
      shortcut: [{ name: 'proj', type: 'dense', units: 5, useBias: false, weights: { kernel: init } }],
    }]));
    expect(tree(m)).toBe([
      '<model> (model)',
      '  block1 (residual)',
      '    block1/fc1 (dense)',
      '      block1/fc1/matmul = matmul',
      '      block1/fc1/add = add',
      '      block1/fc1/relu = relu',
      '    block1/fc2 (dense)',
      '      block1/fc2/matmul = matmul',
      '      block1/fc2/add = add',
      '    block1/shortcut (sequential)',
      '      block1/shortcut/proj (dense)',
      '        block1/shortcut/proj/matmul = matmul',
      '    block1/add = add',
      '    block1/relu = relu',
    ].join('\n'));
    const block = m.root.body[0];
    expect(block.inputs).toEqual(['x']);
    expect(block.outputs).toEqual(['output']);
  });

  it('merges parallel branches with concat and average', async () => {
    const branch = (units: number) => [{ type: 'dense', units, weights: { kernel: init, bias: zeros } }];
    const m = await load(modelOf([
      { name: 'heads', type: 'parallel', branches: [branch(2), branch(3)], merge: 'concat', axis: 1 },
      { name: 'avg', type: 'parallel', branches: [{ type: 'relu' }, [{ type: 'tanh' }], [{ type: 'sigmoid' }]], merge: 'average' },
    ]));
    expect(tree(m)).toContain('heads/branch 1/dense/matmul = matmul');
    expect(tree(m)).toContain('heads/concat = concat');
    expect(tree(m)).toContain('avg/add_1 = add');
    expect(tree(m)).toContain('avg/div = div');
    expect(m.weights.get('avg.count')!.toArray()).toEqual([3]);
    expect(shapeOf(m, 'output')).toEqual([1, 5]);
  });

  it('nests sequential blocks with path ids', async () => {
    const m = await load(modelOf([{ name: 'enc', type: 'sequential', layers: [{ name: 'inner', type: 'sequential', layers: [{ type: 'relu' }] }] }]));
    expect(tree(m)).toBe(['<model> (model)', '  enc (sequential)', '    enc/inner (sequential)', '      enc/inner/relu (relu)', '        enc/inner/relu/relu = relu'].join('\n'));
  });

  it('unrolls a simpleRnn into one module per time step', async () => {
    const m = await load(modelOf([{ name: 'rnn', type: 'simpleRnn', units: 2, weights: { kernel: init, recurrentKernel: init, bias: zeros } }], { name: 'x', shape: [1, 3, 4] }));
    expect(tree(m, true)).toBe([
      '<model> (model)',
      '  rnn (simpleRnn)',
      ...[0, 1, 2].flatMap((t) => {
        const s = `rnn/step ${t}`;
        const h = t === 0 ? 'rnn.initialState' : `rnn/step ${t - 1}/h:0`;
        return [
          `    ${s} (simpleRnnCell)`,
          `      ${s}/slice = slice(x) -> ${s}/slice:0`,
          `      ${s}/x_t = squeeze(${s}/slice:0) -> ${s}/x_t:0`,
          `      ${s}/matmul = matmul(${s}/x_t:0, rnn.kernel) -> ${s}/matmul:0`,
          `      ${s}/matmul_1 = matmul(${h}, rnn.recurrentKernel) -> ${s}/matmul_1:0`,
          `      ${s}/add = add(${s}/matmul:0, ${s}/matmul_1:0) -> ${s}/add:0`,
          `      ${s}/add_1 = add(${s}/add:0, rnn.bias) -> ${s}/add_1:0`,
          `      ${s}/h = tanh(${s}/add_1:0) -> ${t === 2 ? 'output' : `${s}/h:0`}`,
        ];
      }),
    ].join('\n'));
    const step1 = mod(mod(m.root.body[0]).body[1]);
    expect(step1.inputs).toEqual(['x', 'rnn/step 0/h:0']);
    expect(m.weights.get('rnn.initialState')!.shape).toEqual([1, 2]);
    expect(shapeOf(m, 'output')).toEqual([1, 2]);
  });

  it('unrolls an lstm with returnSequences into steps and a final concat', async () => {
    const m = await load(modelOf([{ name: 'lstm', type: 'lstm', units: 3, returnSequences: true, weights: { kernel: init, recurrentKernel: init, bias: zeros } }], { name: 'x', shape: [2, 4, 5] }));
    expect(m.weights.get('lstm.kernel')!.shape).toEqual([5, 12]);
    const text = tree(m);
    for (const n of ['gates = split', '/i = sigmoid', '/f = sigmoid', '/g = tanh', '/o = sigmoid', '/forget = mul', '/input = mul', '/c = add', '/h = mul', '/h_t = unsqueeze']) {
      expect(text).toContain(`lstm/step 3${n.startsWith('/') ? n : `/${n}`}`);
    }
    expect(text).toContain('lstm/sequence = concat');
    expect(shapeOf(m, 'output')).toEqual([2, 4, 3]);
    expect(m.root.body[0].kind === 'module' && m.root.body[0].body[0].outputs).toHaveLength(3);
  });

  it('unrolls a gru with and without resetAfter', async () => {
    const after = await load(modelOf([{ name: 'gru', type: 'gru', units: 2, weights: { kernel: init, recurrentKernel: init, bias: { shape: [2, 6], init: 'zeros' } } }], { name: 'x', shape: [1, 2, 3] }));
    expect(tree(after)).toContain('gru/bias_rows = split');
    expect(tree(after)).toContain('gru/step 1/candidate = tanh');
    expect(shapeOf(after, 'output')).toEqual([1, 2]);
    const before = await load(modelOf([{ name: 'gru', type: 'gru', units: 2, resetAfter: false, weights: { kernel: init, recurrentKernel: init, bias: zeros } }], { name: 'x', shape: [1, 2, 3] }));
    expect(tree(before)).toContain('gru/recurrentKernel_h = slice');
    expect(before.weights.get('gru.bias')!.shape).toEqual([6]);
  });

  it('expands multiHeadAttention into readable nodes', async () => {
    const m = await load(modelOf([{
      name: 'attn', type: 'multiHeadAttention', numHeads: 2, keyDim: 3, causal: true,
      weights: { query: init, key: init, value: init, output: init, queryBias: zeros, keyBias: zeros, valueBias: zeros, outputBias: zeros },
    }], { name: 'x', shape: [1, 4, 6] }));
    const names = mod(m.root.body[0]).body.map((n) => n.name);
    expect(names).toEqual([
      'q', 'q_bias', 'q_split', 'q_heads', 'k', 'k_bias', 'k_split', 'k_heads', 'v', 'v_bias', 'v_split', 'v_heads',
      'scores', 'scale', 'mask', 'weights', 'context', 'context_merge', 'context_concat', 'out', 'out_bias',
    ]);
    expect(shapeOf(m, 'attn/scores:0')).toEqual([1, 2, 4, 4]);
    expect(shapeOf(m, 'attn/k_heads:0')).toEqual([1, 2, 3, 4]);
    expect(shapeOf(m, 'output')).toEqual([1, 4, 6]);
    const mask = m.weights.get('attn.causalMask')!;
    expect(mask.get(0, 1)).toBe(-1e9);
    expect(mask.get(1, 0)).toBe(0);
    expect(m.weights.get('attn.scale')!.toArray()[0]).toBeCloseTo(1 / Math.sqrt(3), 6);
  });

  it('gives every module and node the source range of its layer', async () => {
    const text = [
      '{ "format": "layerstep/1",',
      '  "inputs": [{ "name": "x", "shape": [1, 4] }],',
      '  "layers": [',
      '    { "name": "a", "type": "relu" },',
      '    {',
      '      "name": "b", "type": "dense", "units": 2,',
      '      "weights": { "kernel": { "init": "ones" }, "bias": [0, 0] }',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    const m = await openModel(new MemorySource('model.json', text));
    const [a, b] = m.root.body.map(mod);
    expect(a.source).toEqual({ startLine: 4, startColumn: 5, endLine: 4, endColumn: 35 });
    expect(b.source).toEqual({ startLine: 5, startColumn: 5, endLine: 8, endColumn: 5 });
    for (const node of [...a.body, ...b.body]) expect(node.source).toEqual(node.id.startsWith('a/') ? a.source : b.source);
    expect(m.root.source).toEqual({ startLine: 1, startColumn: 1, endLine: 10, endColumn: 1 });
  });

  it('records the shape of every value, weights included', async () => {
    const m = await load(modelOf([{ name: 'd', type: 'dense', units: 2, weights: { kernel: init, bias: zeros } }]));
    expect([...m.shapes!.keys()].sort()).toEqual(['d.bias', 'd.kernel', 'd/matmul:0', 'output', 'x']);
  });
});
