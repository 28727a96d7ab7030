import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { decodeTensor } from '../../../src/loaders/onnx/tensors';
import { ByteBudget } from '../../../src/loaders/onnx/budget';
import { SCHEMA, isMessage } from '../../../src/loaders/onnx/proto/schema';
import { ProtoError, decodeMessage, encodeMessage, onnx } from '../../../src/loaders/onnx/proto';
import { encodeModel, load, modelProto, refusal, relu, runLayerstep, runOrt } from './onnxHelpers';

/**
 * Our onnx.proto reader and writer (src/loaders/onnx/proto): every message round-trips, fields a newer onnx.proto
 * adds are reported by name, hostile bytes are refused with one sentence (never a crash or a hang), and the
 * 16-, 8-, 4- and 2-bit element types decode as the ONNX specification's bit patterns say and as onnxruntime reads them.
 */


function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
  out.push(n);
  return out;
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A length-delimited field. */
const lenField = (no: number, bytes: Uint8Array): Uint8Array => concat(varint((no << 3) | 2), varint(bytes.length), bytes);

describe('onnx.proto schema', () => {
  it('names only messages it defines, with one field per number', () => {
    for (const spec of Object.values(SCHEMA)) {
      expect(new Set(spec.fields.map((f) => f.no)).size, spec.name).toBe(spec.fields.length);
      for (const f of spec.fields) if (isMessage(f.type)) expect(SCHEMA, `${spec.name}.${f.name}`).toHaveProperty([f.type]);
    }
  });

  it('round-trips every message and field of a model', () => {
    const kv = [{ key: 'k', value: 'v' }];
    const tensor: onnx.ITensorProto = {
      dims: [2, 1], dataType: 1, segment: { begin: 0, end: 2 }, floatData: [1.5, -2], int32Data: [3, -4], stringData: [Uint8Array.of(65)],
      int64Data: [2 ** 40, -7], name: 't', docString: 'd', rawData: Uint8Array.of(1, 2), externalData: kv, dataLocation: 1,
      doubleData: [0.1], uint64Data: [2 ** 52], metadataProps: kv,
    };
    const type: onnx.ITypeProto = {
      sequenceType: { elemType: { mapType: { keyType: 7, valueType: { optionalType: { elemType: { tensorType: {
        elemType: 1, shape: { dim: [{ dimValue: 3, denotation: 'DATA_BATCH' }, { dimParam: 'n' }] },
      } } } } } } },
      denotation: 'x',
    };
    const graph: onnx.IGraphProto = {
      node: [{
        input: ['a'], output: ['b'], name: 'n', opType: 'Op', domain: 'd', overload: 'o', docString: 'doc', metadataProps: kv,
        attribute: [{
          name: 'a', refAttrName: 'r', docString: 'd', type: 4, f: 0.5, i: -3, s: Uint8Array.of(9), t: tensor,
          sparseTensor: { values: tensor, indices: { dims: [1], dataType: 7, int64Data: [0] }, dims: [4] }, tp: type,
          floats: [1, 2], ints: [3, -4], strings: [Uint8Array.of(1)], tensors: [tensor], graphs: [{ name: 'inner' }],
          sparseTensors: [{ dims: [1] }], typeProtos: [{ opaqueType: { domain: 'd', name: 'n' } }], g: { name: 'sub' },
        }],
        deviceConfigurations: [{ configurationId: 'c', pipelineStage: 2, shardingSpec: [{
          tensorName: 't', device: [0, 1], indexToDeviceGroupMap: [{ key: 1, value: [0, 1] }],
          shardedDim: [{ axis: 0, simpleSharding: [{ dimParam: 'n', numShards: 2 }] }],
        }] }],
      }],
      name: 'g', initializer: [tensor], sparseInitializer: [{ dims: [2] }], docString: 'd',
      input: [{ name: 'i', type, docString: 'd', metadataProps: kv }], output: [{ name: 'o', type: { sparseTensorType: { elemType: 1 } } }],
      valueInfo: [{ name: 'v' }], quantizationAnnotation: [{ tensorName: 't', quantParameterTensorNames: kv }], metadataProps: kv,
    };
    const model: onnx.IModelProto = {
      irVersion: 11, opsetImport: [{ domain: '', version: 23 }], producerName: 'p', producerVersion: '1', domain: 'd', modelVersion: 2,
      docString: 'd', graph, metadataProps: kv,
      trainingInfo: [{ initialization: { name: 'init' }, algorithm: { name: 'algo' }, initializationBinding: kv, updateBinding: kv }],
      functions: [{
        name: 'f', input: ['x'], output: ['y'], attribute: ['alpha'], attributeProto: [{ name: 'beta', type: 1, f: 1 }],
        node: [{ opType: 'Relu', input: ['x'], output: ['y'] }], docString: 'd', opsetImport: [{ domain: '', version: 21 }],
        domain: 'local', overload: 'o', valueInfo: [{ name: 'x' }], metadataProps: kv,
      }],
      configuration: [{ name: 'mesh', numDevices: 2, device: ['a', 'b'] }],
    };
    const bytes = onnx.ModelProto.encode(model).finish();
    const back = decodeMessage<onnx.IModelProto>('ModelProto', bytes);
    expect(back.unknownFields).toEqual([]);
    // Float fields are float32 on the wire, so 0.1 in double_data survives but floats compare after rounding.
    expect(back.message).toEqual(model);
  });

  it('merges a message met twice, as protobuf does', () => {
    const twice = concat(lenField(7, encodeMessage('GraphProto', { name: 'g', node: [{ opType: 'A' }] })), lenField(7, encodeMessage('GraphProto', { node: [{ opType: 'B' }] })));
    expect(decodeMessage<onnx.IModelProto>('ModelProto', twice).message.graph).toEqual({ name: 'g', node: [{ opType: 'A' }, { opType: 'B' }] });
  });

  it('accepts repeated numbers both packed and unpacked, and keeps the last member of a oneof', () => {
    const unpacked = concat([0x25], new Uint8Array(Float32Array.of(2.5).buffer), [0x25], new Uint8Array(Float32Array.of(-1).buffer));
    expect(decodeMessage<onnx.ITensorProto>('TensorProto', unpacked).message.floatData).toEqual([2.5, -1]);
    const dim = concat([0x08, 5], lenField(2, new TextEncoder().encode('n')));
    expect(decodeMessage<onnx.ITensorShapeProtoDimension>('TensorShapeProto.Dimension', dim).message).toEqual({ dimParam: 'n' });
  });
});

