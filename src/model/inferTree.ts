import type { Item, ModuleDef, NodeDef } from './ir';
import { nodesOf, weightAliases } from './weightUse';

/**
 * A module tree for a model whose file gives none: its root holds only ops, or only layers that hold only ops
 * (a Keras functional model). The tree is a nesting of the same items in the same order, so node ids, line
 * breakpoints and numerics stay as they were; only modules are added:
 *
 * - a **layer** (flat ops only): an op that owns weights (conv, gemm, matmul, ...) with the elementwise and
 *   normalisation ops after it that read only what the layer made (conv → batch norm → relu, hard swish's
 *   x·hardsigmoid(x)), cut back to where nothing but its last op's results is read later;
 * - a **block** of a run of items whose names share a numbered prefix (`block_1_expand`, `block_1_project` →
 *   `block_1`; `conv2_block1_1_conv` → `conv2` › `conv2_block1` › `conv2_block1_1`), shortest prefix first;
 * - a **block** from a fork to the join that closes it: from the first reader of a value read twice, right after
 *   the item that makes it, to the first item at or after its last reader where nothing made since the fork is
 *   read later (residual and squeeze-and-excitation blocks), the widest first, then again inside.
 *
 * Blocks are named after their prefix or their first item, layers after their first op; names are unique among
 * siblings (`name#2`), ids unique in the model. Module inputs are the values read from outside (weights aside),
 * outputs the values used after the module or returned by the model.
 */

/** Ops that own a layer's weights. */
const LAYER_OPS = new Set([
  'conv', 'convTranspose', 'matmul', 'gemm', 'lstm', 'gru', 'rnn', 'gather',
  'batchNormalization', 'instanceNormalization', 'layerNormalization', 'prelu',
]);

/** Elementwise and normalisation ops that finish a layer. */
const FOLLOWER_OPS = new Set([
  'batchNormalization', 'instanceNormalization', 'layerNormalization', 'add', 'sub', 'mul', 'div',
  'relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'hardSigmoid', 'hardSwish',
  'clip', 'prelu', 'softplus', 'softsign', 'thresholdedRelu', 'dropout', 'softmax', 'logSoftmax',
]);

interface Group {
  readonly kind: 'group';
  readonly name: string;
  readonly type: 'layer' | 'block';
  readonly units: Unit[];
}
type Unit = Item | Group;

const SEPARATOR = /[_.\-/:]/;

/** Token ends in a name (`block_1_expand` → [5, 7, 14]): cut points of its prefixes. */
function tokenEnds(name: string): number[] {
  const ends: number[] = [];
  for (let i = 1; i <= name.length; i++) {
    if ((i === name.length || SEPARATOR.test(name[i])) && !SEPARATOR.test(name[i - 1])) ends.push(i);
  }
  return ends;
}

const hasPrefix = (name: string, prefix: string): boolean =>
  name === prefix || (name.startsWith(prefix) && SEPARATOR.test(name[prefix.length] ?? ''));

export function inferModuleTree(root: ModuleDef, isWeight: (name: string) => boolean): ModuleDef | undefined {
  const flat = root.body.every((i) => i.kind === 'node' || i.body.every((c) => c.kind === 'node'));
  if (!flat || root.body.length < 3) return undefined;
  const nodes = nodesOf(root);
  const aliases = weightAliases(root, isWeight);
  const weightish = (v: string): boolean => v === '' || isWeight(v) || aliases.has(v);
  const index = new Map<NodeDef, number>(nodes.map((n, i) => [n, i]));
  const lastReader = new Map<string, number>();
  nodes.forEach((n, i) => n.inputs.forEach((v) => lastReader.set(v, i)));
  const returned = new Set(root.outputs);
  /** The last node index that reads `v` (Infinity for a model output). */
  const lastUse = (v: string): number => (returned.has(v) ? Infinity : lastReader.get(v) ?? -1);

  const span = (u: Unit): [number, number] => {
    const ns = u.kind === 'group' ? u.units.flatMap((x) => unitNodes(x)) : nodesOf(u);
    return [index.get(ns[0])!, index.get(ns[ns.length - 1])!];
  };

  // Layers: runs of flat ops at the root.
  const layered: Unit[] = [];
  for (let i = 0; i < root.body.length;) {
    const head = root.body[i];
    const end = head.kind === 'node' ? layerEnd(root.body, i, weightish, lastUse, index) : i;
    if (end > i) layered.push({ kind: 'group', name: head.name, type: 'layer', units: root.body.slice(i, end + 1) });
    else layered.push(head);
    i = end + 1;
  }

  const grouped = byPrefix(layered, 0);
  const level = (units: Unit[]): Unit[] => forkBlocks(units, span, lastUse, weightish).map((u) => (u.kind === 'group' && u.type === 'block' ? { ...u, units: level(u.units) } : u));
  const units = level(grouped);
  if (units.length === root.body.length && units.every((u, k) => u === root.body[k])) return undefined;
  return materialize(root, units, { index, weightish, lastUse, aliases, isWeight });
}

