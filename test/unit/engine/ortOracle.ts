import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { onnx } from '../../../src/loaders/onnx/proto';
import * as ort from 'onnxruntime-node';
import type { AttrValue } from '../../../src/engine/registry';
import { Tensor } from '../../../src/engine/tensor';
import type { DType } from '../../../src/engine/tensor';

/**
 * Oracles from the ONNX world for kernel tests:
 * - {@link runOrt} builds a one-node ONNX model in memory and runs it in onnxruntime-node;
 * - {@link loadNodeCase} reads one of the ONNX project's backend node tests (../shared/conformance/onnx-node).
 */

/**
 * An ONNX attribute value. Plain numbers and number arrays are INT/INTS when every value is an integer and
 * FLOAT/FLOATS otherwise; wrap in `{ float }` / `{ floats }` to force floats (e.g. `epsilon: { float: 1 }`).
 */
export type OnnxAttr = number | string | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] };

export interface OrtNode {
  /** ONNX op type, e.g. `Conv`. */
  readonly opType: string;
  /** Inputs in node order; `undefined` leaves an optional input out (an empty name on the node). */
  readonly inputs: readonly (Tensor | undefined)[];
  /** ONNX attribute names (snake_case). */
  readonly attributes?: Readonly<Record<string, OnnxAttr>>;
  /** How many outputs to request (default 1). */
  readonly outputs?: number;
  /** Default opset 21. */
  readonly opset?: number;
}

const ELEM: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9 };

function attributeProto(name: string, v: OnnxAttr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: T.FLOATS, floats: [...v.floats] };
  const list = v as readonly number[];
  return list.every(Number.isInteger) ? { name, type: T.INTS, ints: [...list] } : { name, type: T.FLOATS, floats: [...list] };
}

