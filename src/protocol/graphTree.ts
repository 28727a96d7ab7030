import type { Dim } from '../model/ir';
import type { GraphDesc, GraphItem, GraphModule } from './graph';
import { formatShape } from './graph';

/**
 * The graph's boxes, made once per graph from its {@link GraphDesc}: modules, ops, the model's inputs and outputs
 * as terminals, and runs of repeated blocks gathered into one box ("layer ×12") whose children are the blocks.
 * Which boxes are open, and so what is drawn, is decided later (src/protocol/graphView.ts). Pure.
 */

export type BoxKind = 'module' | 'repeat' | 'node' | 'input' | 'output';

export interface TreeBox {
  /** The item's id; `repeat:<first block's id>` for a run of repeated blocks; `input:<name>`, `output:<name>`. */
  readonly id: string;
  readonly kind: BoxKind;
  /** The name shown: the item's name, `layer ×12`, or the value's name for a terminal. */
  readonly name: string;
  /** Op for nodes, layer type for modules and repeats, `input`/`output` for terminals. */
  readonly type: string;
  readonly parent?: string;
  /** Boxes inside (modules and repeats), in order. */
  readonly children: readonly string[];
  /** Values read from outside the box and values it makes (weights left out): where its edges attach. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Ops under it (1 for an op). */
  readonly ops: number;
  /** Blocks in a repeat. */
  readonly count?: number;
}

/** Repeated blocks are gathered when at least this many follow each other (two when numbered alike: `h.0`, `h.1`). */
const MIN_UNNUMBERED_RUN = 3;

export class GraphTree {
  readonly boxes = new Map<string, TreeBox>();
  /** The top level: input terminals, the model's body, output terminals. */
  readonly top: string[] = [];
  /** The op that makes each value. */
  readonly producer = new Map<string, string>();
  /** The model itself (its frame is the root of CALL STACK; it has no box). */
  readonly rootId: string;
  private readonly weights: ReadonlySet<string>;

  private constructor(readonly desc: GraphDesc) {
    this.rootId = desc.root.id;
    this.weights = new Set(desc.weights);
  }

  static from(desc: GraphDesc): GraphTree {
    const t = new GraphTree(desc);
    for (const name of desc.inputs) t.top.push(t.add({ id: `input:${name}`, kind: 'input', name, type: 'input', children: [], inputs: [], outputs: [name], ops: 0 }));
    t.top.push(...t.addBody(desc.root.body, undefined));
    for (const name of desc.outputs) t.top.push(t.add({ id: `output:${name}`, kind: 'output', name, type: 'output', children: [], inputs: [name], outputs: [], ops: 0 }));
    return t;
  }

  get(id: string): TreeBox | undefined {
    return this.boxes.get(id);
  }

  /** The boxes around `id`, outermost first (repeats included), not `id` itself. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    for (let p = this.boxes.get(id)?.parent; p !== undefined; p = this.boxes.get(p)?.parent) out.push(p);
    return out.reverse();
  }

  /** The static shape of a value, formatted, or undefined when unknown. */
  staticShape(value: string): string | undefined {
    const s = this.desc.shapes[value];
    return s ? formatShape(s) : undefined;
  }

  private add(box: TreeBox): string {
    this.boxes.set(box.id, box);
    return box.id;
  }

  private edgeValues(names: readonly string[]): string[] {
    return [...new Set(names.filter((n) => n !== '' && !this.weights.has(n)))];
  }

  /** Adds the items of a body under `parent`, gathering runs of repeated blocks; returns the ids of the boxes made. */
  private addBody(items: readonly GraphItem[], parent: string | undefined): string[] {
    const ids: string[] = [];
    const signatures = items.map((i) => signature(i, this.desc.shapes));
    for (let i = 0; i < items.length;) {
      const run = repeatRun(items, signatures, i);
      if (run > 1) {
        ids.push(this.addRepeat(items.slice(i, i + run) as GraphModule[], parent));
        i += run;
      } else {
        ids.push(this.addItem(items[i], parent));
        i++;
      }
    }
    return ids;
  }

  private addItem(item: GraphItem, parent: string | undefined): string {
    if (item.kind === 'node') {
      for (const v of item.outputs) if (v) this.producer.set(v, item.id);
      return this.add({
        id: item.id, kind: 'node', name: item.name, type: item.op, parent, children: [],
        inputs: this.edgeValues(item.inputs), outputs: this.edgeValues(item.outputs), ops: 1,
      });
    }
    const children = this.addBody(item.body, item.id);
    const ops = children.reduce((n, c) => n + (this.boxes.get(c)?.ops ?? 0), 0);
    return this.add({
      id: item.id, kind: 'module', name: item.name, type: item.type, parent, children,
      inputs: this.edgeValues(item.inputs), outputs: this.edgeValues(item.outputs), ops,
    });
  }

  private addRepeat(blocks: readonly GraphModule[], parent: string | undefined): string {
    const id = `repeat:${blocks[0].id}`;
    const children = blocks.map((b) => this.addItem(b, id));
    const made = new Set(blocks.flatMap((b) => b.outputs));
    const read = blocks.flatMap((b) => b.inputs).filter((v) => !made.has(v));
    const ops = children.reduce((n, c) => n + (this.boxes.get(c)?.ops ?? 0), 0);
    return this.add({
      id, kind: 'repeat', name: `${repeatName(blocks)} ×${blocks.length}`, type: blocks[0].type, parent, children,
      inputs: this.edgeValues(read), outputs: this.edgeValues([...made]), ops, count: blocks.length,
    });
  }
}

/**
 * What makes two blocks the same: their type, their body's structure (op types and nested types in order), and
 * the static shapes they hand back. Names are left out (they differ from block to block by design).
 */
function signature(item: GraphItem, shapes: GraphDesc['shapes']): string {
  if (item.kind === 'node') return item.op;
  const out = item.outputs.map((v) => shapeKey(shapes[v])).join(',');
  return `${item.type}<${out}>(${item.body.map((c) => signature(c, shapes)).join(' ')})`;
}

function shapeKey(s: readonly Dim[] | undefined): string {
  return s ? formatShape(s) : '';
}

/** How many modules from `i` on share item i's signature and make a run (1 when none does). */
function repeatRun(items: readonly GraphItem[], signatures: readonly string[], i: number): number {
  const first = items[i];
  if (first.kind !== 'module' || first.body.length === 0) return 1;
  let n = 1;
  while (i + n < items.length && items[i + n].kind === 'module' && signatures[i + n] === signatures[i]) n++;
  if (n >= MIN_UNNUMBERED_RUN) return n;
  if (n === 2 && numberedAlike(items[i].name, items[i + 1].name)) return 2;
  return 1;
}

const NUMBERED = /^(.*?)(\d+)$/;

function numberedAlike(a: string, b: string): boolean {
  const ma = NUMBERED.exec(a);
  const mb = NUMBERED.exec(b);
  return !!ma && !!mb && ma[1] === mb[1];
}

/** `layer` for `layer.0 … layer.11`, `block` for `block1, block2`; else the blocks' type. */
function repeatName(blocks: readonly GraphModule[]): string {
  const stems = blocks.map((b) => NUMBERED.exec(b.name)?.[1]);
  const stem = stems[0];
  if (stem !== undefined && stems.every((s) => s === stem)) {
    const trimmed = stem.replace(/[._\-/:]+$/, '');
    if (trimmed) return trimmed;
  }
  return blocks[0].type;
}
