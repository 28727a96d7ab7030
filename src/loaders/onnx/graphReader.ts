import type { onnx } from './proto';
import type { AttrValue } from '../../engine/registry';
import type { Tensor } from '../../engine/tensor';
import { ModelError } from '../../model/errors';
import type { PendingWeight } from '../../model/ir';
import { camelAttrs, readAttributes } from './attributes';
import { constantValue } from './constants';
import { splitNodeName } from './flatNode';
import type { FlatNode, ScopeSegment, UnsupportedInfo } from './flatNode';
import { UnsupportedUse } from './lowering';
import type { LowerContext, OnnxNode } from './lowering';
import { expandLoop } from './loop';
import { controlIf, controlLoop, controlScan } from './control';
import type { ControlSite } from './control';
import { buildModuleTree } from './moduleTree';
import { lowering } from './opTable';
import { topoSort } from './topoSort';

/**
 * Reads a GraphProto into engine nodes in execution order: initializers and Constant nodes become weights,
 * the nodes are sorted (refusing cycles and reads of undefined values), each node is lowered through the op
 * table, and an If whose condition is a constant is replaced by the nodes of the branch it takes, in a
 * module of its own, as is a Loop whose trip count is a constant (./loop). Other Ifs, Loops and Scans run as
 * the run reaches them (./control). Everything else the engine cannot run becomes an `unsupported:<Type>` node.
 */

/** The opset assumed for the default domain when a model imports none (IR < 3 files, hand-made graphs). */
export const DEFAULT_OPSET = 21;

export interface ReadContext {
  readonly file: string;
  /** Imported opset version per domain ('' for ai.onnx). */
  readonly opsets: ReadonlyMap<string, number>;
  readonly weights: Map<string, Tensor>;
  readonly initializers: Set<string>;
  /** Decodes a TensorProto (external bytes already fetched), charging the budget. */
  readonly tensor: (p: onnx.ITensorProto, what: string) => Tensor;
  /** A main-graph initializer whose data is read lazily (large external data), or undefined to decode it now. */
  readonly defer?: (p: onnx.ITensorProto, what: string) => PendingWeight | undefined;
  /** Where deferred initializers are registered (Model.pendingWeights). */
  readonly pending?: Map<string, PendingWeight>;
}

const normDomain = (d: string | null | undefined): string => (d === 'ai.onnx' || !d ? '' : d);

function nodeLabel(n: onnx.INodeProto, index: number): string {
  return n.name ? `node '${n.name}' (${n.opType})` : `node #${index} (${n.opType})`;
}

/** Values a subgraph reads from the graphs around it: what its nodes (and their subgraphs) read but it does not define. */
export function freeNames(g: onnx.IGraphProto): Set<string> {
  const defined = new Set<string>([
    ...(g.input ?? []).map((v) => v.name ?? ''), ...(g.initializer ?? []).map((t) => t.name ?? ''),
    ...(g.node ?? []).flatMap((n) => n.output ?? []),
  ]);
  const free = new Set<string>();
  for (const n of g.node ?? []) {
    for (const v of [...(n.input ?? []), ...subgraphReads(n)]) if (v && !defined.has(v)) free.add(v);
  }
  return free;
}

function subgraphReads(n: onnx.INodeProto): string[] {
  const out: string[] = [];
  for (const a of n.attribute ?? []) {
    for (const g of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) out.push(...freeNames(g));
  }
  return out;
}

interface Pending {
  readonly proto: onnx.INodeProto;
  readonly label: string;
  readonly reads: string[];
  readonly outputs: string[];
}

/**
 * The engine nodes of graph `g`. `outer` holds the values of the enclosing graphs that `g` may read, `scope`
 * the modules its nodes sit in; in a subgraph (`nested`) node names add no scopes of their own.
 */
