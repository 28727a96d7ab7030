import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { formatInspect } from '../../../src/cli/inspect';
import type { Tensor } from '../../../src/engine/tensor';
import { summarizeModel } from '../../../src/host/modelSummary';
import { inferModuleTree } from '../../../src/model/inferTree';
import type { Item, Model, ModuleDef, NodeDef } from '../../../src/model/ir';
import { nodesOf } from '../../../src/model/weightUse';
import { Runner } from '../../../src/runner/runner';
import { outline } from '../../../src/service/engineService';
import { expectClose, randomTensor } from '../engine/helpers';
import type { ModelSpec, NodeSpec } from '../loaders/onnxHelpers';
import { encodeModel, load, runLayerstep, runOrt, treeText } from '../loaders/onnxHelpers';
import { expectLikeTfjs, randomizeWeights } from '../loaders/tfjsHelpers';

/**
 * The inferred module tree of graphs whose files name no modules: layers (an op with weights and the
 * elementwise and normalisation ops after it), blocks from a fork to its join and from shared name prefixes.
 * The tree only nests the same ops in the same order: outputs still match onnxruntime and TF.js.
 */

const TOL = { atol: 1e-4, rtol: 1e-4 };
const C = 4;

/** A flat export in the style of exporters without name scopes: `Conv_0`, `BatchNormalization_1`, ... */
function flatNet(): { spec: ModelSpec; floats: number } {
  const init: Record<string, Tensor> = {};
  const conv = (k: number, x: string, y: string, out = C, kernel = 3, bias = false): NodeSpec => {
    init[`w${k}`] = randomTensor([out, C, kernel, kernel], 100 + k, -0.5, 0.5);
    if (bias) init[`b${k}`] = randomTensor([out], 200 + k);
    const pad = (kernel - 1) / 2;
    return { op: 'Conv', name: `Conv_${k}`, inputs: [x, `w${k}`, ...(bias ? [`b${k}`] : [])], outputs: [y], attrs: { kernel_shape: [kernel, kernel], pads: [pad, pad, pad, pad] } };
  };
  const bn = (k: number, x: string, y: string): NodeSpec => {
    for (const [p, lo, hi] of [['g', 0.5, 1.5], ['b', -1, 1], ['m', -1, 1], ['v', 0.5, 2]] as const) init[`bn${k}.${p}`] = randomTensor([C], 300 + k, lo, hi);
    return { op: 'BatchNormalization', name: `BatchNormalization_${k}`, inputs: [x, `bn${k}.g`, `bn${k}.b`, `bn${k}.m`, `bn${k}.v`], outputs: [y], attrs: { epsilon: { f: 1e-5 } } };
  };
  const op = (o: string, k: number, inputs: string[], y: string, attrs?: NodeSpec['attrs']): NodeSpec => ({ op: o, name: `${o}_${k}`, inputs, outputs: [y], attrs });
  init['fc.weight'] = randomTensor([3, C], 400);
  const fcBias = randomTensor([3], 401);
  const nodes: NodeSpec[] = [
    // Exporters hoist weight copies to the top: the Gemm reads its weight through this Identity.
    { op: 'Identity', name: 'Identity_20', inputs: ['fc.weight'], outputs: ['fc.w'] },
    // Some exporters keep weights in Constant nodes instead of initializers.
    { op: 'Constant', name: 'Constant_21', inputs: [], outputs: ['fc.b'], attrs: { value: fcBias } },
    conv(0, 'x', 'c0'), bn(1, 'c0', 'n1'), op('Relu', 2, ['n1'], 'r'),
    conv(3, 'r', 'c3'), bn(4, 'c3', 'n4'), op('Relu', 5, ['n4'], 'r5'), conv(6, 'r5', 'c6'), bn(7, 'c6', 'n7'),
    op('Add', 8, ['r', 'n7'], 'a8'), op('Relu', 9, ['a8'], 's'),
    op('GlobalAveragePool', 10, ['s'], 'g10'), conv(11, 'g10', 'c11', 2, 1, true), op('Relu', 12, ['c11'], 'r12'),
    { ...conv(13, 'r12', 'c13', C, 1, true), inputs: ['r12', 'w13', 'b13'] }, op('Sigmoid', 14, ['c13'], 'sg'), op('Mul', 15, ['s', 'sg'], 'se'),
    op('GlobalAveragePool', 16, ['se'], 'g16'), op('Flatten', 17, ['g16'], 'f17', { axis: 1 }),
    op('Gemm', 18, ['f17', 'fc.w', 'fc.b'], 'y', { transB: 1 }),
  ];
  init.w13 = randomTensor([C, 2, 1, 1], 113, -0.5, 0.5);
  const spec: ModelSpec = {
    name: 'flat', nodes, initializers: init,
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, C, 6, 6] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, 3] }],
  };
  // Every float tensor the file holds, counted here from what the test made (not by the engine).
  const floats = [...Object.values(init), fcBias].reduce((n, t) => n + t.size, 0);
  return { spec, floats };
}