describe('ONNX loader: fields of a newer onnx.proto', () => {
  it('reports unknown fields as Message.number and still loads the model', async () => {
    const m = modelProto(relu);
    const node = concat(encodeMessage('NodeProto', m.graph!.node![0]), [0x90, 0x03, 0x01]); // NodeProto field 50, varint 1
    const graph = concat(encodeMessage('GraphProto', { ...m.graph, node: [] }), lenField(1, node));
    const model = concat(encodeMessage('ModelProto', { ...m, graph: undefined }), lenField(7, graph), lenField(99, Uint8Array.of(1, 2, 3)));
    const loaded = await load(model);
    expect(loaded.metadata?.unknownFields).toEqual(['NodeProto.50', 'ModelProto.99']);
    const y = (await runLayerstep(loaded, { x: Tensor.from([2], [-1, 2]) })).get('y')!;
    expect(Array.from(y.data)).toEqual([0, 2]);
    expect((await load(encodeModel(relu))).metadata?.unknownFields).toBeUndefined();
  });

  it('runs the inference graph of a model with training info, and names the local function a node calls', async () => {
    const m = modelProto({ ...relu, nodes: [...relu.nodes.map((n) => ({ ...n, outputs: ['h'] })), { op: 'Twice', domain: 'local', inputs: ['h'], outputs: ['y'] }] });
    m.trainingInfo = [{ algorithm: { name: 'step' } }];
    m.functions = [{ name: 'Twice', domain: 'local', input: ['a'], output: ['b'], node: [{ opType: 'Add', input: ['a', 'a'], output: ['b'] }] }];
    const loaded = await load(onnx.ModelProto.encode(m).finish());
    const call = loaded.root.body.find((i) => i.kind === 'node' && i.op.startsWith('unsupported:'));
    expect(call?.kind === 'node' && call.attrs.__unsupported).toBe(
      "Unsupported op 'local.Twice' in node 'Twice' (local opset 1): it calls the model-local function 'local.Twice', which Layerstep does not inline");
  });

  it('refuses a tensor that is a segment of a larger one, naming it', async () => {
    const m = modelProto({ ...relu, initializers: { w: Tensor.from([2], [1, 2]) } });
    m.graph!.initializer![0].segment = { begin: 0, end: 2 };
    expect((await refusal(load(encodeModel(m)))).message).toBe(
      "model.onnx: initializer 'w' is a segment (elements 0 to 2) of a larger tensor, and Layerstep does not join segments.");
  });
});

