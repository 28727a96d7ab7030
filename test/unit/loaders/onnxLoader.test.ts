import { onnx } from '../../../src/loaders/onnx/proto';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { ByteBudget } from '../../../src/loaders/onnx/budget';
import { onnxLoader } from '../../../src/loaders/onnx/index';
import { supportedOnnxOps } from '../../../src/loaders/onnx/opTable';
import { decodeTensor } from '../../../src/loaders/onnx/tensors';
import { openModel } from '../../../src/loaders/registry';
import type { NodeDef } from '../../../src/model/ir';
import { Runner } from '../../../src/runner/runner';
import { expectClose, randomTensor } from '../engine/helpers';
import { MemorySource } from './memorySource';
import type { ModelSpec } from './onnxHelpers';
import { encodeModel, graphProto, load, modelProto, modulesById, runLayerstep, runOrt, treeText } from './onnxHelpers';

/** What the ONNX loader reads: tensor encodings, constants, external data, dims, domains, If, scopes, unsupported ops. */

const decode = (p: onnx.ITensorProto): Tensor => decodeTensor(p, 'tensor', { file: 'm.onnx', budget: new ByteBudget(1e6, 'm.onnx') });
const bytes = (...arrays: ArrayBufferView[]): Uint8Array =>
  Uint8Array.from(arrays.flatMap((a) => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)]));

function nodes(model: { root: { body: readonly unknown[] } }): NodeDef[] {
  const out: NodeDef[] = [];
  const walk = (items: readonly unknown[]): void => {
    for (const item of items as (NodeDef | { kind: 'module'; body: unknown[] })[]) {
      if (item.kind === 'node') out.push(item);
      else walk(item.body);
    }
  };
  walk(model.root.body);
  return out;
}