function unitNodes(u: Unit): NodeDef[] {
  return u.kind === 'group' ? u.units.flatMap(unitNodes) : nodesOf(u);
}

/** The index of the last op of the layer that starts at body[i], or i when no layer starts there. */
function layerEnd(body: readonly Item[], i: number, weightish: (v: string) => boolean, lastUse: (v: string) => number, index: ReadonlyMap<NodeDef, number>): number {
  const head = body[i] as NodeDef;
  if (!LAYER_OPS.has(head.op) || !head.inputs.some((v) => v !== '' && weightish(v))) return i;
  const made = new Set(head.outputs);
  let end = i;
  for (let k = i + 1; k < body.length; k++) {
    const n = body[k];
    if (n.kind !== 'node' || !FOLLOWER_OPS.has(n.op)) break;
    const data = n.inputs.filter((v) => !weightish(v));
    if (data.length === 0 || !data.every((v) => made.has(v))) break;
    n.outputs.forEach((v) => made.add(v));
    end = k;
  }
  // Cut back until only the last op's results are read after the layer.
  for (; end > i; end--) {
    const last = index.get(body[end] as NodeDef)!;
    const inner = body.slice(i, end).flatMap((n) => n.outputs);
    if (inner.every((v) => lastUse(v) <= last)) break;
  }
  return end;
}

/** Runs of items whose names share a numbered prefix longer than `minLength` characters, nested by longer prefixes. */
function byPrefix(units: Unit[], minLength: number): Unit[] {
  const out: Unit[] = [];
  for (let i = 0; i < units.length;) {
    let taken = false;
    const name = units[i].name;
    for (const end of tokenEnds(name)) {
      const prefix = name.slice(0, end);
      if (end <= minLength || !/\d$/.test(prefix)) continue;
      let j = i;
      while (j < units.length && hasPrefix(units[j].name, prefix)) j++;
      const run = units.slice(i, j);
      if (run.length < 2 || run.length === units.length || run.every((u) => u.name === prefix)) continue;
      out.push({ kind: 'group', name: prefix, type: 'block', units: byPrefix(run, prefix.length) });
      i = j;
      taken = true;
      break;
    }
    if (!taken) out.push(units[i++]);
  }
  return out;
}