describe('ONNX loader: hostile protobuf', () => {
  const corrupt = /^model\.onnx is not a valid ONNX model: its protobuf data is truncated or corrupt \(.+\)\.$/;

  it('refuses a truncated varint, a length past the end, field number 0 and group wire types', async () => {
    for (const bytes of [[0x08, 0x80], [0x08, 0x0b, 0x3a, 0xff, 0x01, 0x00], [0x00, 0x01], [0x08, 0x0b, 0xab, 0x01], [0x08, 0x0b, 0x25, 1, 2]]) {
      expect((await refusal(load(Uint8Array.from(bytes)))).message).toMatch(corrupt);
    }
    const e = await refusal(load(Uint8Array.of(0x08, 0x0b, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x07)));
    expect(e.message).toContain('claims 2147483647 bytes');
  });

  it('refuses a length that runs past the message holding it', async () => {
    // A graph (field 7) of 4 bytes holding a node (field 1) that claims 10.
    const bytes = Uint8Array.of(0x08, 0x0b, 0x3a, 0x04, 0x0a, 0x0a, 0x00, 0x00, ...new Array<number>(12).fill(0));
    expect((await refusal(load(bytes))).message).toMatch(/claims 10 bytes, past the end of the message holding it/);
  });

  it('refuses subgraphs and types nested deeper than 64 levels, and reads 20 levels of subgraphs', async () => {
    const nest = (levels: number): onnx.IGraphProto => {
      let g: onnx.IGraphProto = { name: 'leaf' };
      for (let i = 0; i < levels; i++) g = { node: [{ opType: 'If', input: ['c'], attribute: [{ name: 'then_branch', type: 5, g }] }] };
      return g;
    };
    const deep = concat([0x08, 0x0b], lenField(7, encodeMessage('GraphProto', nest(30))));
    expect((await refusal(load(deep))).message).toMatch(/^model\.onnx is not a valid ONNX model Layerstep reads: its messages nest more than 64 levels deep \(.*AttributeProto.*\)\.$/);
    expect(decodeMessage<onnx.IGraphProto>('GraphProto', encodeMessage('GraphProto', nest(20))).message.node).toHaveLength(1);
    // A sequence of sequences of ... as a raw byte tower, 1000 levels: refused at level 64, no stack overflow.
    let t: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 1000; i++) t = lenField(1, lenField(4, t)); // TypeProto.Sequence.elem_type, TypeProto.sequence_type
    expect(() => decodeMessage('TypeProto.Sequence', t)).toThrow(ProtoError);
    expect(() => decodeMessage('TypeProto.Sequence', t)).toThrow(/nest more than 64 levels/);
  });

  it('refuses a file of many tiny messages or values before they exhaust memory', async () => {
    // 1.1 million empty nodes: 2.2 MB of file, some 70 MB as objects, past the 64 MiB floor of the message budget.
    const nodes = new Uint8Array(2 * 1_100_000);
    for (let i = 0; i < nodes.length; i += 2) nodes[i] = 0x0a;
    const e = await refusal(load(concat([0x08, 0x0b], lenField(7, nodes)), {}, { maxBytes: 1000 }));
    expect(e.message).toBe('model.onnx is too large to read: its messages would take more than the 67108864 bytes allowed (maxBytes).');
    // A packed run of 10 million one-byte int64 values (80 MB as numbers) in a TensorProto.
    const packed = concat([0x3a], varint(10_000_000), new Uint8Array(10_000_000));
    expect(() => decodeMessage('TensorProto', packed, { maxBytes: 64 * 1024 ** 2 })).toThrow(/would take more than/);
    // A packed float run whose length claims more bytes than the file has.
    expect(() => decodeMessage('TensorProto', Uint8Array.of(0x22, 0xff, 0xff, 0xff, 0xff, 0x07, 0, 0, 0, 0))).toThrow(/claims 2147483647 bytes/);
  });
});

