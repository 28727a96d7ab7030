import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { randomTensor } from '../engine/helpers';
import { A, expectLikeTfjsGraph, GraphBuilder } from './tfjsGraphBuilder';

/**
 * TF ops of graph models, one small graph each, opened by our loader, run by the runner, and compared with
 * TF.js's graph executor (cpu backend) on the same model.json and shard.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x4 = (shape: readonly number[], seed = 1): Record<string, Tensor> => ({ x: randomTensor(shape, seed) });
const I = A.type('DT_INT32');

describe('tfjs graph loader: ops match TF.js', () => {
  it('runs _FusedConv2D (bias + Relu6, SAME, stride 2), DepthwiseConv2dNative with dilations, FusedDepthwiseConv2dNative with Prelu', async () => {
    const g = new GraphBuilder();
    g.input('x', [1, 7, 6, 3]);
    g.random('w', [3, 3, 3, 4], 2);
    g.random('b', [4], 3);
    g.op('c1', '_FusedConv2D', ['x', 'w', 'b'], { strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), fused_ops: A.strs(['BiasAdd', 'Relu6']), num_args: A.i(1), data_format: A.s('NHWC'), dilations: A.ints([1, 1, 1, 1]) });
    g.random('dw', [3, 3, 4, 2], 4);
    g.op('d1', 'DepthwiseConv2dNative', ['c1', 'dw'], { strides: A.ints([1, 1, 1, 1]), padding: A.s('SAME'), dilations: A.ints([1, 2, 2, 1]), data_format: A.s('NHWC') });
    g.random('dw2', [2, 2, 8, 1], 5);
    g.random('b2', [8], 6);
    g.random('alpha', [8], 7, 0, 0.5);
    g.op('d2', 'FusedDepthwiseConv2dNative', ['d1', 'dw2', 'b2', 'alpha'], { strides: A.ints([1, 1, 1, 1]), padding: A.s('VALID'), fused_ops: A.strs(['BiasAdd', 'Prelu']), num_args: A.i(2), data_format: A.s('NHWC'), dilations: A.ints([1, 1, 1, 1]) });
    await expectLikeTfjsGraph(g, x4([1, 7, 6, 3]), ['c1', 'd1', 'd2'], { atol: 1e-5, rtol: 1e-5 });
  });

  it('runs Conv2D with EXPLICIT padding, MaxPool, AvgPool (SAME), FusedBatchNormV3, LeakyRelu and Conv2DBackpropInput', async () => {
    const g = new GraphBuilder();
    g.input('x', [1, 6, 6, 2]);
    g.random('w', [2, 2, 2, 3], 2);
    g.op('c', 'Conv2D', ['x', 'w'], { strides: A.ints([1, 1, 1, 1]), padding: A.s('EXPLICIT'), explicit_paddings: A.ints([0, 0, 1, 0, 0, 1, 0, 0]), data_format: A.s('NHWC'), dilations: A.ints([1, 1, 1, 1]) });
    g.op('mp', 'MaxPool', ['c'], { ksize: A.ints([1, 2, 2, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
    g.op('ap', 'AvgPool', ['c'], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
    g.random('scale', [3], 3);
    g.random('offset', [3], 4);
    g.random('mean', [3], 5);
    g.random('var', [3], 6, 0.5, 1.5);
    g.op('bn', 'FusedBatchNormV3', ['ap', 'scale', 'offset', 'mean', 'var'], { epsilon: A.f(0.001), data_format: A.s('NHWC'), is_training: A.b(false), U: A.type('DT_FLOAT') });
    g.op('lr', 'LeakyRelu', ['bn'], { alpha: A.f(0.3) });
    g.const('sizes', [1, 5, 5, 2], [4], 'int32');
    g.random('tw', [3, 3, 2, 3], 7);
    g.op('up', 'Conv2DBackpropInput', ['sizes', 'tw', 'lr'], { strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC'), dilations: A.ints([1, 1, 1, 1]) });
    await expectLikeTfjsGraph(g, x4([1, 6, 6, 2]), ['mp', 'lr', 'up'], { atol: 1e-5, rtol: 1e-5 });
  });

  it('runs MatMul, BatchMatMulV2 with adjoints, _FusedMatMul with bias and Relu, Einsum, Softmax, LogSoftmax', async () => {
    const g = new GraphBuilder();
    g.input('x', [2, 3, 4]);
    g.random('w', [5, 4], 2);
    g.op('bm', 'BatchMatMulV2', ['x', 'x'], { adj_x: A.b(false), adj_y: A.b(true) });
    g.const('shape', [6, 4], [2], 'int32');
    g.op('flat', 'Reshape', ['x', 'shape'], { Tshape: I });
    g.op('mm', 'MatMul', ['flat', 'w'], { transpose_a: A.b(false), transpose_b: A.b(true) });
    g.random('b', [5], 3);
    g.op('fmm', '_FusedMatMul', ['flat', 'w', 'b'], { transpose_a: A.b(false), transpose_b: A.b(true), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1) });
    g.op('es', 'Einsum', ['x', 'x'], { equation: A.s('bij,bkj->bik'), N: A.i(2) });
    g.op('sm', 'Softmax', ['mm']);
    g.op('lsm', 'LogSoftmax', ['mm']);
    await expectLikeTfjsGraph(g, x4([2, 3, 4]), ['bm', 'mm', 'fmm', 'es', 'sm', 'lsm'], { atol: 1e-5, rtol: 1e-5 });
  });

  it('runs StridedSlice with begin, end, ellipsis, new-axis and shrink masks, Slice, Pack, Unpack, Split, SplitV, ConcatV2, Tile', async () => {
    const g = new GraphBuilder();
    g.input('x', [2, 5, 4, 3]);
    const c = (name: string, v: number[]): string => g.const(name, v, [v.length], 'int32');
    c('b1', [0, 1, 0]); c('e1', [0, 4, 3]); c('s1', [1, 2, -1]);
    g.op('ss1', 'StridedSlice', ['x', 'b1', 'e1', 's1'], { Index: I, begin_mask: A.i(1), end_mask: A.i(5), ellipsis_mask: A.i(0), new_axis_mask: A.i(0), shrink_axis_mask: A.i(0) });
    c('b2', [1, 0, 2]); c('e2', [2, 0, 3]); c('s2', [1, 1, 1]);
    g.op('ss2', 'StridedSlice', ['x', 'b2', 'e2', 's2'], { Index: I, begin_mask: A.i(0), end_mask: A.i(0), ellipsis_mask: A.i(2), new_axis_mask: A.i(0), shrink_axis_mask: A.i(5) });
    c('b3', [0, 0, -1]); c('e3', [0, 0, 0]); c('s3', [1, 1, 1]);
    g.op('ss3', 'StridedSlice', ['x', 'b3', 'e3', 's3'], { Index: I, begin_mask: A.i(1), end_mask: A.i(1), ellipsis_mask: A.i(0), new_axis_mask: A.i(2), shrink_axis_mask: A.i(4) });
    c('sb', [0, 1, 1, 0]); c('sz', [-1, 3, 2, 2]);
    g.op('sl', 'Slice', ['x', 'sb', 'sz'], { Index: I });
    g.op('un', 'Unpack', ['x'], { num: A.i(5), axis: A.i(1) });
    g.op('pk', 'Pack', ['un:4', 'un:0', 'un:2'], { N: A.i(3), axis: A.i(-1) });
    g.const('ax', [3], [], 'int32');
    g.op('sp', 'Split', ['ax', 'x'], { num_split: A.i(3) });
    c('sizes', [1, -1, 2]);
    g.const('ax1', [1], [], 'int32');
    g.op('spv', 'SplitV', ['x', 'sizes', 'ax1'], { num_split: A.i(3), Tlen: I });
    g.op('cat', 'ConcatV2', ['sp:2', 'sp:0', 'ax'], { N: A.i(2), Tidx: I });
    c('reps', [1, 2, 1, 2]);
    g.op('tile', 'Tile', ['spv:2', 'reps'], { Tmultiples: I });
    await expectLikeTfjsGraph(g, x4([2, 5, 4, 3]), ['ss1', 'ss2', 'ss3', 'sl', 'pk', 'spv:1', 'cat', 'tile']);
  });

  it('runs GatherV2, GatherNd, Pad, PadV2, MirrorPad, ResizeBilinear and ResizeNearestNeighbor in three coordinate modes', async () => {
    const g = new GraphBuilder();
    g.input('x', [1, 4, 5, 2]);
    g.const('idx', [3, 0, 4, 4], [4], 'int32');
    g.const('ax2', [2], [], 'int32');
    g.op('ga', 'GatherV2', ['x', 'idx', 'ax2'], { Tparams: A.type('DT_FLOAT'), Tindices: I, Taxis: I, batch_dims: A.i(0) });
    g.const('nd', [0, 1, 2, 0, 3, 4], [2, 3], 'int32');
    g.op('gnd', 'GatherNd', ['x', 'nd'], { Tparams: A.type('DT_FLOAT'), Tindices: I });
    g.const('pads', [0, 0, 1, 2, 2, 1, 0, 0], [4, 2], 'int32');
    g.op('pad', 'Pad', ['x', 'pads'], { Tpaddings: I });
    g.const('cv', [0.5], []);
    g.op('pad2', 'PadV2', ['x', 'pads', 'cv'], { Tpaddings: I });
    g.op('mirror', 'MirrorPad', ['x', 'pads'], { Tpaddings: I, mode: A.s('REFLECT') });
    g.const('size', [7, 3], [2], 'int32');
    const outs = ['ga', 'gnd', 'pad', 'pad2', 'mirror'];
    for (const [k, [ac, hp]] of ([[false, false], [true, false], [false, true]] as const).entries()) {
      g.op(`rb${k}`, 'ResizeBilinear', ['x', 'size'], { align_corners: A.b(ac), half_pixel_centers: A.b(hp) });
      g.op(`rn${k}`, 'ResizeNearestNeighbor', ['x', 'size'], { align_corners: A.b(ac), half_pixel_centers: A.b(hp) });
      outs.push(`rb${k}`, `rn${k}`);
    }
    await expectLikeTfjsGraph(g, x4([1, 4, 5, 2]), outs);
  });

  it('runs Mean, Sum, Max, Min, Prod, ArgMax, Squeeze, ExpandDims, Transpose, Shape, Fill, Range, Cast', async () => {
    const g = new GraphBuilder();
    g.input('x', [2, 1, 4, 3]);
    g.const('axes', [2, 3], [2], 'int32');
    g.const('a1', [-1], [], 'int32');
    const red = { Tidx: I };
    g.op('mean', 'Mean', ['x', 'axes'], { ...red, keep_dims: A.b(true) });
    g.op('sum', 'Sum', ['x', 'axes'], { ...red, keep_dims: A.b(false) });
    g.op('max', 'Max', ['x', 'a1'], { ...red, keep_dims: A.b(false) });
    g.op('min', 'Min', ['x', 'a1'], { ...red, keep_dims: A.b(true) });
    g.op('prod', 'Prod', ['x', 'axes'], { ...red, keep_dims: A.b(false) });
    g.op('am', 'ArgMax', ['x', 'a1'], { Tidx: I, output_type: A.type('DT_INT32') });
    g.op('sq', 'Squeeze', ['x'], { squeeze_dims: A.ints([1]) });
    g.op('ed', 'ExpandDims', ['sq', 'a1'], { Tdim: I });
    g.const('perm', [3, 0, 2, 1], [4], 'int32');
    g.op('tr', 'Transpose', ['x', 'perm'], { Tperm: I });
    g.op('sh', 'Shape', ['tr'], { out_type: I });
    g.const('fv', [2.5], []);
    g.op('fill', 'Fill', ['sh', 'fv'], { index_type: I });
    g.const('r0', [1], [], 'int32');
    g.const('r1', [10], [], 'int32');
    g.const('r2', [3], [], 'int32');
    g.op('range', 'Range', ['r0', 'r1', 'r2'], { Tidx: I });
    g.op('cast', 'Cast', ['am'], { SrcT: I, DstT: A.type('DT_FLOAT') });
    await expectLikeTfjsGraph(g, x4([2, 1, 4, 3]), ['mean', 'sum', 'max', 'min', 'prod', 'am', 'ed', 'tr', 'sh', 'fill', 'range', 'cast']);
  });

  it('runs elementwise math and activations: AddN, Sub, RealDiv, FloorDiv, FloorMod, Maximum, Minimum, Rsqrt, Square, SquaredDifference, Elu, Selu, Softplus, Relu6, Erf, Round, Floor, Ceil', async () => {
    const g = new GraphBuilder();
    g.input('x', [3, 4]);
    g.random('y', [4], 9, 0.5, 2);
    const un = ['Exp', 'Neg', 'Abs', 'Relu', 'Relu6', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Softplus', 'Erf', 'Round', 'Floor', 'Ceil', 'Square'];
    for (const op of un) g.op(op.toLowerCase(), op, ['x']);
    g.op('sq', 'SquaredDifference', ['x', 'y']);
    g.op('addn', 'AddN', ['x', 'x', 'sq'], { N: A.i(3) });
    g.op('sub', 'Sub', ['x', 'y']);
    g.op('div', 'RealDiv', ['x', 'y']);
    g.op('fdiv', 'FloorDiv', ['x', 'y']);
    g.op('fmod', 'FloorMod', ['x', 'y']);
    g.op('mx', 'Maximum', ['x', 'y']);
    g.op('mn', 'Minimum', ['x', 'y']);
    g.op('rs', 'Rsqrt', ['y']);
    g.op('sqrt', 'Sqrt', ['y']);
    g.op('log', 'Log', ['y']);
    g.op('bias', 'BiasAdd', ['x', 'y'], { data_format: A.s('NHWC') });
    await expectLikeTfjsGraph(g, { x: randomTensor([3, 4], 4, -3, 3) }, [...un.map((o) => o.toLowerCase()), 'sq', 'addn', 'sub', 'div', 'fdiv', 'fmod', 'mx', 'mn', 'rs', 'sqrt', 'log', 'bias']);
  });

  it('runs comparisons, logic, Select, SelectV2, Where, TopKV2 and NonMaxSuppressionV3/V4/V5', async () => {
    const g = new GraphBuilder();
    g.input('x', [6]);
    g.const('half', [0.5], []);
    g.op('lt', 'Less', ['x', 'half']);
    g.op('ge', 'GreaterEqual', ['x', 'half']);
    g.op('eq', 'Equal', ['x', 'x']);
    g.op('ne', 'NotEqual', ['x', 'half']);
    g.op('and', 'LogicalAnd', ['lt', 'eq']);
    g.op('or', 'LogicalOr', ['lt', 'ge']);
    g.op('not', 'LogicalNot', ['lt']);
    g.op('sel', 'SelectV2', ['lt', 'x', 'half']);
    g.op('where', 'Where', ['ge']);
    g.const('k', [3], [], 'int32');
    g.op('topk', 'TopKV2', ['x', 'k'], { sorted: A.b(true) });
    g.const('boxes', [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101], [6, 4]);
    g.const('maxo', [4], [], 'int32');
    g.const('iou', [0.5], []);
    g.const('st', [0.1], []);
    g.const('sigma', [0], []);
    g.op('nms3', 'NonMaxSuppressionV3', ['boxes', 'x', 'maxo', 'iou', 'st']);
    g.op('nms4', 'NonMaxSuppressionV4', ['boxes', 'x', 'maxo', 'iou', 'st'], { pad_to_max_output_size: A.b(true) });
    g.op('nms5', 'NonMaxSuppressionV5', ['boxes', 'x', 'maxo', 'iou', 'st', 'sigma'], { pad_to_max_output_size: A.b(false) });
    const x = new Tensor('float32', [6], Float32Array.from([0.9, 0.75, 0.6, 0.95, 0.3, 0.05]));
    await expectLikeTfjsGraph(g, { x }, ['lt', 'ge', 'ne', 'and', 'or', 'not', 'sel', 'where', 'topk', 'topk:1', 'nms3', 'nms4', 'nms4:1', 'nms5', 'nms5:1']);
  });
});

describe('tfjs graph loader: quantized weights', () => {
  it('dequantizes uint8 and uint16 Const weights as TF.js does (float16 is covered by the real models)', async () => {
    const g = new GraphBuilder();
    g.input('x', [2, 3]);
    g.quantized('w8', [0, 17, 255, 128, 3, 99], [3, 2], 'uint8', 0.0123, -1.5);
    g.op('m8', 'MatMul', ['x', 'w8']);
    g.quantized('w16', [0, 65535, 1234, 40000], [2, 2], 'uint16', 3.1e-5, -0.75);
    g.op('m16', 'MatMul', ['m8', 'w16']);
    // The uint16 weight starts at byte 6 of the shard, after the uint8 one.
    await expectLikeTfjsGraph(g, { x: randomTensor([2, 3], 5) }, ['m8', 'm16'], { atol: 1e-6, rtol: 1e-6 });
  });
});

describe('tfjs graph loader: structure', () => {
  it('groups nodes by name scope and a multi-node TF op into its own module', async () => {
    const g = new GraphBuilder();
    g.input('x', [1, 4, 4, 2]);
    g.random('block/conv/w', [1, 1, 2, 2], 2);
    g.op('block/conv/Conv2D', 'Conv2D', ['x', 'block/conv/w'], { strides: A.ints([1, 1, 1, 1]), padding: A.s('VALID'), data_format: A.s('NHWC') });
    g.op('block/Relu', 'Relu', ['block/conv/Conv2D']);
    const { openBuilt } = await import('./tfjsGraphBuilder');
    const m = await openBuilt(g);
    const { tree } = await import('./tfjsHelpers');
    expect(tree(m)).toBe([
      '<model> (model)',
      '  block (scope)',
      '    block/conv (scope)',
      '      block/conv/Conv2D (Conv2D)',
      '        block/conv/Conv2D/to_nchw = transpose',
      '        block/conv/Conv2D/conv = conv',
      '        block/conv/Conv2D/to_nhwc = transpose',
      '    block/Relu = relu',
    ].join('\n'));
    expect(m.inputs.map((i) => `${i.name} ${i.dtype}[${i.shape.join(',')}]`)).toEqual(['x float32[1,4,4,2]']);
    expect(m.outputs.map((o) => o.name)).toEqual(['block/Relu']);
    expect([...m.pendingWeights!.keys()]).toEqual(['block/conv/w/oihw']);
    // Each node and each TF-op module points at its node's object in model.json (gutter breakpoints, errors).
    const block = m.root.body[0];
    const convModule = block.kind === 'module' ? block.body[0] : undefined;
    const conv = convModule?.kind === 'module' ? convModule.body[0] : undefined;
    const op = conv?.kind === 'module' ? conv : undefined;
    expect(op?.source?.startLine).toBeGreaterThan(1);
    expect(op?.body.every((n) => n.source?.startLine === op.source?.startLine)).toBe(true);
    expect(op?.weights).toEqual({ 'block/conv/w/oihw': 'block/conv/w/oihw' });
  });
});

describe('tf ops: shape rules', () => {
  it('give the shapes run gives', async () => {
    const { defaultOps } = await import('../../../src/engine/ops/index');
    const a = randomTensor([2, 3, 4], 1);
    const b = randomTensor([4], 2, 0.5, 1.5);
    const cases: [string, Tensor[], Record<string, number | boolean>][] = [
      ['tfPack', [a, a, a], { axis: -1 }], ['tfUnpack', [a], { axis: 1 }], ['tfShape', [a], {}],
      ['tfMatMul', [a, a], { transposeA: false, transposeB: true }],
      ['tfMatMul', [a, a], { transposeA: true, transposeB: false }],
      ['tfFloorDiv', [a, b], {}], ['tfFloorMod', [b, a], {}], ['tfSquaredDifference', [a, b], {}], ['tfNotEqual', [a, b], {}],
    ];
    for (const [op, inputs, attrs] of cases) {
      const ran = defaultOps.run(op, inputs, attrs).map((t) => [...t.shape]);
      expect(defaultOps.shapes(op, inputs.map((t) => t.shape), attrs)!.map((s) => [...s]), op).toEqual(ran);
    }
  });
});

describe('tfjs graph loader: docs', () => {
  it('docs/tfjs-graph.md names every TF op the table maps', async () => {
    const { readFileSync } = await import('node:fs');
    const { supportedTfOps } = await import('../../../src/loaders/tfjsGraph/opTable');
    const doc = readFileSync('docs/tfjs-graph.md', 'utf8');
    const ops = supportedTfOps();
    expect(ops.filter((op) => !doc.includes(`\`${op}\``) && !doc.includes(`\`${op.replace(/^NonMaxSuppression/, '')}\``))).toEqual([]);
    expect(ops.length).toBe(129);
  });
});
