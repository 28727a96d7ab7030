import type { AttrValue } from '../../engine/registry';
import { ModelError } from '../../model/errors';
import type { ControlFlow, Item, ModuleDef, Template } from '../../model/ir';
import type { FlatNode, ScopeSegment } from './flatNode';
import type { ReadContext } from './graphReader';
import { valueInfo } from './valueInfo';
import type { onnx } from './proto';

/**
 * ONNX If, Loop and Scan decided at run time (src/runner/control.ts runs them): the node becomes a module whose
 * body is made when the run reaches it, from templates read here, one per subgraph. A template's nodes keep
 * their value names; its item ids are relative (`then/MatMul`) until the module tree places the control module
 * and {@link placeControl} moves them under its id.
 */

/** Reads a subgraph's nodes (graphReader's readGraph, passed in to keep the modules acyclic). */
export type ReadNested = (g: onnx.IGraphProto, ctx: ReadContext, outer: ReadonlySet<string>) => FlatNode[];
/** Builds a module tree from flat nodes (moduleTree's buildModuleTree, passed in for the same reason). */
export type BuildTree = (nodes: readonly FlatNode[], rootName: string, outputs: readonly string[]) => ModuleDef;

/** An ONNX node with subgraphs, where the graph reader found it. */
export interface SubgraphSite {
  readonly proto: onnx.INodeProto;
  /** `node 'name' (If)` for messages. */
  readonly label: string;
  readonly ctx: ReadContext;
  /** Every value of the enclosing graphs the subgraphs may read. */
  readonly visible: ReadonlySet<string>;
  readonly scope: readonly ScopeSegment[];
  /** The node's module name. */
  readonly name: string;
  readonly graphs: Readonly<Record<string, onnx.IGraphProto>>;
}

export interface ControlSite extends SubgraphSite {
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly opset: number;
  readonly read: ReadNested;
  readonly tree: BuildTree;
  /** Values the subgraph reads from the graphs around it. */
  readonly free: (g: onnx.IGraphProto) => Set<string>;
}

const names = (vs: readonly onnx.IValueInfoProto[] | null | undefined): string[] => (vs ?? []).map((v) => v.name ?? '');

function template(site: ControlSite, role: string, g: onnx.IGraphProto): Template {
  const params = names(g.input);
  const outer = new Set([...site.visible, ...params]);
  const nodes = site.read(g, site.ctx, outer);
  const outputs = names(g.output);
  const root = moveItem(site.tree(nodes, role, outputs), role) as ModuleDef;
  const results = (g.output ?? []).map((v) => {
    try {
      return valueInfo(v, 'output', site.ctx.file);
    } catch {
      return undefined;
    }
  });
  return { params, module: { ...root, name: role, type: role === 'body' ? 'body' : 'branch', outputs }, results };
}

function need(site: ControlSite, which: string): onnx.IGraphProto {
  const g = site.graphs[which];
  if (!g) throw new ModelError(`${site.ctx.file}: ${site.label} has no ${which}.`, site.ctx.file);
  return g;
}

/** What the node reads: its own inputs, then what its subgraphs read from outside (for the module's inputs and the plan). */
function reads(site: ControlSite, own: readonly string[], graphs: readonly onnx.IGraphProto[]): string[] {
  const out = own.filter((n) => n);
  for (const g of graphs) for (const n of site.free(g)) if (n && site.visible.has(n) && !out.includes(n)) out.push(n);
  return out;
}

function node(site: ControlSite, op: string, inputs: string[], control: ControlFlow, attrs: Record<string, AttrValue>): FlatNode {
  const outputs = (site.proto.output ?? []).map((v, k) => v || `${site.label}:unused${k}`);
  return { scope: site.scope, name: site.name, op, inputs, outputs, attrs, control };
}

export function controlIf(site: ControlSite): FlatNode {
  const n = site.proto;
  const thenG = need(site, 'then_branch');
  const elseG = need(site, 'else_branch');
  const count = (n.output ?? []).length;
  for (const [which, g] of [['then_branch', thenG], ['else_branch', elseG]] as const) {
    if ((g.output ?? []).length !== count) {
      throw new ModelError(`${site.ctx.file}: ${site.label}: its ${which} returns ${(g.output ?? []).length} values but the node has ${count} outputs; both branches must return one value per output.`, site.ctx.file);
    }
  }
  const cond = n.input?.[0] ?? '';
  if (!cond) throw new ModelError(`${site.ctx.file}: ${site.label} has no condition input.`, site.ctx.file);
  const control: ControlFlow = { kind: 'if', cond, then: template(site, 'then', thenG), else: template(site, 'else', elseG) };
  return node(site, 'If', reads(site, [cond], [thenG, elseG]), control, {});
}

