import type { Item, Model, ModuleDef, NodeDef } from '../model/ir';
import { templatesOf } from '../model/ir';
import { isWeight, weightNames } from '../model/lazyWeights';

/** Where a value comes from: output `output` of the node at `index` in execution order. */
export interface Producer {
  readonly node: NodeDef;
  readonly index: number;
  readonly output: number;
}

/**
 * What the runner knows about a model before running it: the nodes in execution order (a depth-first walk
 * of the module tree), who produces each value, the last node that reads it (for eviction), and each
 * item's parent module.
 */
export class Plan {
  readonly nodes: NodeDef[] = [];
  readonly items: Item[] = [];
  private readonly producers = new Map<string, Producer>();
  private readonly lastReaders = new Map<string, number>();
  private readonly parents = new Map<Item, ModuleDef>();
  private readonly nodeIndex = new Map<NodeDef, number>();
  /** Weights and model inputs: given, never produced, never evicted. */
  readonly sources: ReadonlySet<string>;

  constructor(readonly model: Model) {
    this.walk(model.root);
    this.sources = new Set([...weightNames(model), ...model.inputs.map((v) => v.name)]);
    // The model's outputs are read at the very end, by outputs().
    for (const name of outputNames(model)) this.lastReaders.set(name, Infinity);
  }

  /** Registers an item made at run time (a branch taken, a loop's iteration) under `parent`. */
  adopt(item: Item, parent: ModuleDef): void {
    this.parents.set(item, parent);
    this.walk(item);
  }

  private walk(item: Item): void {
    this.items.push(item);
    if (item.kind === 'node') {
      const index = this.nodes.length;
      this.nodes.push(item);
      this.nodeIndex.set(item, index);
      for (const name of item.inputs) if (name) this.lastReaders.set(name, index);
      item.outputs.forEach((name, output) => {
        if (name && !this.producers.has(name)) this.producers.set(name, { node: item, index, output });
      });
      return;
    }
    for (const child of item.body) {
      this.parents.set(child, item);
      this.walk(child);
    }
    // What control flow reads is read again by bodies made at run time: never evicted before the run ends.
    if (item.control) for (const name of [...item.inputs, ...templatesOf(item).flatMap(reads)]) this.lastReaders.set(name, Infinity);
  }

  producer(name: string): Producer | undefined {
    return this.producers.get(name);
  }

  /** Index of the last node that reads `name` (Infinity for model outputs, -1 when nothing does). */
  lastUse(name: string): number {
    return this.lastReaders.get(name) ?? -1;
  }

  parent(item: Item): ModuleDef | undefined {
    return this.parents.get(item);
  }

  indexOf(node: NodeDef): number {
    return this.nodeIndex.get(node) ?? -1;
  }

  isWeight(name: string): boolean {
    return isWeight(this.model, name);
  }
}

/** Every value name the items of a template read. */
function reads(t: { module: ModuleDef }): string[] {
  const out: string[] = [];
  const visit = (item: Item): void => {
    out.push(...item.inputs);
    if (item.kind === 'module') {
      item.body.forEach(visit);
      templatesOf(item).forEach((tp) => visit(tp.module));
    }
  };
  visit(t.module);
  return out.filter((n) => n);
}

/** The names `outputs()` reports: the model's declared outputs, else the root module's. */
export function outputNames(model: Model): readonly string[] {
  return model.outputs.length ? model.outputs.map((v) => v.name) : model.root.outputs;
}