const ids = (items: readonly Item[]): string[] => items.flatMap((i) => nodesOf(i).map((n) => n.id));
const paramsLine = (m: Model): number => Number(/parameters: ([\d,]+)/.exec(formatInspect(m))![1].replace(/,/g, ''));

describe('inferred module tree', () => {
  it('groups a flat ONNX export into layers, a residual block and a squeeze-and-excitation block', async () => {
    const { spec } = flatNet();
    const model = await load(encodeModel(spec));
    expect(model.metadata?.moduleTree).toBe('inferred');
    expect(treeText(model.root)).toBe([
      'flat (model)',
      '  Identity_20 [identity]',
      '  Conv_0 (layer)',
      '    Conv_0 [conv]',
      '    BatchNormalization_1 [batchNormalization]',
      '    Relu_2 [relu]',
      '  Conv_3 (block)',
      '    Conv_3 (layer)',
      '      Conv_3 [conv]',
      '      BatchNormalization_4 [batchNormalization]',
      '      Relu_5 [relu]',
      '    Conv_6 (layer)',
      '      Conv_6 [conv]',
      '      BatchNormalization_7 [batchNormalization]',
      '    Add_8 [add]',
      '  Relu_9 [relu]',
      '  GlobalAveragePool_10 (block)',
      '    GlobalAveragePool_10 [globalAveragePool]',
      '    Conv_11 (layer)',
      '      Conv_11 [conv]',
      '      Relu_12 [relu]',
      '    Conv_13 (layer)',
      '      Conv_13 [conv]',
      '      Sigmoid_14 [sigmoid]',
      '    Mul_15 [mul]',
      '  GlobalAveragePool_16 [globalAveragePool]',
      '  Flatten_17 [flatten]',
      '  Gemm_18 [gemm]',
    ].join('\n'));
    const block = model.root.body.find((i) => i.name === 'Conv_3') as ModuleDef;
    expect([block.inputs, block.outputs]).toEqual([['r'], ['a8']]);
    const layer = block.body[0] as ModuleDef;
    expect([layer.inputs, layer.outputs, Object.keys(layer.weights)]).toEqual([['r'], ['r5'], ['w3', 'bn4.g', 'bn4.b', 'bn4.m', 'bn4.v']]);
    const se = model.root.body.find((i) => i.name === 'GlobalAveragePool_10') as ModuleDef;
    expect([se.inputs, se.outputs]).toEqual([['s'], ['se']]);
  });

  it('keeps the node ids and their order, and the outputs of onnxruntime', async () => {
    const { spec } = flatNet();
    const bytes = encodeModel(spec);
    const model = await load(bytes);
    const order = spec.nodes.filter((n) => n.op !== 'Constant').map((n) => n.name);
    expect(ids(model.root.body)).toEqual(order);
    const x = randomTensor([1, C, 6, 6], 7);
    const want = (await runOrt(bytes, { x })).get('y')!;
    expectClose((await runLayerstep(model, { x })).get('y')!, want.data, want.shape, TOL);
  });

  it('counts every weight once in the outline, the summary and inspect, Constant-node and Identity-reached ones included', async () => {
    const { spec, floats } = flatNet();
    const model = await load(encodeModel(spec));
    const o = outline(model);
    expect(o.params).toBe(floats);
    expect(paramsLine(model)).toBe(floats);
    expect(summarizeModel(o, '/m/flat.onnx').params).toBe(floats);
    const gemm = o.root.children.find((c) => c.name === 'Gemm_18')!;
    expect(gemm.weights.map((w) => [w.role, w.name])).toEqual([['fc.w', 'fc.weight'], ['fc.b', 'fc.b']]);
    expect(gemm.params).toBe(3 * C + 3);
    expect(o.root.children.find((c) => c.name === 'Conv_0')!.params).toBe(C * C * 9 + 4 * C);
  });

  it('shows an op\'s weights in VARIABLES, a weight passed through Identity among them', async () => {
    const model = await load(encodeModel(flatNet().spec));
    const runner = new Runner(model, { x: randomTensor([1, C, 6, 6], 7) });
    runner.setNameBreakpoints([{ name: 'Gemm_18' }]);
    const stop = await runner.continue();
    expect(stop.reason).toBe('function breakpoint');
    const frame = runner.stack()[runner.stack().length - 1];
    const scopes = runner.scopes(frame.id);
    expect([...scopes.weights.keys()]).toEqual(['fc.w', 'fc.b']);
    expect([...scopes.inputs.keys()]).toEqual(['f17']);
    expect([...scopes.weights.get('fc.w')!.data]).toEqual([...model.weights.get('fc.weight')!.data]);
  });

  it('stops once, at the layer, for a name breakpoint on the op an inferred layer is named after', async () => {
    const model = await load(encodeModel(flatNet().spec));
    const runner = new Runner(model, { x: randomTensor([1, C, 6, 6], 7) });
    runner.setNameBreakpoints([{ name: 'Conv_0' }]);
    const first = await runner.continue();
    expect(first.reason).toBe('function breakpoint');
    const top = runner.stack()[runner.stack().length - 1].item;
    expect([top.kind, top.name]).toEqual(['module', 'Conv_0']);
    expect((await runner.continue()).reason).toBe('end');
  });

  it('leaves a graph with name scopes as the file says', async () => {
    const spec = flatNet().spec;
    const scoped: ModelSpec = { ...spec, nodes: spec.nodes.map((n) => ({ ...n, name: `/net/${n.name}` })) };
    const model = await load(encodeModel(scoped));
    expect(model.metadata?.moduleTree).toBe('file');
    expect(model.root.body.map((i) => i.name)).toEqual(['net']);
    expect((model.root.body[0] as ModuleDef).body.every((i) => i.kind === 'node')).toBe(true);
  });

  it('gives a TF.js functional model blocks from its block_N_ names, runs like predict, and keeps its layers', async () => {
    const L = tf.layers;
    const x = tf.input({ shape: [6, 6, 3], name: 'image' });
    const conv = (name: string, filters: number, input: tf.SymbolicTensor, kernelSize = 1): tf.SymbolicTensor =>
      L.conv2d({ filters, kernelSize, padding: 'same', name }).apply(input) as tf.SymbolicTensor;
    const bn = (name: string, input: tf.SymbolicTensor): tf.SymbolicTensor => L.batchNormalization({ name }).apply(input) as tf.SymbolicTensor;
    const relu = (name: string, input: tf.SymbolicTensor): tf.SymbolicTensor => L.reLU({ name }).apply(input) as tf.SymbolicTensor;
    const stem = relu('stem_relu', bn('stem_bn', conv('stem_conv', 4, x, 3)));
    const b1 = conv('block_1_project', 4, relu('block_1_expand_relu', bn('block_1_expand_BN', conv('block_1_expand', 8, stem))));
    const b2 = bn('block_2_project_BN', conv('block_2_project', 4, relu('block_2_expand_relu', conv('block_2_expand', 8, b1))));
    const sum = L.add({ name: 'block_2_add' }).apply([b1, b2]) as tf.SymbolicTensor;
    const pooled = L.globalAveragePooling2d({ name: 'pool' }).apply(sum) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: L.dense({ units: 3, name: 'predictions' }).apply(pooled) as tf.SymbolicTensor, name: 'mini' });
    randomizeWeights(model);
    const ours = await expectLikeTfjs(model);
    expect(ours.metadata?.moduleTree).toBe('inferred');
    const names = (m: ModuleDef): string[] => m.body.map((i) => (i.kind === 'module' && i.type === 'block' ? `${i.name}[${names(i).join(' ')}]` : i.name));
    expect(names(ours.root)).toEqual([
      'stem_conv', 'stem_bn', 'stem_relu',
      'block_1[block_1_expand block_1_expand_BN block_1_expand_relu block_1_project]',
      'block_2[block_2_expand block_2_expand_relu block_2_project block_2_project_BN block_2_add]',
      'pool', 'predictions',
    ]);
    const block2 = ours.root.body.find((i) => i.name === 'block_2') as ModuleDef;
    expect([block2.inputs, block2.outputs]).toEqual([[(block2.body[0] as ModuleDef).inputs[0]], [(block2.body[4] as ModuleDef).outputs[0]]]);
    // Layers keep their ids and their lines in model.json, so breakpoints by name and line still bind.
    const expand = block2.body[0] as ModuleDef;
    expect([expand.id, expand.source !== undefined]).toEqual(['block_2_expand', true]);
    expect(paramsLine(ours)).toBe(outline(ours).params);
    expect(outline(ours).params).toBe(model.countParams());
  });
});