/** The serialized one-node model for `node`; graph inputs are `in0`, `in1`, ..., outputs `out0`, .... */
export function oneNodeModel(node: OrtNode): Uint8Array {
  const inputNames = node.inputs.map((t, i) => (t ? `in${i}` : ''));
  const outputNames = Array.from({ length: node.outputs ?? 1 }, (_, i) => `out${i}`);
  const graphInputs: onnx.IValueInfoProto[] = [];
  node.inputs.forEach((t, i) => {
    if (!t) return;
    graphInputs.push({
      name: `in${i}`,
      type: { tensorType: { elemType: ELEM[t.dtype], shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } },
    });
  });
  const model = onnx.ModelProto.create({
    irVersion: 10,
    producerName: 'layerstep-tests',
    opsetImport: [{ domain: '', version: node.opset ?? 21 }],
    graph: {
      name: `one_${node.opType}`,
      node: [{
        opType: node.opType,
        name: 'node',
        input: inputNames,
        output: outputNames,
        attribute: Object.entries(node.attributes ?? {}).map(([k, v]) => attributeProto(k, v)),
      }],
      input: graphInputs,
      output: outputNames.map((name) => ({ name })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function toOrt(t: Tensor): ort.Tensor {
  const dims = [...t.shape];
  switch (t.dtype) {
    case 'float32': return new ort.Tensor('float32', t.data as Float32Array, dims);
    case 'int32': return new ort.Tensor('int32', t.data as Int32Array, dims);
    case 'int64': return new ort.Tensor('int64', BigInt64Array.from(t.data as Float64Array, (v) => BigInt(v)), dims);
    case 'bool': return new ort.Tensor('bool', t.data as Uint8Array, dims);
  }
}

function fromOrt(t: ort.Tensor): Tensor {
  const shape = [...t.dims];
  switch (t.type) {
    case 'float32': return new Tensor('float32', shape, Float32Array.from(t.data as Float32Array));
    case 'int32': return new Tensor('int32', shape, Int32Array.from(t.data as Int32Array));
    case 'int64': return new Tensor('int64', shape, Float64Array.from(t.data as BigInt64Array, (v) => Number(v)));
    case 'bool': return new Tensor('bool', shape, Uint8Array.from(t.data as Uint8Array));
    default: throw new Error(`ortOracle: output type ${t.type} is not mapped`);
  }
}

/** Runs one ONNX node in onnxruntime-node (graph optimisations off) and returns its outputs in order. */
export async function runOrt(node: OrtNode): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(oneNodeModel(node), { graphOptimizationLevel: 'disabled' });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    node.inputs.forEach((t, i) => {
      if (t) feeds[`in${i}`] = toOrt(t);
    });
    const result = await session.run(feeds);
    return session.outputNames.map((name) => fromOrt(result[name]));
  } finally {
    await session.release();
  }
}

/** `kernel_shape` → `kernelShape`: ONNX attribute names as the engine's attrs spell them (docs/ops.md). */
export function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Our camelCase attrs as ONNX attributes (snake_case names); booleans become 0/1. */
export function onnxAttributes(attrs: Readonly<Record<string, number | string | boolean | readonly number[]>>): Record<string, OnnxAttr> {
  const out: Record<string, OnnxAttr> = {};
  for (const [k, v] of Object.entries(attrs)) {
    out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  return out;
}

// ---- ONNX backend node tests -------------------------------------------------------------------------------

/** Where the ONNX node tests live (outside the repository); undefined when this machine has no copy. */
export const NODE_CASES_DIR: string | undefined = ((): string | undefined => {
  const dir = resolve(__dirname, '../../../../shared/conformance/onnx-node');
  return existsSync(join(dir, 'index.json')) ? dir : undefined;
})();

function num(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

/** A TensorProto as an engine tensor (float32, int32, int64, bool; raw_data or the typed fields). */
export function tensorFromProto(p: onnx.ITensorProto): Tensor {
  const shape = (p.dims ?? []).map(num);
  const raw = p.rawData && p.rawData.length > 0 ? p.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const T = onnx.TensorProto.DataType;
  switch (p.dataType) {
    case T.FLOAT: {
      const n = view ? view.byteLength / 4 : (p.floatData ?? []).length;
      return Tensor.from(shape, view ? Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true)) : p.floatData ?? [], 'float32');
    }
    case T.INT32: return Tensor.from(shape, view ? Array.from({ length: view.byteLength / 4 }, (_, i) => view.getInt32(4 * i, true)) : p.int32Data ?? [], 'int32');
    case T.INT64: return Tensor.from(shape, view ? Array.from({ length: view.byteLength / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true))) : (p.int64Data ?? []).map(num), 'int64');
    case T.BOOL: return Tensor.from(shape, raw ? Array.from(raw) : p.int32Data ?? [], 'bool');
    default: throw new Error(`ortOracle: TensorProto data type ${String(p.dataType)} is not mapped`);
  }
}

function attrValue(a: onnx.IAttributeProto): AttrValue {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT: return num(a.i ?? 0);
    case T.FLOAT: return a.f ?? 0;
    case T.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case T.INTS: return (a.ints ?? []).map(num);
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.TENSOR: return tensorFromProto(a.t ?? {});
    default: throw new Error(`ortOracle: attribute '${a.name}' of type ${String(a.type)} is not mapped`);
  }
}

/** One ONNX node test: its (first) node with camelCase attributes, the inputs in node order, the expected outputs. */
export interface NodeCase {
  readonly opType: string;
  readonly attrs: Record<string, AttrValue>;
  readonly inputs: (Tensor | undefined)[];
  readonly outputs: Tensor[];
}

export function loadNodeCase(name: string): NodeCase {
  if (!NODE_CASES_DIR) throw new Error('ortOracle: the ONNX node tests are not on this machine');
  const dir = join(NODE_CASES_DIR, name);
  const model = onnx.ModelProto.decode(readFileSync(join(dir, 'model.onnx')));
  const graph = model.graph ?? {};
  const node = (graph.node ?? [])[0];
  const pb = (file: string): Tensor => tensorFromProto(onnx.TensorProto.decode(readFileSync(join(dir, 'test_data_set_0', file))));
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const byName = new Map<string, Tensor>();
  (graph.input ?? []).filter((v) => !initializers.has(v.name)).forEach((v, i) => byName.set(v.name ?? '', pb(`input_${i}.pb`)));
  for (const t of graph.initializer ?? []) byName.set(t.name ?? '', tensorFromProto(t));
  const attrs: Record<string, AttrValue> = {};
  for (const a of node.attribute ?? []) attrs[camelCase(a.name ?? '')] = attrValue(a);
  return {
    opType: node.opType ?? '',
    attrs,
    inputs: (node.input ?? []).map((n) => (n ? byName.get(n) : undefined)),
    outputs: (graph.output ?? []).map((_, i) => pb(`output_${i}.pb`)),
  };
}