const decode = (p: onnx.ITensorProto): number[] =>
  Array.from(decodeTensor(p, 'tensor', { file: 'm.onnx', budget: new ByteBudget(1e8, 'm.onnx') }).data as ArrayLike<number>);
const T = onnx.TensorProto.DataType;

describe('ONNX element types', () => {
  // Hand-worked from onnx docs/technical (float8.md, float4.md, int4.md, int2.md) and onnx.proto's packing rules.
  const cases: [string, number, number[], number[]][] = [
    ['bfloat16', T.BFLOAT16, [0x80, 0x3f, 0x00, 0xc0, 0x80, 0x7f], [1, -2, Infinity]],
    ['float16', T.FLOAT16, [0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00], [1, -2, 2 ** -24]],
    // E4M3FN: bias 7, S.1111.111 is NaN, no infinity; 0x7e = 1.75 * 2^8 is the largest value.
    ['float8e4m3fn', T.FLOAT8E4M3FN, [0x38, 0x7e, 0x7f, 0xff, 0x01, 0x80, 0xb8], [1, 448, NaN, NaN, 2 ** -9, -0, -1]],
    // E4M3FNUZ: bias 8, 0x80 alone is NaN, no negative zero.
    ['float8e4m3fnuz', T.FLOAT8E4M3FNUZ, [0x40, 0x7f, 0x80, 0x01, 0xff], [1, 240, NaN, 2 ** -10, -240]],
    // E5M2: bias 15, IEEE-like: S.11111.00 is infinity, S.11111.xx (xx != 0) NaN.
    ['float8e5m2', T.FLOAT8E5M2, [0x3c, 0x7b, 0x7c, 0xfc, 0x7d, 0x01], [1, 57344, Infinity, -Infinity, NaN, 2 ** -16]],
    // E5M2FNUZ: bias 16, 0x80 is NaN.
    ['float8e5m2fnuz', T.FLOAT8E5M2FNUZ, [0x40, 0x7f, 0x80, 0x01], [1, 57344, NaN, 2 ** -17]],
    // E8M0: 2^(b - 127), 0xff is NaN.
    ['float8e8m0', T.FLOAT8E8M0, [0x7f, 0x00, 0xfe, 0xff], [1, 2 ** -127, 2 ** 127, NaN]],
    // Two 4-bit values a byte, the first in the low nibble.
    ['float4e2m1', T.FLOAT4E2M1, [0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe], [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0, -0.5, -1, -1.5, -2, -3, -4, -6]],
    ['int4', T.INT4, [0xf1, 0x87, 0x05], [1, -1, 7, -8, 5]],
    ['uint4', T.UINT4, [0xf1, 0x87, 0x05], [1, 15, 7, 8, 5]],
    // Four 2-bit values a byte, the first in bits 0-1: 0xe4 = 11 10 01 00.
    ['int2', T.INT2, [0xe4, 0x03], [0, 1, -2, -1, -1]],
    ['uint2', T.UINT2, [0xe4, 0x03], [0, 1, 2, 3, 3]],
  ];

  it.each(cases)('reads %s from raw_data as the specification says', (_, dataType, bytes, expected) => {
    const got = decode({ dims: [expected.length], dataType, rawData: Uint8Array.from(bytes) });
    expect(got.map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(expected.map((v) => (Number.isNaN(v) ? 'NaN' : v)));
  });

  it('reads the small types from int32_data: one byte of bits per entry', () => {
    expect(decode({ dims: [3], dataType: T.INT4, int32Data: [0xf1, 0x07] })).toEqual([1, -1, 7]);
    expect(decode({ dims: [5], dataType: T.UINT2, int32Data: [0xe4, 0x03] })).toEqual([0, 1, 2, 3, 3]);
    expect(decode({ dims: [2], dataType: T.FLOAT8E4M3FN, int32Data: [0x38, 0x7e] })).toEqual([1, 448]);
    expect(decode({ dims: [1], dataType: T.BFLOAT16, int32Data: [0x3f80] })).toEqual([1]);
  });

  it('refuses packed data that does not fill the shape, counting values rather than bytes', () => {
    expect(() => decode({ name: 'q', dims: [3], dataType: T.INT4, rawData: Uint8Array.of(0x11) })).toThrow(
      'm.onnx: tensor holds 2 values (1 bytes of int4) but its shape [3] needs 3.');
    expect(() => decode({ dims: [5], dataType: T.INT2, int32Data: [0] })).toThrow('m.onnx: tensor holds 4 values but its shape [5] needs 5.');
    expect(() => decode({ dims: [1], dataType: T.COMPLEX64, floatData: [1, 2] })).toThrow(
      'm.onnx: tensor has element type complex64, which Layerstep cannot hold.');
  });

  /** Every bit pattern of a type as raw data: 2^bits values, little-endian, packed from the low bits up. */
  function allPatterns(bits: number): { count: number; raw: Uint8Array } {
    const count = 2 ** bits;
    const raw = new Uint8Array(Math.ceil((count * bits) / 8));
    if (bits === 16) new Uint16Array(raw.buffer).set(Uint16Array.from({ length: count }, (_, i) => i));
    else for (let i = 0; i < count; i++) raw[(i * bits) >> 3] |= i << ((i * bits) & 7);
    return { count, raw };
  }

  // onnxruntime-node has Cast kernels for all of these but float4e2m1 (checked in a unit test above by hand instead).
  const peers: [string, number, number, number][] = [
    ['float16', T.FLOAT16, 16, T.FLOAT], ['bfloat16', T.BFLOAT16, 16, T.FLOAT], ['float8e4m3fn', T.FLOAT8E4M3FN, 8, T.FLOAT],
    ['float8e4m3fnuz', T.FLOAT8E4M3FNUZ, 8, T.FLOAT], ['float8e5m2', T.FLOAT8E5M2, 8, T.FLOAT], ['float8e5m2fnuz', T.FLOAT8E5M2FNUZ, 8, T.FLOAT],
    ['float8e8m0', T.FLOAT8E8M0, 8, T.FLOAT], ['int4', T.INT4, 4, T.INT32], ['uint4', T.UINT4, 4, T.INT32],
    ['int2', T.INT2, 2, T.INT32], ['uint2', T.UINT2, 2, T.INT32],
  ];

  it.each(peers)('reads every %s bit pattern as onnxruntime casts it (exactly: tolerance 0)', async (_, dataType, bits, to) => {
    const { count, raw } = allPatterns(bits);
    const m = modelProto({ inputs: [], outputs: [{ name: 'y', dtype: to === T.FLOAT ? 'float32' : 'int32', shape: [count] }], nodes: [
      { op: 'Cast', name: 'cast', inputs: ['w'], outputs: ['y'], attrs: { to } },
    ], opset: 25, irVersion: 11 });
    m.graph!.initializer = [{ name: 'w', dims: [count], dataType, rawData: raw }];
    const bytes = encodeModel(m);
    const ours = Array.from((await runLayerstep(await load(bytes), {})).get('y')!.data as ArrayLike<number>);
    const theirs = Array.from((await runOrt(bytes, {})).get('y')!.data as ArrayLike<number>);
    expect(ours).toHaveLength(count);
    // NaN payloads and signs are not compared: onnxruntime widens every NaN to the same one.
    const same = (a: number, b: number): boolean => (Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b));
    expect(ours.filter((v, i) => !same(v, theirs[i])), `first mismatch at ${ours.findIndex((v, i) => !same(v, theirs[i]))}`).toEqual([]);
  });
});