describe('ONNX loader', () => {
  it('claims .onnx files and ModelProto bytes, not JSON', () => {
    const head = encodeModel({ inputs: [], outputs: [], nodes: [] }).subarray(0, 64);
    expect(onnxLoader.match('resnet.onnx', new Uint8Array())).toBe(true);
    expect(onnxLoader.match('model.bin', head)).toBe(true);
    expect(onnxLoader.match('model.json', new TextEncoder().encode('{"format": "layerstep/1"}'))).toBe(false);
    // A TensorFlow SavedModel starts with field 1 = 1 and field 2: not ONNX.
    expect(onnxLoader.match('saved_model.pb', Uint8Array.of(0x08, 0x01, 0x12, 0x05))).toBe(false);
  });

  it('decodes tensors from raw_data and from the typed fields, widening to the engine dtypes', () => {
    expect(decode({ dims: [3], dataType: 10, rawData: bytes(Uint16Array.of(0x3c00, 0xc000, 0x7c00)) }).toArray()).toEqual([1, -2, Infinity]);
    expect(decode({ dims: [2], dataType: 10, int32Data: [0x3800, 0x0001] }).toArray()).toEqual([0.5, 2 ** -24]);
    expect(decode({ dims: [2], dataType: 16, int32Data: [0x3f80, 0xc040] }).toArray()).toEqual([1, -3]);
    expect(decode({ dims: [2], dataType: 11, doubleData: [0.1, 2] }).data).toEqual(Float32Array.of(0.1, 2));
    const int8 = decode({ dims: [2, 2], dataType: 3, rawData: bytes(Int8Array.of(-128, 5, 127, -1)) });
    expect([int8.dtype, ...int8.shape, ...int8.toArray()]).toEqual(['int32', 2, 2, -128, 5, 127, -1]);
    expect(decode({ dims: [2], dataType: 2, rawData: Uint8Array.of(200, 7) }).toArray()).toEqual([200, 7]);
    expect(decode({ dims: [2], dataType: 5, rawData: bytes(Int16Array.of(-300, 300)) }).toArray()).toEqual([-300, 300]);
    expect(decode({ dims: [1], dataType: 4, int32Data: [65535] }).toArray()).toEqual([65535]);
    const u64 = decode({ dims: [2], dataType: 13, rawData: bytes(BigUint64Array.of(3n, 2n ** 40n)) });
    expect([u64.dtype, ...u64.toArray()]).toEqual(['int64', 3, 2 ** 40]);
    expect(decode({ dims: [1], dataType: 12, uint64Data: [4000000000] }).toArray()).toEqual([4000000000]);
    expect(decode({ dims: [2], dataType: 7, rawData: bytes(BigInt64Array.of(-5n, 9n)) }).toArray()).toEqual([-5, 9]);
    const b = decode({ dims: [3], dataType: 9, rawData: Uint8Array.of(1, 0, 1) });
    expect([b.dtype, ...b.toArray()]).toEqual(['bool', 1, 0, 1]);
    expect(decode({ dims: [], dataType: 1, floatData: [2.5] }).shape).toEqual([]);
    expect(() => decode({ dims: [1], dataType: 8, stringData: [Uint8Array.of(97)] })).toThrow(
      'm.onnx: tensor has element type string, which Layerstep cannot hold.');
  });

  it('folds Constant nodes of every form into weights', async () => {
    const spec: ModelSpec = {
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['a'], attrs: { value_float: 1.5 } },
        { op: 'Constant', inputs: [], outputs: ['b'], attrs: { value_floats: [1, 2.5] } },
        { op: 'Constant', inputs: [], outputs: ['c'], attrs: { value_int: 3 } },
        { op: 'Constant', inputs: [], outputs: ['d'], attrs: { value_ints: [2] } },
        { op: 'Constant', inputs: [], outputs: ['e'], attrs: { value: Tensor.from([2], [10, 20]) } },
        { op: 'Mul', inputs: ['x', 'b'], outputs: ['m'] },
        { op: 'Add', inputs: ['m', 'e'], outputs: ['y'] },
      ],
    };
    const model = await load(encodeModel(spec));
    const w = (k: string) => [model.weights.get(k)!.dtype, model.weights.get(k)!.shape, model.weights.get(k)!.toArray()];
    expect([w('a'), w('b'), w('c'), w('d'), w('e')]).toEqual([
      ['float32', [], [1.5]], ['float32', [2], [1, 2.5]], ['int64', [], [3]], ['int64', [1], [2]], ['float32', [2], [10, 20]],
    ]);
    expect(nodes(model).map((n) => n.op)).toEqual(['mul', 'add']);
    const out = await runLayerstep(model, { x: Tensor.from([2], [1, 2]) });
    expect(out.get('y')!.toArray()).toEqual([11, 25]);
  });

  it('reads external data beside the model, at an offset, from a subfolder', async () => {
    const w = Float32Array.of(1, 2, 3);
    const file = bytes(Float32Array.of(99), w);
    const m = modelProto({
      inputs: [{ name: 'x', dtype: 'float32', shape: [3] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [3] }],
      nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
    });
    m.graph!.initializer = [{
      name: 'w', dims: [3], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: './data/../data/weights.bin' }, { key: 'offset', value: '4' }, { key: 'length', value: '12' }],
    }];
    const source = new MemorySource('model.onnx', encodeModel(m), { 'data/weights.bin': file });
    const model = await openModel(source);
    expect(model.weights.get('w')!.toArray()).toEqual([1, 2, 3]);
    expect(source.reads).toEqual(['data/weights.bin']);
  });

  it('keeps symbolic and unknown dimensions and numeric value names', async () => {
    const spec: ModelSpec = {
      inputs: [{ name: '0', dtype: 'float32', shape: ['batch', null, 3] }],
      outputs: [{ name: '3', dtype: 'float32', shape: ['batch', null, 3] }],
      initializers: { 1: Tensor.from([3], [1, 2, 3]) },
      nodes: [{ op: 'Mul', name: 'Mul_0', inputs: ['0', '1'], outputs: ['2'] }, { op: 'Relu', name: 'Relu_1', inputs: ['2'], outputs: ['3'] }],
    };
    const model = await load(encodeModel(spec));
    expect(model.inputs).toEqual([{ name: '0', dtype: 'float32', shape: ['batch', null, 3] }]);
    const x = randomTensor([2, 5, 3], 1);
    const want = await runOrt(encodeModel(spec), { 0: x });
    const got = await runLayerstep(model, { 0: x });
    expectClose(got.get('3')!, want.get('3')!.data, [2, 5, 3]);
    expect(treeText(model.root)).toBe('graph (model)\n  Mul_0 [mul]\n  Relu_1 [relu]');
  });

  it('opens a model with an unsupported op and stops running there with a sentence naming op, node and opset', async () => {
    const spec: ModelSpec = {
      opset: 17,
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2, 2] }],
      initializers: { 'attn.w': randomTensor([3, 2], 2) },
      nodes: [
        { op: 'Relu', name: 'attn/2', inputs: ['x'], outputs: ['r'] },
        { op: 'Einsum', name: 'attn/3', inputs: ['r', 'attn.w'], outputs: ['e'], attrs: { equation: 'ij,jk->ik' } },
        { op: 'Neg', name: 'attn/4', inputs: ['e'], outputs: ['y'] },
      ],
    };
    const model = await load(encodeModel(spec));
    const einsum = nodes(model)[1];
    expect([einsum.id, einsum.op, einsum.attrs.equation]).toEqual(['attn/3', 'unsupported:Einsum', 'ij,jk->ik']);
    expect(model.weights.has('attn.w')).toBe(true);
    expect(modulesById(model.root).get('attn')!.weights).toEqual({ w: 'attn.w' });
    const runner = new Runner(model, { x: randomTensor([2, 3], 3) });
    await expect(runner.continue()).rejects.toThrow(/^model\.onnx: Unsupported op 'Einsum' in node 'attn\/3' \(opset 17\)$/);
    expect(runner.position.frame.item.id).toBe('attn/3');
  });

  it('marks ops of other domains as unsupported, naming the domain', async () => {
    const m = modelProto({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'FastGelu', name: 'g', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }],
    });
    m.opsetImport!.push({ domain: 'com.microsoft', version: 1 });
    const model = await load(encodeModel(m));
    expect(nodes(model)[0].op).toBe('unsupported:com.microsoft.FastGelu');
    await expect(runLayerstep(model, { x: Tensor.from([2], [1, 2]) })).rejects.toThrow(
      "model.onnx: Unsupported op 'com.microsoft.FastGelu' in node 'g' (com.microsoft opset 1): the domain 'com.microsoft' is not one Layerstep runs");
  });

  it('expands an If whose condition is a constant into a module of the branch it takes', async () => {
    const branch = (op: string, out: string) => graphProto({
      name: out, inputs: [], outputs: [{ name: out }], nodes: [{ op, name: `/${op}`, inputs: ['x'], outputs: [out] }],
    });
    const spec = (cond: boolean | undefined): ModelSpec => ({
      inputs: [{ name: 'x', dtype: 'float32', shape: [3] }, ...(cond === undefined ? [{ name: 'c', dtype: 'bool' as const, shape: [] }] : [])],
      outputs: [{ name: 'y', dtype: 'float32', shape: [3] }],
      initializers: cond === undefined ? {} : { c: Tensor.from([], [cond ? 1 : 0], 'bool') },
      nodes: [
        { op: 'If', name: '/block/If', inputs: ['c'], outputs: ['t'], attrs: { then_branch: branch('Neg', 'a'), else_branch: branch('Relu', 'b') } },
        { op: 'Abs', name: '/block/Abs', inputs: ['t'], outputs: ['y'] },
      ],
    });
    const x = Tensor.from([3], [-1, 2, -3]);
    const taken = await load(encodeModel(spec(true)));
    expect(treeText(taken.root)).toBe('graph (model)\n  block (scope)\n    If (If)\n      Neg [neg]\n    Abs [abs]');
    expect(modulesById(taken.root).get('block/If')!.attrs).toEqual({ condition: true, branch: 'then_branch' });
    expect(modulesById(taken.root).get('block/If')!.outputs).toEqual(['t']);
    expect((await runLayerstep(taken, { x })).get('y')!.toArray()).toEqual([1, 2, 3]);
    const other = await load(encodeModel(spec(false)));
    expect((await runLayerstep(other, { x })).get('y')!.toArray()).toEqual([0, 2, 0]);

    const dynamic = await load(encodeModel(spec(undefined)));
    // A computed condition: the If is a module whose branch is chosen when the run reaches it.
    expect(modulesById(dynamic.root).get('block/If')!.control?.kind).toBe('if');
    expect((await runLayerstep(dynamic, { x, c: Tensor.from([], [1], 'bool') })).get('y')!.toArray()).toEqual([1, 2, 3]);
    expect((await runLayerstep(dynamic, { x, c: Tensor.from([], [0], 'bool') })).get('y')!.toArray()).toEqual([0, 2, 0]);
  });

  it('sorts nodes given out of order and starts a new module when a scope comes back', async () => {
    const spec: ModelSpec = {
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
      nodes: [
        { op: 'Neg', name: '/a/Neg', inputs: ['p'], outputs: ['y'] },
        { op: 'Relu', name: '/a/Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Abs', name: '/b/Abs', inputs: ['r'], outputs: ['p'] },
      ],
    };
    const model = await load(encodeModel(spec));
    expect(treeText(model.root)).toBe('graph (model)\n  a (scope)\n    Relu [relu]\n  b (scope)\n    Abs [abs]\n  a#2 (scope)\n    Neg [neg]');
    expect(modulesById(model.root).get('a#2')!.inputs).toEqual(['p']);
    expect((await runLayerstep(model, { x: Tensor.from([2], [-1, 2]) })).get('y')!.toArray()).toEqual([-0, -2]);
  });

  it('accepts opsets newer than any it knows and records the producer on the root', async () => {
    const spec: ModelSpec = {
      opset: 30, irVersion: 12, producer: 'pytorch',
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }], outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    };
    const model = await load(encodeModel(spec));
    expect(model.root.attrs).toEqual({ irVersion: 12, opset: 30, producer: 'pytorch' });
    expect(model.format).toBe('onnx');
  });

  it('lists the ONNX ops it maps', () => {
    const ops = supportedOnnxOps();
    for (const op of ['Cast', 'Shape', 'ConstantOfShape', 'Where', 'LSTM', 'GRU', 'If', 'Constant', 'Resize', 'TopK']) expect(ops).toContain(op);
  });
});
