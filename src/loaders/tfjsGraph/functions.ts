import type { JsonDocument, JsonNode } from '../native/json';
import { describe, items, prop } from '../native/json';
import type { TfInput, TfNode } from './graphDef';
import { LIMITS, readNodes } from './graphDef';

/**
 * The GraphDef's `library.function`: the functions that function-based control flow (While, StatelessWhile, If,
 * StatelessIf) calls by name. Inside a function a node reads `arg` (a parameter) or `node:out:k` (output arg `out`
 * of a node, item k). Each call gets a copy whose names are made unique in the model by a prefix.
 */

export interface TfFunction {
  readonly name: string;
  readonly args: readonly string[];
  /** What each result is, in the order of the signature's output args (`node:out:k` or an arg). */
  readonly results: readonly string[];
  readonly nodes: readonly TfNode[];
  readonly json: JsonNode;
}

/** Ops whose outputs have several output args: arg name → first output index. */
const OUTPUT_ARGS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  TopKV2: { values: 0, indices: 1 },
  NonMaxSuppressionV4: { selected_indices: 0, valid_outputs: 1 },
  NonMaxSuppressionV5: { selected_indices: 0, selected_scores: 1, valid_outputs: 2 },
  FusedBatchNorm: { y: 0 }, FusedBatchNormV2: { y: 0 }, FusedBatchNormV3: { y: 0 },
  Switch: { output_false: 0, output_true: 1 },
  Unique: { y: 0, idx: 1 },
};

export function readFunctions(doc: JsonDocument, topology: JsonNode): Map<string, TfFunction> {
  const out = new Map<string, TfFunction>();
  const lib = prop(topology, 'library');
  const list = lib ? prop(lib, 'function') : undefined;
  if (!list) return out;
  if (list.type !== 'array') throw doc.error(list, `"library.function" is ${describe(list)}; expected an array of functions.`);
  for (const f of items(list)) {
    const sig = prop(f, 'signature');
    const name = sig ? prop(sig, 'name') : undefined;
    if (name?.type !== 'string' || !name.value) throw doc.error(f, 'a function of "library.function" has no signature name.');
    const argNames = (key: string): string[] => {
      const a = sig ? prop(sig, key) : undefined;
      return a ? items(a).map((x) => String(prop(x, 'name')?.value ?? '')) : [];
    };
    const body = prop(f, 'nodeDef');
    const nodes = body ? readNodes(doc, f, 'nodeDef') : [];
    const ret = prop(f, 'ret');
    const results = argNames('outputArg').map((o) => {
      const r = ret ? prop(ret, o) : undefined;
      if (r?.type !== 'string') throw doc.error(ret ?? f, `function '${name.value as string}' does not say what its result '${o}' is.`);
      return r.value as string;
    });
    if (nodes.length > LIMITS.nodes) throw doc.error(f, `function '${name.value as string}' has ${nodes.length} nodes, more than the ${LIMITS.nodes} Layerstep opens.`);
    out.set(name.value as string, { name: name.value as string, args: argNames('inputArg'), results, nodes, json: f });
  }
  return out;
}

/** A function reference `node:out:k`, `node:k` or `arg` inside function `f`, as a graph input under `prefix`. */
export function functionInput(f: TfFunction, ref: string, prefix: string, ops: ReadonlyMap<string, string>): TfInput | undefined {
  if (ref.startsWith('^')) return undefined;
  const parts = ref.split(':');
  if (parts.length === 1) return { node: prefix + ref, index: 0 };
  const node = parts[0];
  const k = Number(parts[parts.length - 1]);
  const base = parts.length === 3 ? OUTPUT_ARGS[ops.get(node) ?? '']?.[parts[1]] ?? 0 : 0;
  return { node: prefix + node, index: base + (Number.isInteger(k) ? k : 0) };
}

/** The nodes of one call of `f`, every name under `prefix`, reading params `prefix + arg`; and its results. */
export function callFunction(f: TfFunction, prefix: string): { nodes: TfNode[]; results: TfInput[]; params: string[] } {
  const ops = new Map(f.nodes.map((n) => [n.name, n.op]));
  const rawInputs = (n: TfNode): string[] => items(prop(n.json, 'input') ?? n.json).filter((i) => i.type === 'string').map((i) => i.value as string);
  const nodes = f.nodes.map((n): TfNode => ({
    ...n, name: prefix + n.name,
    inputs: rawInputs(n).map((r) => functionInput(f, r, prefix, ops)).filter((i): i is TfInput => i !== undefined),
  }));
  return { nodes, results: f.results.map((r) => functionInput(f, r, prefix, ops)!), params: f.args.map((a) => prefix + a) };
}
