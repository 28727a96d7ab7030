import { onnx } from './proto';
import type { AttrValue } from '../../engine/registry';
import type { Tensor } from '../../engine/tensor';
import { int } from './decode';

/**
 * A node's AttributeProtos as plain values, keyed by their ONNX names: INT and FLOAT as numbers, STRING as
 * text, INTS / FLOATS / STRINGS as arrays, TENSOR as an engine tensor, GRAPH(S) kept aside for the
 * subgraph handling. Sparse tensors and type protos have no engine form and are listed as skipped.
 */

const T = onnx.AttributeProto.AttributeType;

export interface NodeAttributes {
  readonly values: Record<string, AttrValue>;
  readonly graphs: Record<string, onnx.IGraphProto>;
  /** Names of attributes the loader could not convert (sparse tensors, type protos, lists of graphs or tensors). */
  readonly skipped: string[];
}

const text = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());

/** The attribute's type; files from old exporters may leave `type` unset, so it is read off the fields set. */
function typeOf(a: onnx.IAttributeProto): number {
  if (a.type) return a.type;
  if (a.floats?.length) return T.FLOATS;
  if (a.ints?.length) return T.INTS;
  if (a.strings?.length) return T.STRINGS;
  if (a.t) return T.TENSOR;
  if (a.g) return T.GRAPH;
  if (a.s?.length) return T.STRING;
  if (a.i !== undefined && a.i !== null && int(a.i) !== 0) return T.INT;
  if (a.f) return T.FLOAT;
  return T.INT;
}

/** Reads every attribute of `node`; `tensor` decodes a TENSOR attribute (named for messages). */
export function readAttributes(node: onnx.INodeProto, tensor: (p: onnx.ITensorProto, attr: string) => Tensor): NodeAttributes {
  const values: Record<string, AttrValue> = {};
  const graphs: Record<string, onnx.IGraphProto> = {};
  const skipped: string[] = [];
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    switch (typeOf(a)) {
      case T.FLOAT: values[name] = a.f ?? 0; break;
      case T.INT: values[name] = int(a.i); break;
      case T.STRING: values[name] = text(a.s); break;
      case T.TENSOR: values[name] = tensor(a.t ?? {}, name); break;
      case T.GRAPH: if (a.g) graphs[name] = a.g; break;
      case T.FLOATS: values[name] = [...(a.floats ?? [])]; break;
      case T.INTS: values[name] = (a.ints ?? []).map((v) => int(v)); break;
      case T.STRINGS: values[name] = (a.strings ?? []).map(text); break;
      default: skipped.push(name);
    }
  }
  return { values, graphs, skipped };
}

/** `kernel_shape` → `kernelShape`: the engine's attribute names (docs/ops.md). */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Every attribute renamed to camelCase. */
export function camelAttrs(values: Readonly<Record<string, AttrValue>>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(values)) out[camelCase(k)] = v;
  return out;
}
