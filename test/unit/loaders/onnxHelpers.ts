import { onnx } from '../../../src/loaders/onnx/proto';
import * as ort from 'onnxruntime-node';
import { Tensor } from '../../../src/engine/tensor';
import type { DType } from '../../../src/engine/tensor';
import { openModel } from '../../../src/loaders/registry';
import type { LoadOptions } from '../../../src/loaders/types';
import type { Item, Model, ModuleDef } from '../../../src/model/ir';
import { Runner } from '../../../src/runner/runner';
import { expect } from 'vitest';
import { ModelError } from '../../../src/model/errors';
import { MemorySource } from './memorySource';

/**
 * Building ONNX models in tests with src/loaders/onnx/proto (the schema the loader reads), running them in
 * onnxruntime-node as the oracle and in Layerstep (loader + runner), and printing module trees.
 */

/** An attribute: integers → INT(S), other numbers → FLOAT(S), strings, tensors, graphs; `{ f }` forces FLOAT. */
export type Attr = number | string | readonly number[] | readonly string[] | Tensor | onnx.IGraphProto | { readonly f: number } | { readonly fs: readonly number[] };

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attrs?: Readonly<Record<string, Attr>>;
}

export interface ValueSpec {
  readonly name: string;
  readonly dtype?: DType;
  readonly shape?: readonly (number | string | null)[];
}

export interface GraphSpec {
  readonly name?: string;
  readonly nodes: readonly NodeSpec[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly initializers?: Readonly<Record<string, Tensor>>;
}

export interface ModelSpec extends GraphSpec {
  readonly opset?: number;
  readonly irVersion?: number;
  readonly producer?: string;
}

const ELEM: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9 };

/** A TensorProto of an engine tensor: float32 in raw_data, integers and bools in their typed fields. */
export function tensorProto(name: string, t: Tensor): onnx.ITensorProto {
  const base = { name, dims: [...t.shape], dataType: ELEM[t.dtype] };
  switch (t.dtype) {
    case 'float32': return { ...base, rawData: new Uint8Array(Float32Array.from(t.data).buffer) };
    case 'int64': return { ...base, int64Data: Array.from(t.data) };
    default: return { ...base, int32Data: Array.from(t.data) };
  }
}

function attribute(name: string, v: Attr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (v instanceof Tensor) return { name, type: T.TENSOR, t: tensorProto('', v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    const nums = v as number[];
    return nums.every(Number.isInteger) ? { name, type: T.INTS, ints: nums } : { name, type: T.FLOATS, floats: nums };
  }
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  if ('fs' in v) return { name, type: T.FLOATS, floats: [...v.fs] };
  return { name, type: T.GRAPH, g: v as onnx.IGraphProto };
}

function valueProto(v: ValueSpec): onnx.IValueInfoProto {
  if (!v.dtype) return { name: v.name };
  const dims = v.shape?.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {}));
  return { name: v.name, type: { tensorType: { elemType: ELEM[v.dtype], shape: dims ? { dim: dims } : undefined } } };
}

export function graphProto(g: GraphSpec): onnx.IGraphProto {
  return {
    name: g.name ?? 'graph',
    node: g.nodes.map((n) => ({
      opType: n.op, name: n.name ?? '', domain: n.domain ?? '', input: [...n.inputs], output: [...n.outputs],
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    })),
    input: g.inputs.map(valueProto),
    output: g.outputs.map(valueProto),
    initializer: Object.entries(g.initializers ?? {}).map(([k, t]) => tensorProto(k, t)),
  };
}

export function modelProto(m: ModelSpec): onnx.ModelProto {
  return onnx.ModelProto.create({
    irVersion: m.irVersion ?? 8,
    producerName: m.producer ?? 'layerstep-tests',
    opsetImport: [{ domain: '', version: m.opset ?? 17 }],
    graph: graphProto(m),
  });
}

export function encodeModel(m: ModelSpec | onnx.ModelProto): Uint8Array {
  const proto = 'nodes' in m ? modelProto(m) : m;
  return onnx.ModelProto.encode(proto).finish();
}

/** Loads model bytes as `name` (siblings beside it) with the default loaders. */
export function load(bytes: Uint8Array, siblings: Record<string, Uint8Array | string> = {}, options: Partial<LoadOptions> = {}, name = 'model.onnx'): Promise<Model> {
  return openModel(new MemorySource(name, bytes, siblings), options);
}

/** Runs a model to the end with the runner; throws the runner's error. */
export async function runLayerstep(model: Model, inputs: Record<string, Tensor>): Promise<Map<string, Tensor>> {
  const runner = new Runner(model, inputs);
  await runner.continue();
  if (runner.error) throw runner.error;
  return new Map(runner.outputs());
}

function toOrt(t: Tensor): ort.Tensor {
  const dims = [...t.shape];
  switch (t.dtype) {
    case 'float32': return new ort.Tensor('float32', Float32Array.from(t.data), dims);
    case 'int32': return new ort.Tensor('int32', Int32Array.from(t.data), dims);
    case 'int64': return new ort.Tensor('int64', BigInt64Array.from(t.data as Float64Array, (v) => BigInt(v)), dims);
    case 'bool': return new ort.Tensor('bool', Uint8Array.from(t.data), dims);
  }
}

