import type { AttrValue, Attrs } from '../../engine/registry';
import { inferModuleTree } from '../../model/inferTree';
import type { Item, ModuleDef, NodeDef } from '../../model/ir';
import { placeControl } from './control';
import type { FlatNode, ScopeSegment } from './flatNode';

/**
 * The call stack of an ONNX model, from the graph's own structure: nodes in execution order, grouped into
 * nested modules by their scope paths. A module is a run of consecutive nodes sharing a scope prefix; a scope
 * that comes back after other nodes is a new module (`attn#2`). A graph without name scopes gets the layers and
 * blocks src/model/inferTree.ts finds in its structure, or stays one module, the root, with its ops as frames.
 * A module's inputs are the values its nodes read from outside it (weights
 * aside), its outputs the values it makes that later nodes or the graph's outputs read.
 */

export interface TreeOptions {
  readonly rootName: string;
  readonly rootAttrs: Attrs;
  /** Every weight name, read or pending. */
  readonly weights: Pick<ReadonlyMap<string, unknown>, 'has'>;
  /**
   * Weights listed as module weights: initializers, and float tensors of Constant nodes (some exporters put every
   * weight there), as opposed to integer operands such as a Reshape's shape.
   */
  readonly initializers: Pick<ReadonlySet<string>, 'has'>;
  readonly graphOutputs: readonly string[];
}

interface ModuleDraft {
  kind: 'module';
  id: string;
  name: string;
  type: string;
  inputs: string[];
  outputs: string[];
  weights: Record<string, string>;
  attrs: Record<string, AttrValue>;
  body: (ModuleDraft | NodeDef)[];
  /** Index range of its nodes in execution order. */
  first: number;
  last: number;
}

const joinId = (parent: string, name: string): string => (parent === '' ? name : `${parent}/${name}`);

function draft(id: string, name: string, type: string, attrs: Attrs, first: number): ModuleDraft {
  return { kind: 'module', id, name, type, inputs: [], outputs: [], weights: {}, attrs: { ...attrs } as Record<string, AttrValue>, body: [], first, last: first - 1 };
}

/** The sentence a run of an unsupported node fails with. */
function unsupportedMessage(node: FlatNode, id: string): string {
  const u = node.unsupported!;
  const op = u.domain ? `${u.domain}.${u.opType}` : u.opType;
  const opset = u.domain ? `${u.domain} opset ${u.opset}` : `opset ${u.opset}`;
  return `Unsupported op '${op}' in node '${id}' (${opset})${u.reason ? `: ${u.reason}` : ''}`;
}

/** The module tree, and whether it is the file's (name scopes, or none at all) or inferred from the graph. */
export function buildModuleTree(nodes: readonly FlatNode[], opts: TreeOptions): { root: ModuleDef; tree: 'file' | 'inferred' } {
  const root = scopedTree(nodes, opts);
  if (nodes.some((n) => n.scope.some((s) => s.type === 'scope'))) return { root, tree: 'file' };
  const inferred = inferModuleTree(root, (n) => opts.weights.has(n));
  return inferred ? { root: inferred, tree: 'inferred' } : { root, tree: 'file' };
}

