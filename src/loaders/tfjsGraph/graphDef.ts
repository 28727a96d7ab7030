import type { DType } from '../../engine/tensor';
import type { JsonDocument, JsonNode } from '../native/json';
import { describe, entries, items, prop } from '../native/json';

/**
 * The `modelTopology` of a TF.js graph model: a TensorFlow GraphDef written as JSON by tfjs-converter
 * (`node: [{ name, op, input, attr }]`, `library`, `versions`). Attribute values are AttrValue messages in
 * proto3 JSON: `{ "i": "3" }` (int64 as a string), `{ "f": 0.5 }`, `{ "b": true }`, `{ "s": base64 }`,
 * `{ "type": "DT_FLOAT" }`, `{ "shape": { "dim": [{ "size": "-1" }] } }`, `{ "list": { "i": [...] } }`, and
 * `{ "tensor": ... }` on Const nodes (whose data the weights manifest holds).
 */

/** Bounds on what a model.json may ask for before anything is built. */
export const LIMITS = { nodes: 200_000, inputs: 10_000, attrs: 200, listItems: 100_000, stringBytes: 1 << 16, nameLength: 4096 };

export type TfAttr = number | string | boolean | readonly number[] | readonly string[] | { readonly dtype: string } | undefined;

export interface TfInput {
  readonly node: string;
  /** Which output of that node (`name:1` → 1). */
  readonly index: number;
}

export interface TfNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs in order; control inputs (`^name`) are left out. */
  readonly inputs: readonly TfInput[];
  readonly attrs: Readonly<Record<string, TfAttr>>;
  /** Where the node is in model.json. */
  readonly json: JsonNode;
  /** Position in the file. */
  readonly index: number;
}

/** `name`, `name:2`, `^name` (a control input: undefined). */
export function parseInput(s: string): TfInput | undefined {
  if (s.startsWith('^')) return undefined;
  const m = /^(.*):(\d+)$/.exec(s);
  return m ? { node: m[1], index: Number(m[2]) } : { node: s, index: 0 };
}

/** Base64 to text (TF writes `s` attributes as base64 bytes). */
function decodeBytes(b64: string): string {
  try {
    const bin = atob(b64);
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return b64;
  }
}

/** The DType that TensorFlow.js computes a TF dtype in (int64 and the small ints as int32, every float as float32). */
export function engineDType(tf: string): DType | undefined {
  switch (tf) {
    case 'DT_FLOAT': case 'DT_HALF': case 'DT_DOUBLE': case 'DT_BFLOAT16': return 'float32';
    case 'DT_INT32': case 'DT_INT64': case 'DT_INT16': case 'DT_INT8': case 'DT_UINT8': case 'DT_UINT16': case 'DT_UINT32': return 'int32';
    case 'DT_BOOL': return 'bool';
    default: return undefined;
  }
}

function readAttr(doc: JsonDocument, v: JsonNode, where: string): TfAttr {
  if (v.type !== 'object') throw doc.error(v, `${where} is ${describe(v)}; a TensorFlow attribute is an object such as { "i": "3" }.`);
  const num = (n: JsonNode): number => {
    const x = typeof n.value === 'string' ? Number(n.value) : n.value;
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      if (n.value === 'NaN' || n.value === 'Infinity' || n.value === '-Infinity') return Number(n.value);
      throw doc.error(n, `${where} holds ${describe(n)} where a number is expected.`);
    }
    return x;
  };
  const str = (n: JsonNode): string => {
    if (n.type !== 'string') throw doc.error(n, `${where} holds ${describe(n)} where a string is expected.`);
    if ((n.value as string).length > LIMITS.stringBytes) throw doc.error(n, `${where} holds a string of ${(n.value as string).length} characters, more than the ${LIMITS.stringBytes} a graph model may hold.`);
    return n.value as string;
  };
  for (const [key, , value] of entries(v)) {
    switch (key) {
      case 'i': case 'f': return num(value);
      case 'b': return value.value === true;
      case 's': return decodeBytes(str(value));
      case 'type': return { dtype: str(value) };
      case 'shape': {
        if (prop(value, 'unknownRank')?.value === true) return undefined;
        const dims = items(prop(value, 'dim') ?? value).map((d) => (prop(d, 'size') ? num(prop(d, 'size')!) : -1));
        if (dims.length > 64) throw doc.error(value, `${where} is a shape of rank ${dims.length}; a graph model's tensors have rank 64 at most.`);
        return dims;
      }
      case 'list': {
        for (const [lk, , lv] of entries(value)) {
          const list = items(lv);
          if (list.length > LIMITS.listItems) throw doc.error(lv, `${where} lists ${list.length} values, more than the ${LIMITS.listItems} a graph model may hold.`);
          if (lk === 'i' || lk === 'f') return list.map(num);
          if (lk === 's') return list.map((n) => decodeBytes(str(n)));
          if (lk === 'type') return list.map(str);
          if (lk === 'b') return list.map((n) => (n.value === true ? 1 : 0));
        }
        return [];
      }
      case 'tensor': {
        const dt = prop(value, 'dtype');
        return { dtype: dt?.type === 'string' ? (dt.value as string) : 'DT_FLOAT' };
      }
      case 'func':
        return `function ${String(prop(value, 'name')?.value ?? '')}`;
      default:
    }
  }
  return undefined;
}