function fromOrt(t: ort.Tensor): Tensor {
  const shape = [...t.dims];
  switch (t.type) {
    case 'float32': return new Tensor('float32', shape, Float32Array.from(t.data as Float32Array));
    case 'int32': return new Tensor('int32', shape, Int32Array.from(t.data as Int32Array));
    case 'int64': return new Tensor('int64', shape, Float64Array.from(t.data as BigInt64Array, (v) => Number(v)));
    case 'bool': return new Tensor('bool', shape, Uint8Array.from(t.data as Uint8Array));
    default: throw new Error(`onnxHelpers: output type ${t.type} is not mapped`);
  }
}

/** Runs model bytes in onnxruntime-node (graph optimisations off); outputs by name. */
export async function runOrt(bytes: Uint8Array, inputs: Record<string, Tensor>): Promise<Map<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(inputs)) feeds[k] = toOrt(t);
    const result = await session.run(feeds);
    return new Map(session.outputNames.map((n) => [n, fromOrt(result[n])]));
  } finally {
    await session.release();
  }
}

/** The module tree as indented text: `encoder (scope)` for modules, `MatMul [matmul]` for nodes. */
export function treeText(root: ModuleDef): string {
  const lines: string[] = [];
  const walk = (item: Item, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (item.kind === 'node') {
      lines.push(`${pad}${item.name} [${item.op}]`);
      return;
    }
    lines.push(`${pad}${item.name} (${item.type})`);
    item.body.forEach((c) => walk(c, depth + 1));
  };
  walk(root, 0);
  return lines.join('\n');
}

/** Every module of the tree, by id. */
export function modulesById(root: ModuleDef): Map<string, ModuleDef> {
  const out = new Map<string, ModuleDef>();
  const walk = (m: ModuleDef): void => {
    out.set(m.id, m);
    for (const c of m.body) if (c.kind === 'module') walk(c);
  };
  walk(root);
  return out;
}

/** The ModelError a load throws, checked to be one sentence (fails the test if it loads). */
export async function refusal(p: Promise<unknown>): Promise<ModelError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    const message = (e as ModelError).message;
    expect(message.split(/(?<=\.) /).length, `one sentence: ${message}`).toBe(1);
    return e as ModelError;
  }
  throw new Error('the model loaded');
}

/** The smallest model: y = relu(x), x of shape [2]. */
export const relu: ModelSpec = {
  inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
  nodes: [{ op: 'Relu', name: 'r', inputs: ['x'], outputs: ['y'] }],
};

/**
 * An ONNX model whose Loop runs as many times as its input says: x: float32[3]; the trip count is
 * ceil(|sum(x)|) (nodes `/acc/count`, `/acc/abs`, `/acc/ceil`, `/acc/int`), and each iteration makes
 * s = s * 1.5 + x (body nodes `keep`, `grow`, `feed`) from s0 = [0.5, 0.25, 0.125]; the result is `final`.
 */
export function accumulatingLoop(): Uint8Array {
  const body = graphProto({
    name: 'body',
    inputs: [{ name: 'i', dtype: 'int64', shape: [] }, { name: 'c_in', dtype: 'bool', shape: [] }, { name: 's_in', dtype: 'float32', shape: [3] }],
    outputs: [{ name: 'c_out', dtype: 'bool', shape: [] }, { name: 's_out', dtype: 'float32', shape: [3] }],
    initializers: { k: Tensor.scalar(1.5) },
    nodes: [
      { op: 'Identity', name: 'keep', inputs: ['c_in'], outputs: ['c_out'] },
      { op: 'Mul', name: 'grow', inputs: ['s_in', 'k'], outputs: ['g'] },
      { op: 'Add', name: 'feed', inputs: ['g', 'x'], outputs: ['s_out'] },
    ],
  });
  return encodeModel({
    name: 'looping',
    inputs: [{ name: 'x', dtype: 'float32', shape: [3] }],
    outputs: [{ name: 'final', dtype: 'float32', shape: [3] }],
    initializers: { s0: Tensor.from([3], [0.5, 0.25, 0.125]), start: Tensor.scalar(1, 'bool') },
    nodes: [
      { op: 'ReduceSum', name: '/acc/count', inputs: ['x'], outputs: ['t'], attrs: { keepdims: 0 } },
      { op: 'Abs', name: '/acc/abs', inputs: ['t'], outputs: ['a'] },
      { op: 'Ceil', name: '/acc/ceil', inputs: ['a'], outputs: ['c'] },
      { op: 'Cast', name: '/acc/int', inputs: ['c'], outputs: ['M'], attrs: { to: 7 } },
      { op: 'Loop', name: '/acc/Loop', inputs: ['M', 'start', 's0'], outputs: ['final'], attrs: { body } },
    ],
  });
}