function scopedTree(nodes: readonly FlatNode[], opts: TreeOptions): ModuleDef {
  const ids = new Set<string>(['']);
  const unique = (parent: string, name: string): { id: string; name: string } => {
    for (let k = 1; ; k++) {
      const candidate = k === 1 ? name : `${name}#${k}`;
      const id = joinId(parent, candidate);
      if (!ids.has(id)) {
        ids.add(id);
        return { id, name: candidate };
      }
    }
  };
  const root = draft('', opts.rootName, 'model', opts.rootAttrs, 0);
  const stack: { module: ModuleDraft; segment?: ScopeSegment }[] = [{ module: root }];
  const all: ModuleDraft[] = [root];
  nodes.forEach((node, index) => {
    // Keep the open modules that match the node's scope, close the rest, open what is missing.
    let depth = 0;
    while (depth + 1 < stack.length && depth < node.scope.length && sameSegment(stack[depth + 1].segment!, node.scope[depth])) depth++;
    stack.length = depth + 1;
    for (const seg of node.scope.slice(depth)) {
      const parent = stack[stack.length - 1].module;
      const { id, name } = unique(parent.id, seg.name);
      const m = draft(id, name, seg.type, seg.attrs ?? {}, index);
      parent.body.push(m);
      all.push(m);
      stack.push({ module: m, segment: seg });
    }
    const parent = stack[stack.length - 1].module;
    const { id, name } = unique(parent.id, node.name);
    const attrs = node.unsupported ? { ...node.attrs, __unsupported: unsupportedMessage(node, id) } : node.attrs;
    if (node.control) parent.body.push(placeControl(node, id, name) as unknown as ModuleDraft);
    else parent.body.push({ kind: 'node', id, name, op: node.op, inputs: node.inputs, outputs: node.outputs, attrs, ...(node.origin ? { origin: node.origin } : {}) });
    for (const s of stack) s.module.last = index;
  });
  wireModules(all, nodes, opts);
  return root as ModuleDef;
}

function sameSegment(a: ScopeSegment, b: ScopeSegment): boolean {
  return a.name === b.name && a.type === b.type;
}

/** Fills every module's inputs, outputs and weights from the node ranges it covers. */
function wireModules(modules: readonly ModuleDraft[], nodes: readonly FlatNode[], opts: TreeOptions): void {
  const lastReader = new Map<string, number>();
  const readAfter = (name: string, last: number): boolean => (lastReader.get(name) ?? -1) > last;
  nodes.forEach((n, i) => n.inputs.forEach((v) => v && lastReader.set(v, i)));
  const graphOutputs = new Set(opts.graphOutputs);
  for (const m of modules) {
    const made = new Set<string>();
    const reads: string[] = [];
    const seen = new Set<string>();
    for (let i = m.first; i <= m.last; i++) {
      for (const v of nodes[i].inputs) {
        if (!v || made.has(v) || seen.has(v) || opts.weights.has(v)) continue;
        seen.add(v);
        reads.push(v);
      }
      for (const v of nodes[i].outputs) made.add(v);
    }
    m.inputs = reads;
    // Values read after the module's last node are its results; readers before it cannot exist (order is topological).
    m.outputs = [...made].filter((v) => graphOutputs.has(v) || readAfter(v, m.last));
    m.weights = weightRoles(m, opts);
  }
  const strip = (item: Item): void => {
    if (item.kind !== 'module') return;
    const d = item as unknown as Partial<ModuleDraft>;
    delete d.first;
    delete d.last;
    item.body.forEach(strip);
  };
  strip(modules[0] as unknown as ModuleDef);
}

/**
 * A module's weights: the initializers its own nodes read, by role. The role is the weight's name without
 * the module's dotted path, or the longest tail of it, when the name starts with that
 * (`encoder.layer.0.attn.q.weight` in module `encoder/layer.0/attn` → `q.weight`), else the whole name.
 */
function weightRoles(m: ModuleDraft, opts: TreeOptions): Record<string, string> {
  const segments = m.id === '' ? [] : m.id.split('/');
  const prefixes = segments.map((_, k) => `${segments.slice(k).join('.')}.`);
  const roles: Record<string, string> = {};
  for (const item of m.body) {
    if (item.kind !== 'node') continue;
    for (const v of item.inputs) {
      if (!opts.initializers.has(v)) continue;
      const prefix = prefixes.find((p) => v.startsWith(p) && v.length > p.length);
      const short = prefix ? v.slice(prefix.length) : v;
      const role = roles[short] === undefined || roles[short] === v ? short : v;
      roles[role] = v;
    }
  }
  return roles;
}
