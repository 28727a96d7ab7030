import type { Item, Model, ModuleDef, NodeDef } from '../model/ir';
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

/** The names `outputs()` reports: the model's declared outputs, else the root module's. */
export function outputNames(model: Model): readonly string[] {
  return model.outputs.length ? model.outputs.map((v) => v.name) : model.root.outputs;
}