export function readGraph(g: onnx.IGraphProto, ctx: ReadContext, outer: ReadonlySet<string>, scope: readonly ScopeSegment[], nested: boolean): FlatNode[] {
  const { file } = ctx;
  const defined = new Set(outer);
  for (const init of g.initializer ?? []) {
    const name = init.name ?? '';
    if (ctx.weights.has(name) || ctx.pending?.has(name)) throw new ModelError(`${file}: the initializer '${name}' is defined twice.`, file);
    const lazy = nested ? undefined : ctx.defer?.(init, `initializer '${name}'`);
    if (lazy) ctx.pending?.set(name, lazy);
    else ctx.weights.set(name, ctx.tensor(init, `initializer '${name}'`));
    ctx.initializers.add(name);
    defined.add(name);
  }
  if ((g.sparseInitializer ?? []).length) {
    const name = g.sparseInitializer![0].values?.name ?? '';
    throw new ModelError(`${file}: the sparse initializer '${name}' is not supported; Layerstep reads dense tensors only.`, file);
  }
  for (const v of g.input ?? []) defined.add(v.name ?? '');

  const pending: Pending[] = [];
  (g.node ?? []).forEach((n, i) => {
    const label = nodeLabel(n, i);
    if (normDomain(n.domain) === '' && n.opType === 'Constant' && (n.output ?? []).length === 1) {
      const value = constantValue(readAttributes(n, (p, attr) => ctx.tensor(p, `attribute '${attr}' of ${label}`)).values);
      const out = n.output![0];
      if (value) {
        if (defined.has(out) || ctx.weights.has(out)) throw new ModelError(`${file}: ${label} defines '${out}', which is already defined.`, file);
        ctx.weights.set(out, value);
        defined.add(out);
        return;
      }
    }
    pending.push({ proto: n, label, reads: [...(n.input ?? []), ...subgraphReads(n)], outputs: [...(n.output ?? [])] });
  });
  const sorted = topoSort(pending, defined, file);
  const visible = new Set([...defined, ...pending.flatMap((p) => p.outputs)]);
  const out: FlatNode[] = [];
  for (const p of sorted) out.push(...readNode(p, ctx, visible, scope, nested));
  return out;
}

/** One ONNX node as engine nodes (one, a taken If branch's, or an unrolled Loop's (./loop)). */
function readNode(p: Pending, ctx: ReadContext, visible: ReadonlySet<string>, scope: readonly ScopeSegment[], nested: boolean): FlatNode[] {
  const n = p.proto;
  const opType = n.opType ?? '';
  const domain = normDomain(n.domain);
  const opset = ctx.opsets.get(domain) ?? (domain === '' ? DEFAULT_OPSET : 1);
  const { values, graphs } = readAttributes(n, (t, attr) => ctx.tensor(t, `attribute '${attr}' of ${p.label}`));
  const split = splitNodeName(n.name ?? '', opType);
  const nodeScope = nested ? [...scope] : [...scope, ...split.scope.map((name) => ({ name, type: 'scope' }))];
  const inputs = trimTrailing([...(n.input ?? [])]);
  const base = { scope: nodeScope, name: split.name, origin: { ...(n.name ? { name: n.name } : {}), op: opType } };
  const unsupported = (reason?: string): FlatNode[] => {
    const info: UnsupportedInfo = { opType, domain, opset, reason };
    const op = `unsupported:${domain ? `${domain}.` : ''}${opType}`;
    return [{ ...base, op, inputs, outputs: outputsOf(n.output ?? [], p.label), attrs: camelAttrs(values), unsupported: info }];
  };
  if (domain !== '') return unsupported(`the domain '${domain}' is not one Layerstep runs`);
  const site: ControlSite = {
    proto: n, label: p.label, ctx, visible, scope: nodeScope, name: split.name, graphs, attrs: values, opset,
    read: (g, c, outer) => readGraph(g, c, outer, [], true),
    tree: (nodes, rootName, outputs) => buildModuleTree(nodes, {
      rootName, rootAttrs: {}, weights: { has: (w: string) => ctx.weights.has(w) || (ctx.pending?.has(w) ?? false) },
      initializers: ctx.initializers, graphOutputs: outputs,
    }).root,
    free: freeNames,
  };
  if (opType === 'If') return ctx.weights.get(n.input?.[0] ?? '')?.size === 1 ? expandIf(p, ctx, visible, nodeScope, split.name, graphs) : [controlIf(site)];
  // A Loop whose trip count is a constant is unrolled now; any other runs its iterations as the run reaches it.
  if (opType === 'Loop') return expandLoop({ ...site, atRunTime: () => [controlLoop(site)], read: readGraph });
  if (opType === 'Scan') {
    const scan = controlScan(site);
    return scan ? [scan] : unsupported('Layerstep runs Scan from opset 9 on (opset 8 has a batch axis and sequence lengths)');
  }
  if (opType === 'Constant') return unsupported(`its value is a string or sparse tensor, which Layerstep cannot hold`);
  const lower = lowering(opType);
  if (!lower) return unsupported();
  const view: OnnxNode = { opType, domain, name: n.name ?? '', inputs, outputs: n.output ?? [], attrs: values, opset };
  const lctx: LowerContext = { constant: (name) => ctx.weights.get(name) };
  try {
    const l = lower(view, lctx);
    return [{ ...base, op: l.op, inputs: trimTrailing([...(l.inputs ?? inputs)]), outputs: outputsOf(l.outputs ?? n.output ?? [], p.label), attrs: l.attrs }];
  } catch (e) {
    if (e instanceof UnsupportedUse) return unsupported(e.message);
    throw e;
  }
}