/** Reads and checks the GraphDef's nodes: names unique, inputs well formed, sizes within {@link LIMITS}. */
export function readNodes(doc: JsonDocument, topology: JsonNode, key = 'node'): TfNode[] {
  const list = prop(topology, key);
  if (!list || list.type !== 'array') throw doc.error(list ?? topology, `"modelTopology" has ${list ? `"node" set to ${describe(list)}` : 'no "node" array'}; a graph model's topology is a TensorFlow GraphDef { "node": [...] }.`);
  const raw = items(list);
  if (raw.length > LIMITS.nodes) throw doc.error(list, `the graph has ${raw.length} nodes, more than the ${LIMITS.nodes} Layerstep opens.`);
  const names = new Set<string>();
  return raw.map((n, index): TfNode => {
    if (n.type !== 'object') throw doc.error(n, `graph node ${index + 1} is ${describe(n)}; expected { "name", "op", "input", "attr" }.`);
    const nameNode = prop(n, 'name');
    if (nameNode?.type !== 'string' || nameNode.value === '' || (nameNode.value as string).length > LIMITS.nameLength) {
      throw doc.error(nameNode ?? n, `graph node ${index + 1} has no "name" string (of at most ${LIMITS.nameLength} characters).`);
    }
    const name = nameNode.value as string;
    if (names.has(name)) throw doc.error(nameNode, `graph node '${name}' is defined twice; node names must be unique.`);
    names.add(name);
    const opNode = prop(n, 'op');
    if (opNode?.type !== 'string' || opNode.value === '') throw doc.error(opNode ?? n, `graph node '${name}' has no "op" string.`);
    const inputNode = prop(n, 'input');
    const rawInputs = inputNode ? items(inputNode) : [];
    if (inputNode && inputNode.type !== 'array') throw doc.error(inputNode, `node '${name}' has "input" set to ${describe(inputNode)}; expected an array of node names.`);
    if (rawInputs.length > LIMITS.inputs) throw doc.error(inputNode, `node '${name}' has ${rawInputs.length} inputs, more than the ${LIMITS.inputs} Layerstep reads.`);
    const inputs: TfInput[] = [];
    for (const i of rawInputs) {
      if (i.type !== 'string' || i.value === '') throw doc.error(i, `node '${name}' lists ${describe(i)} among its inputs; expected a node name such as "conv/BiasAdd" or "split:1".`);
      const parsed = parseInput(i.value as string);
      if (parsed) inputs.push(parsed);
    }
    const attrs: Record<string, TfAttr> = {};
    const attrNode = prop(n, 'attr');
    if (attrNode) {
      const all = entries(attrNode);
      if (all.length > LIMITS.attrs) throw doc.error(attrNode, `node '${name}' has ${all.length} attributes, more than the ${LIMITS.attrs} Layerstep reads.`);
      for (const [key, , value] of all) attrs[key] = readAttr(doc, value, `attribute '${key}' of node '${name}'`);
    }
    return { name, op: opNode.value as string, inputs, attrs, json: n, index };
  });
}
