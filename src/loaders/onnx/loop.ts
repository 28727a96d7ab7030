import type { onnx } from './proto';
import { Tensor } from '../../engine/tensor';
import { ModelError } from '../../model/errors';
import { readAttributes } from './attributes';
import { constantValue } from './constants';
import type { FlatNode, ScopeSegment } from './flatNode';
import type { ReadContext } from './graphReader';
import type { SubgraphSite } from './control';

/**
 * ONNX Loop (onnx.ai Operators.md, Loop-1/11/13/16/19/21) unrolled at load time when how many times it runs is
 * known: the trip count M is a constant, the condition input is absent or a constant, and the body's condition
 * output is a constant true or the input condition passed through (Identity chains included) — the `for` loop
 * exporters write. The Loop becomes a module of type `Loop` holding one module per iteration (`iter 0`,
 * `iter 1`, …) with the body's nodes; loop-carried values flow from one iteration to the next, the iteration
 * number is an int64 scalar constant per iteration, and each scan output is unsqueezed at axis 0 in its
 * iteration and concatenated along axis 0 after the last one, as the spec stacks them. Every value the body
 * defines is renamed per iteration (`<loop output>/iter 3/<name>`); the body's initializers are decoded once,
 * shared by every iteration. Any other Loop (a trip count computed at run time, a while loop, a data-dependent
 * condition, more than the unroll cap) runs its iterations as the run reaches them (./control).
 */

/** Most iterations unrolled, and most engine nodes all iterations together may hold (iterations × body nodes). */
export const MAX_LOOP_ITERATIONS = 10_000;
export const MAX_UNROLLED_NODES = 200_000;

/** Reads a (renamed) subgraph into engine nodes: graphReader's readGraph, passed in to keep the modules acyclic. */
export type ReadGraph = (g: onnx.IGraphProto, ctx: ReadContext, outer: ReadonlySet<string>, scope: readonly ScopeSegment[], nested: boolean) => FlatNode[];

export interface LoopSite extends SubgraphSite {
  /** The Loop as it runs when it is not unrolled: its iterations made at run time (./control). */
  readonly atRunTime: () => FlatNode[];
  readonly read: ReadGraph;
}

const BOOL = 9;
const names = (vs: readonly onnx.IValueInfoProto[] | null | undefined): string[] => (vs ?? []).map((v) => v.name ?? '');

/** A scalar-sized constant known when loading, if `name` is one. */
function constantScalar(ctx: ReadContext, name: string): number | undefined {
  const t = name ? ctx.weights.get(name) : undefined;
  return t && t.size === 1 ? t.data[0] : undefined;
}

export function expandLoop(site: LoopSite): FlatNode[] {
  const { proto: n, ctx, label } = site;
  const file = ctx.file;
  const body = site.graphs.body;
  if (!body) throw new ModelError(`${file}: ${label} has no body.`, file);
  const inputs = n.input ?? [];
  const outputs = n.output ?? [];
  const carried = inputs.slice(2);
  const bodyIn = names(body.input);
  const bodyOut = names(body.output);
  const scanCount = bodyOut.length - 1 - carried.length;
  if (bodyIn.length !== 2 + carried.length || scanCount < 0 || outputs.length > carried.length + scanCount) {
    throw new ModelError(
      `${file}: ${label}: its body takes ${bodyIn.length} inputs and returns ${bodyOut.length} values, which does not fit ${carried.length} loop-carried values and ${outputs.length} outputs.`, file);
  }

  // Unrolled only when how often it runs is known now: a constant trip count, a condition that is a constant or
  // absent and that the body passes through or keeps true, within the unroll cap, and scan outputs whose shape
  // an iteration gives. Anything else (a while loop, a trip count or condition computed from the data) runs its
  // iterations as the run reaches them.
  const tripName = inputs[0] ?? '';
  const trip = tripName ? constantScalar(ctx, tripName) : undefined;
  const condName = inputs[1] ?? '';
  const cond = condName ? constantScalar(ctx, condName) : 1;
  if (trip === undefined || cond === undefined || !condStaysTrue(body, ctx) || !Number.isSafeInteger(trip) || trip < 0) return site.atRunTime();
  const m = cond === 0 ? 0 : trip;
  const perIteration = Math.max(1, countNodes(body) + scanCount);
  const tooMany = m > MAX_LOOP_ITERATIONS || m * perIteration > MAX_UNROLLED_NODES;
  if (tooMany || (m === 0 && outputs.slice(carried.length).some((v) => v))) return site.atRunTime();
  return unroll(site, body, m, scanCount);
}