/**
 * An If whose condition is known when loading becomes a module (type `If`) holding the nodes of the branch it
 * takes; the branch's results are renamed to the If node's outputs (or copied by an `identity` node when
 * the branch returns a value it does not compute). Otherwise the If cannot run.
 */
function expandIf(
  p: Pending, ctx: ReadContext, visible: ReadonlySet<string>, scope: readonly ScopeSegment[], name: string,
  graphs: Readonly<Record<string, onnx.IGraphProto>>,
): FlatNode[] {
  const n = p.proto;
  const cond = ctx.weights.get(n.input?.[0] ?? '')!;
  const taken = cond.data[0] !== 0;
  const which = taken ? 'then_branch' : 'else_branch';
  const branch = graphs[which];
  if (!branch) throw new ModelError(`${ctx.file}: ${p.label} has no ${which}.`, ctx.file);
  const attrs: Record<string, AttrValue> = { condition: taken, branch: which };
  const seg: ScopeSegment = { name, type: 'If', attrs };
  const inner = readGraph(branch, ctx, visible, [...scope, seg], true);
  const results = (branch.output ?? []).map((v) => v.name ?? '');
  const outputs = n.output ?? [];
  if (results.length !== outputs.length) {
    throw new ModelError(`${ctx.file}: ${p.label}: its ${which} returns ${results.length} values but the node has ${outputs.length} outputs.`, ctx.file);
  }
  const made = new Set(inner.flatMap((f) => f.outputs));
  const rename = new Map<string, string>();
  const copies: FlatNode[] = [];
  results.forEach((r, k) => {
    const target = outputs[k];
    if (!target) return;
    if (made.has(r) && !rename.has(r)) rename.set(r, target);
    else copies.push({ scope: [...scope, seg], name: `output_${k}`, op: 'identity', inputs: [rename.get(r) ?? r], outputs: [target], attrs: {} });
  });
  for (const f of inner) {
    f.inputs = f.inputs.map((v) => rename.get(v) ?? v);
    f.outputs = f.outputs.map((v) => rename.get(v) ?? v);
  }
  return [...inner, ...copies];
}

/** Drops optional inputs or outputs left out at the end of a list. */
function trimTrailing(names: string[]): string[] {
  let end = names.length;
  while (end > 0 && names[end - 1] === '') end--;
  return names.slice(0, end);
}

/**
 * A node's outputs with trailing omitted ones dropped and inner omitted ones (an LSTM that names only Y_h)
 * given placeholder names, since every value the IR tracks needs a name.
 */
function outputsOf(names: readonly string[], label: string): string[] {
  return trimTrailing([...names]).map((v, k) => v || `${label}:unused${k}`);
}