/** Fork-to-join blocks among a run of items, widest first; items already grouped stay whole. */
function forkBlocks(units: Unit[], span: (u: Unit) => [number, number], lastUse: (v: string) => number, weightish: (v: string) => boolean): Unit[] {
  const n = units.length;
  if (n < 3) return units;
  const spans = units.map(span);
  const levelEnd = spans[n - 1][1];
  const position = (nodeIndex: number): number => {
    if (nodeIndex > levelEnd) return Infinity;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (spans[mid][0] <= nodeIndex) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const made = units.map((u) => new Set(unitNodes(u).flatMap((x) => x.outputs)));
  const reads = units.map((u, k) => new Set(unitNodes(u).flatMap((x) => x.inputs).filter((v) => !weightish(v) && !made[k].has(v))));
  /** The last item that reads something item k makes (k itself when nothing later does). */
  const reach = units.map((_, k) => {
    let r = k;
    for (const v of made[k]) r = Math.max(r, position(lastUse(v)));
    return r;
  });
  const readers = new Map<string, number[]>();
  reads.forEach((vs, k) => vs.forEach((v) => {
    const list = readers.get(v);
    if (list) list.push(k);
    else readers.set(v, [k]);
  }));
  const producer = new Map<string, number>();
  made.forEach((vs, k) => vs.forEach((v) => producer.set(v, k)));
  const candidates: [number, number][] = [];
  for (const [v, ks] of readers) {
    if (ks.length < 2) continue;
    const s = ks[0];
    // A fork is read right where it is made (items that read no computed value aside): a value made long before
    // and read all along (an attention mask) opens no block.
    let gap = (producer.get(v) ?? -1) + 1;
    while (gap < s && reads[gap].size === 0) gap++;
    if (gap !== s) continue;
    let m = -1;
    for (let k = s; k < ks[ks.length - 1]; k++) m = Math.max(m, reach[k]);
    for (let e = ks[ks.length - 1]; e < n && m !== Infinity; e++) {
      if (m <= e) {
        if (!(s === 0 && e === n - 1)) candidates.push([s, e]);
        break;
      }
      m = Math.max(m, reach[e]);
    }
  }
  candidates.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: Unit[] = [];
  let next = 0;
  for (const [s, e] of candidates) {
    if (s < next) continue;
    out.push(...units.slice(next, s));
    out.push({ kind: 'group', name: units[s].name, type: 'block', units: units.slice(s, e + 1) });
    next = e + 1;
  }
  out.push(...units.slice(next));
  return out;
}

interface Wiring {
  readonly index: ReadonlyMap<NodeDef, number>;
  readonly weightish: (v: string) => boolean;
  readonly lastUse: (v: string) => number;
  readonly aliases: ReadonlyMap<string, string>;
  readonly isWeight: (v: string) => boolean;
}

/** The new root: groups become modules with unique names and ids, inputs, outputs and (for layers) weights. */
function materialize(root: ModuleDef, units: Unit[], w: Wiring): ModuleDef {
  const ids = new Set<string>();
  const collect = (item: Item): void => {
    ids.add(item.id);
    if (item.kind === 'module') item.body.forEach(collect);
  };
  collect(root);
  const uniqueId = (base: string): string => {
    let id = base;
    for (let k = 2; ids.has(id); k++) id = `${base}#${k}`;
    ids.add(id);
    return id;
  };
  const build = (parentId: string, list: Unit[]): Item[] => {
    const names = new Set<string>(list.filter((u): u is Item => u.kind !== 'group').map((u) => u.name));
    return list.map((u) => {
      if (u.kind !== 'group') return u;
      let name = u.name;
      for (let k = 2; names.has(name); k++) name = `${u.name}#${k}`;
      names.add(name);
      const id = uniqueId(parentId === '' ? name : `${parentId}/${name}`);
      const body = build(id, u.units);
      const nodes = body.flatMap((b) => nodesOf(b));
      const { inputs, outputs } = wire(nodes, w);
      const weights: Record<string, string> = {};
      if (u.type === 'layer') {
        for (const n of nodes) for (const v of n.inputs) if (v !== '' && w.weightish(v)) weights[v] = w.isWeight(v) ? v : w.aliases.get(v)!;
      }
      return { kind: 'module', id, name, type: u.type, inputs, outputs, weights, attrs: {}, body } satisfies ModuleDef;
    });
  };
  // Weights belong to the layers and ops that read them now, not to the model as a whole.
  return { ...root, weights: {}, body: build(root.id, units) };
}

/** A module's inputs (values its ops read from outside, weights aside) and outputs (values read after it or returned). */
function wire(nodes: readonly NodeDef[], w: Wiring): { inputs: string[]; outputs: string[] } {
  const last = w.index.get(nodes[nodes.length - 1])!;
  const made = new Set<string>();
  const inputs = new Set<string>();
  for (const n of nodes) {
    for (const v of n.inputs) if (!w.weightish(v) && !made.has(v)) inputs.add(v);
    n.outputs.forEach((v) => made.add(v));
  }
  return { inputs: [...inputs], outputs: [...made].filter((v) => w.lastUse(v) > last) };
}
