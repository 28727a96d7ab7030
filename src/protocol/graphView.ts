import type { GraphTree, TreeBox } from './graphTree';

/**
 * What the graph draws for a set of open boxes: an open module or repeat is a cluster around its children, a
 * closed one a single box; edges join the drawn boxes that make and read each value. Only open boxes' children
 * are visited, so the cost follows what is drawn, not the model's size. Pure: the layout worker takes the result.
 */

export interface ViewNode {
  readonly id: string;
  readonly kind: TreeBox['kind'];
  /** First line: the op type for ops, the name for modules, repeats and terminals. */
  readonly label: string;
  /** Second line: the op's name, the module's type and size. */
  readonly sub: string;
  readonly parent?: string;
  /** Drawn as a cluster around its children (an open module or repeat): its size comes from the layout. */
  readonly cluster: boolean;
  /** Has children to open. */
  readonly expandable: boolean;
  readonly width: number;
  readonly height: number;
}

export interface ViewEdge {
  /** `from→to`. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** The values it carries (one edge per pair of boxes). */
  readonly values: readonly string[];
  /** The first value's shape (run-time when measured, else static); `''` when unknown. */
  readonly label: string;
  /** The label is the shape the run measured (not the static one). */
  readonly measured: boolean;
  readonly labelWidth: number;
}

export interface GraphView {
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly ViewEdge[];
}

/** Approximate text widths at the graph's font sizes (the worker has no DOM to measure with). */
const CHAR = 7;
const SUB_CHAR = 6;
const LABEL_CHAR = 6;
const MAX_WIDTH = 240;
export const MAX_LABEL_CHARS = 32;

/** Boxes opened at first: the top level's modules, and theirs, while this many boxes or fewer are drawn. */
export const DEFAULT_BUDGET = 48;

/**
 * The boxes open when a graph is first shown: modules of the top level and the next (repeats stay closed), each
 * opened only while the drawing stays within `budget` boxes, in order.
 */
export function defaultExpansion(tree: GraphTree, budget = DEFAULT_BUDGET): Set<string> {
  const open = new Set<string>();
  let drawn = tree.top.length;
  let level = tree.top;
  for (let depth = 0; depth < 2; depth++) {
    const next: string[] = [];
    for (const id of level) {
      const b = tree.get(id);
      if (!b || b.kind !== 'module' || b.children.length === 0) continue;
      if (drawn - 1 + b.children.length > budget) continue;
      open.add(id);
      drawn += b.children.length - 1;
      next.push(...b.children);
    }
    level = next;
  }
  return open;
}

/** Opens every box around `id` so that it is drawn; returns whether anything opened. */
export function openPath(tree: GraphTree, open: Set<string>, id: string): boolean {
  let changed = false;
  for (const a of tree.ancestors(id)) {
    if (!open.has(a)) {
      open.add(a);
      changed = true;
    }
  }
  return changed;
}

/** The drawn box that stands for `id`: itself when drawn, else the closed box that holds it. */
export function representative(tree: GraphTree, open: ReadonlySet<string>, id: string): string | undefined {
  if (!tree.get(id)) return undefined;
  for (const a of tree.ancestors(id)) if (!open.has(a)) return a;
  return id;
}

/**
 * The drawing for the open boxes. `shapeOf` gives a value's shape as the run measured it, when it has; edges fall
 * back to the static shape.
 */
export function buildView(tree: GraphTree, open: ReadonlySet<string>, shapeOf: (value: string) => string | undefined = () => undefined): GraphView {
  const nodes: ViewNode[] = [];
  const leaves: TreeBox[] = [];
  const visit = (id: string, parent: string | undefined) => {
    const b = tree.get(id);
    if (!b) return;
    const expandable = b.children.length > 0;
    const cluster = expandable && open.has(id);
    nodes.push(viewNode(b, parent, cluster, expandable));
    if (cluster) for (const c of b.children) visit(c, id);
    else leaves.push(b);
  };
  for (const id of tree.top) visit(id, undefined);

  const maker = new Map<string, string>();
  for (const b of leaves) for (const v of b.outputs) maker.set(v, b.id);
  const byPair = new Map<string, { from: string; to: string; values: string[] }>();
  for (const b of leaves) {
    for (const v of b.inputs) {
      const from = maker.get(v);
      if (from === undefined || from === b.id) continue;
      const key = `${from}→${b.id}`;
      const e = byPair.get(key);
      if (e) e.values.push(v);
      else byPair.set(key, { from, to: b.id, values: [v] });
    }
  }
  const edges = [...byPair].map(([id, e]): ViewEdge => {
    const measured = shapeOf(e.values[0]);
    const label = measured ?? tree.staticShape(e.values[0]) ?? '';
    return { id, ...e, label, measured: measured !== undefined, labelWidth: label ? label.length * LABEL_CHAR + 6 : 0 };
  });
  return { nodes, edges };
}

function viewNode(b: TreeBox, parent: string | undefined, cluster: boolean, expandable: boolean): ViewNode {
  const [label, sub] = lines(b);
  const terminal = b.kind === 'input' || b.kind === 'output';
  const width = Math.min(MAX_WIDTH, Math.max(terminal ? 48 : 64, clip(label).length * CHAR + 20, clip(sub).length * SUB_CHAR + 20));
  return { id: b.id, kind: b.kind, label, sub, ...(parent !== undefined ? { parent } : {}), cluster, expandable, width, height: terminal || !sub ? 26 : 38 };
}

function lines(b: TreeBox): [string, string] {
  switch (b.kind) {
    case 'node': return [b.type, b.name === b.type ? '' : b.name];
    case 'module': return [b.name, `${b.type} · ${plural(b.ops, 'op')}`];
    case 'repeat': return [b.name, `${b.type} · ${plural(b.ops, 'op')}`];
    case 'input': return [b.name, ''];
    case 'output': return [b.name, ''];
  }
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** A label cut to what a box shows. */
export function clip(text: string): string {
  return text.length > MAX_LABEL_CHARS ? `${text.slice(0, MAX_LABEL_CHARS - 1)}…` : text;
}