export function controlLoop(site: ControlSite): FlatNode {
  const n = site.proto;
  const body = need(site, 'body');
  const inputs = n.input ?? [];
  const initial = inputs.slice(2);
  const t = template(site, 'body', body);
  if (t.params.length !== 2 + initial.length || t.module.outputs.length < 1 + initial.length) {
    throw new ModelError(`${site.ctx.file}: ${site.label}: its body takes ${t.params.length} inputs and returns ${t.module.outputs.length} values, which does not fit ${initial.length} loop-carried values.`, site.ctx.file);
  }
  const control: ControlFlow = { kind: 'loop', tripCount: inputs[0] ?? '', cond: inputs[1] ?? '', initial, body: t };
  return node(site, 'Loop', reads(site, inputs, [body]), control, {});
}

export function controlScan(site: ControlSite): FlatNode | undefined {
  if (site.opset < 9) return undefined;
  const n = site.proto;
  const body = need(site, 'body');
  const inputs = n.input ?? [];
  const file = site.ctx.file;
  const numScan = site.attrs.num_scan_inputs;
  if (typeof numScan !== 'number' || !Number.isInteger(numScan) || numScan < 1 || numScan > inputs.length) {
    throw new ModelError(`${file}: ${site.label} needs num_scan_inputs between 1 and its ${inputs.length} inputs.`, file);
  }
  const nState = inputs.length - numScan;
  const t = template(site, 'body', body);
  const nOut = t.module.outputs.length - nState;
  if (t.params.length !== inputs.length || nOut < 0) {
    throw new ModelError(`${file}: ${site.label}: its body takes ${t.params.length} inputs and returns ${t.module.outputs.length} values, which does not fit ${nState} states and ${numScan} scan inputs.`, file);
  }
  const ints = (key: string, count: number): number[] => {
    const v = site.attrs[key];
    const list = Array.isArray(v) ? (v as number[]) : [];
    if (v !== undefined && list.length !== count) throw new ModelError(`${file}: ${site.label} gives ${list.length} ${key} for ${count} values.`, file);
    return list.length ? list : new Array<number>(count).fill(0);
  };
  const control: ControlFlow = {
    kind: 'scan', initial: inputs.slice(0, nState), scanInputs: inputs.slice(nState),
    inputAxes: ints('scan_input_axes', numScan), inputDirections: ints('scan_input_directions', numScan),
    outputAxes: ints('scan_output_axes', nOut), outputDirections: ints('scan_output_directions', nOut), body: t,
  };
  return node(site, 'Scan', reads(site, inputs, [body]), control, { numScanInputs: numScan });
}

/** Moves every id of a tree under `prefix` (`then/MatMul` → `<prefix>/then/MatMul`), templates included. */
function moveItem(item: Item, prefix: string): Item {
  const id = item.id === '' ? prefix : `${prefix}/${item.id}`;
  if (item.kind === 'node') return { ...item, id };
  return { ...item, id, body: item.body.map((c) => moveItem(c, prefix)), ...(item.control ? { control: moveControl(item.control, prefix) } : {}) };
}

function moveTemplate(t: Template, prefix: string): Template {
  return { ...t, module: moveItem(t.module, prefix) as ModuleDef };
}

function moveControl(c: ControlFlow, prefix: string): ControlFlow {
  if (c.kind === 'while') return { ...c, cond: moveTemplate(c.cond, prefix), body: moveTemplate(c.body, prefix) };
  return c.kind === 'if' ? { ...c, then: moveTemplate(c.then, prefix), else: moveTemplate(c.else, prefix) } : { ...c, body: moveTemplate(c.body, prefix) };
}

/** The module of a control-flow node placed at `id` in the tree. */
export function placeControl(f: FlatNode, id: string, name: string): ModuleDef {
  return {
    kind: 'module', id, name, type: f.op, inputs: f.inputs, outputs: f.outputs, weights: {}, attrs: f.attrs, body: [],
    control: moveControl(f.control!, id),
  };
}