describe('inferModuleTree', () => {
  const node = (name: string, inputs: string[], outputs: string[], op = 'relu'): NodeDef => ({ kind: 'node', id: name, name, op, inputs, outputs, attrs: {} });
  const layer = (name: string, input: string, output: string): ModuleDef => ({
    kind: 'module', id: name, name, type: 'Dense', inputs: [input], outputs: [output], weights: {}, attrs: {},
    body: [node(`${name}/op`, [input], [output])],
  });
  const rootOf = (body: Item[], outputs: string[]): ModuleDef => ({ kind: 'module', id: '', name: 'm', type: 'model', inputs: ['x'], outputs, weights: {}, attrs: {}, body });
  const chain = (names: string[]): ModuleDef => rootOf(names.map((n, i) => layer(n, i === 0 ? 'x' : `v${i - 1}`, `v${i}`)), [`v${names.length - 1}`]);
  const shape = (m: ModuleDef): string => m.body.map((i) => (i.kind === 'module' && i.type === 'block' ? `${i.name}(${shape(i)})` : i.name)).join(' ');

  it('nests numbered prefixes, shortest first', () => {
    const root = chain(['conv1_conv', 'conv1_bn', 'conv2_block1_1_conv', 'conv2_block1_1_bn', 'conv2_block1_2_conv', 'conv2_block2_1_conv', 'conv2_block2_2_conv', 'head']);
    expect(shape(inferModuleTree(root, () => false)!)).toBe(
      'conv1(conv1_conv conv1_bn) conv2(conv2_block1(conv2_block1_1(conv2_block1_1_conv conv2_block1_1_bn) conv2_block1_2_conv) '
      + 'conv2_block2(conv2_block2_1_conv conv2_block2_2_conv)) head');
  });

  it('finds nothing in a plain chain, and leaves nested modules alone', () => {
    expect(inferModuleTree(chain(['dense', 'dense_1', 'dense_2', 'out']), () => false)).toBeUndefined();
    const nested = rootOf([{ ...layer('outer', 'x', 'v0'), body: [layer('inner', 'x', 'v0')] }, layer('a', 'v0', 'v1'), layer('b', 'v1', 'v2')], ['v2']);
    expect(inferModuleTree(nested, () => false)).toBeUndefined();
  });

  it('names modules apart from their siblings and ids apart from every id', () => {
    const body: Item[] = [
      node('mm', ['x', 'w'], ['a'], 'matmul'), node('act', ['a'], ['b']),
      node('mm#2', ['b', 'w'], ['c'], 'matmul'), node('act2', ['c'], ['d']),
    ];
    const root = inferModuleTree(rootOf(body, ['d']), (n) => n === 'w')!;
    expect(root.body.map((i) => [i.kind, i.name, i.id])).toEqual([['module', 'mm', 'mm#3'], ['module', 'mm#2', 'mm#2#2']]);
    expect(ids(root.body)).toEqual(['mm', 'act', 'mm#2', 'act2']);
  });
});