function unroll(site: LoopSite, body: onnx.IGraphProto, m: number, scanCount: number): FlatNode[] {
  const { proto: n, ctx } = site;
  const inputs = n.input ?? [];
  const outputs = n.output ?? [];
  const carriedCount = inputs.length - 2;
  const bodyIn = names(body.input);
  const base = outputs.find((v) => v) ?? site.label;
  const loopSeg: ScopeSegment = { name: site.name, type: 'Loop', attrs: { tripCount: m } };
  const loopScope = [...site.scope, loopSeg];

  // Initializers anywhere in the body are decoded once, under one name per loop, and left out of every copy.
  const shared = new Map<string, string>();
  for (const init of initializersOf(body)) {
    const name = `${base}/body/${init.name ?? ''}`;
    if (ctx.weights.has(name)) throw new ModelError(`${ctx.file}: the initializer '${init.name ?? ''}' of ${site.label}'s body is defined twice.`, ctx.file);
    ctx.weights.set(name, ctx.tensor(init, `initializer '${init.name ?? ''}' of ${site.label}'s body`));
    ctx.initializers.add(name);
    shared.set(init.name ?? '', name);
  }
  const condValue = `${base}/cond`;
  ctx.weights.set(condValue, Tensor.scalar(1, 'bool'));
  const outer = new Set([...site.visible, ...shared.values(), condValue]);
  const defined = new Set<string>();
  definedNames(body, defined);

  const out: FlatNode[] = [];
  let current = inputs.slice(2);
  const scans: string[][] = Array.from({ length: scanCount }, () => []);
  for (let i = 0; i < m; i++) {
    const prefix = `${base}/iter ${i}/`;
    const rename = new Map<string, string>();
    for (const v of defined) rename.set(v, `${prefix}${v}`);
    for (const [v, to] of shared) rename.set(v, to);
    const iterValue = `${prefix}${bodyIn[0] || 'iteration_num'}`;
    ctx.weights.set(iterValue, Tensor.scalar(i, 'int64'));
    // Only this iteration's own inputs join the outer values, so reading each copy stays linear in M.
    const own = [iterValue, ...current].filter((v) => !outer.has(v));
    for (const v of own) outer.add(v);
    if (bodyIn[0]) rename.set(bodyIn[0], iterValue);
    if (bodyIn[1]) rename.set(bodyIn[1], condValue);
    bodyIn.slice(2).forEach((v, k) => v && rename.set(v, current[k]));
    const copy = { ...renameGraph(body, rename), input: [] };
    const iterScope = [...loopScope, { name: `iter ${i}`, type: 'LoopIteration', attrs: { iteration: i } }];
    const inner = site.read(copy, ctx, outer, iterScope, true);
    for (const v of own) outer.delete(v);
    const results = names(copy.output);
    const finals = i === m - 1 ? renameFinals(inner, results.slice(1, 1 + carriedCount), outputs) : new Map<string, string>();
    const at = (v: string): string => finals.get(v) ?? v;
    out.push(...inner);
    current = results.slice(1, 1 + carriedCount).map(at);
    for (let j = 0; j < scanCount; j++) {
      if (!outputs[carriedCount + j]) continue;
      const stacked = `${prefix}scan ${j}`;
      out.push({ scope: iterScope, name: `scan_${j}`, op: 'unsqueeze', inputs: [at(results[1 + carriedCount + j])], outputs: [stacked], attrs: { axes: [0] } });
      scans[j].push(stacked);
    }
  }
  // Final loop-carried values the last iteration did not compute under their own name (or m = 0) are copied.
  current.forEach((v, k) => {
    const target = outputs[k];
    if (target && v !== target) out.push({ scope: loopScope, name: `output_${k}`, op: 'identity', inputs: [v], outputs: [target], attrs: {} });
  });
  scans.forEach((parts, j) => {
    const target = outputs[carriedCount + j];
    if (target) out.push({ scope: loopScope, name: `scan_output_${j}`, op: 'concat', inputs: parts, outputs: [target], attrs: { axis: 0 } });
  });
  return out;
}

/** In the last iteration, values it computes that are final loop-carried values take the Loop's output names. */
function renameFinals(inner: FlatNode[], results: readonly string[], outputs: readonly string[]): Map<string, string> {
  const made = new Set(inner.flatMap((f) => f.outputs));
  const rename = new Map<string, string>();
  results.forEach((r, k) => {
    if (outputs[k] && made.has(r) && !rename.has(r)) rename.set(r, outputs[k]);
  });
  for (const f of inner) {
    f.inputs = f.inputs.map((v) => rename.get(v) ?? v);
    f.outputs = f.outputs.map((v) => rename.get(v) ?? v);
  }
  return rename;
}

/**
 * Whether the body's condition output is always true given a true input: the input condition itself, through
 * Identity nodes, or a constant true (Constant node, initializer, or an outer constant).
 */
function condStaysTrue(body: onnx.IGraphProto, ctx: ReadContext): boolean {
  const condIn = body.input?.[1]?.name ?? '';
  const producer = new Map<string, onnx.INodeProto>();
  for (const node of body.node ?? []) for (const v of node.output ?? []) producer.set(v, node);
  const inits = new Map((body.initializer ?? []).map((t) => [t.name ?? '', t]));
  let v = body.output?.[0]?.name ?? '';
  for (let hops = 0; hops <= producer.size; hops++) {
    if (v !== '' && v === condIn) return true;
    const init = inits.get(v);
    if (init) return protoTrue(init);
    const node = producer.get(v);
    if (!node) return constantScalar(ctx, v) === 1;
    const domain = node.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') return false;
    if (node.opType === 'Identity') {
      v = node.input?.[0] ?? '';
      continue;
    }
    if (node.opType !== 'Constant') return false;
    const value = constantValue(readAttributes(node, (p, attr) => ctx.tensor(p, `attribute '${attr}' of a Constant in a Loop body`)).values);
    return value !== undefined && value.size === 1 && value.data[0] !== 0;
  }
  return false;
}

/** A bool scalar TensorProto holding true. */
function protoTrue(p: onnx.ITensorProto): boolean {
  if (p.dataType !== BOOL) return false;
  if (p.rawData && p.rawData.length === 1) return p.rawData[0] !== 0;
  return p.int32Data?.length === 1 && p.int32Data[0] !== 0;
}

function subgraphs(node: onnx.INodeProto): onnx.IGraphProto[] {
  return (node.attribute ?? []).flatMap((a) => [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]);
}

/** Nodes of a graph and of its subgraphs, for the unroll cap. */
function countNodes(g: onnx.IGraphProto): number {
  let count = 0;
  for (const node of g.node ?? []) count += 1 + subgraphs(node).reduce((a, s) => a + countNodes(s), 0);
  return count;
}

function initializersOf(g: onnx.IGraphProto, out: onnx.ITensorProto[] = []): onnx.ITensorProto[] {
  out.push(...(g.initializer ?? []));
  for (const node of g.node ?? []) for (const s of subgraphs(node)) initializersOf(s, out);
  return out;
}

/** Every value a graph or its subgraphs define (inputs and node outputs; initializers are shared). */
function definedNames(g: onnx.IGraphProto, out: Set<string>): void {
  for (const v of names(g.input)) if (v) out.add(v);
  for (const node of g.node ?? []) {
    for (const v of node.output ?? []) if (v) out.add(v);
    for (const s of subgraphs(node)) definedNames(s, out);
  }
}

/**
 * A copy of a graph with value names mapped (ONNX names are unique across nested scopes, so one map serves
 * every level) and initializers left out. Tensor attributes are shared, not copied.
 */
function renameGraph(g: onnx.IGraphProto, rename: ReadonlyMap<string, string>): onnx.IGraphProto {
  const r = (v: string): string => rename.get(v) ?? v;
  const value = (v: onnx.IValueInfoProto): onnx.IValueInfoProto => ({ ...v, name: r(v.name ?? '') });
  return {
    name: g.name,
    input: (g.input ?? []).map(value),
    output: (g.output ?? []).map(value),
    sparseInitializer: g.sparseInitializer,
    node: (g.node ?? []).map((node) => ({
      ...node,
      name: node.name, opType: node.opType, domain: node.domain,
      input: (node.input ?? []).map(r),
      output: (node.output ?? []).map(r),
      attribute: (node.attribute ?? []).map((a) => (a.g || a.graphs?.length
        ? { ...a, name: a.name, type: a.type, g: a.g ? renameGraph(a.g, rename) : a.g, graphs: (a.graphs ?? []).map((s) => renameGraph(s, rename)) }
        : a)),
    })),
  };
}
