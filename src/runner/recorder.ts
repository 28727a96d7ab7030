import { statsOf } from '../engine/stats';
import type { TensorStats } from '../engine/stats';
import type { DType, Shape, Tensor } from '../engine/tensor';

/**
 * One produced value: its data while the memory budget allows, and its statistics, taken in the one pass
 * over the data that recording makes (the NaN watch reads them at once; summaries, VARIABLES and the panel's
 * histogram read the same ones later, through {@link statsOf}). Nothing is copied: the entry holds the tensor
 * the op returned.
 */
export class RecordEntry {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly size: number;
  readonly bytes: number;
  readonly stats: TensorStats;

  constructor(
    readonly name: string,
    /** Undefined once evicted. */
    public tensor: Tensor | undefined,
    /** Index (execution order) of the node that produced it. */
    readonly nodeIndex: number,
    /** Timeline index of that node's return event: the value exists from there on. */
    readonly eventIndex: number,
  ) {
    const t = tensor as Tensor;
    this.dtype = t.dtype;
    this.shape = t.shape;
    this.size = t.size;
    this.bytes = t.bytes;
    this.stats = statsOf(t);
  }

  /** Drops the data, keeping the statistics. */
  evict(): void {
    this.tensor = undefined;
  }
}

/** Default memory budget for produced values: 256 MiB. */
export const DEFAULT_MEMORY_BUDGET = 256 * 1024 * 1024;

/** Values this small are never evicted: they cost nothing and their summaries show their elements. */
const TINY_ELEMENTS = 4;

/**
 * Keeps every produced tensor's statistics, and its data up to `budgetBytes`. Past the budget it evicts
 * values that no later node reads first, oldest first, then the oldest of the rest; the caller recomputes
 * an evicted value from its producer when someone asks for it. Weights and model inputs never pass through here.
 */
export class Recorder {
  private readonly byName = new Map<string, RecordEntry>();
  private readonly order: RecordEntry[] = [];
  /** Entries still holding data, oldest first. */
  private kept: RecordEntry[] = [];
  private keptBytes = 0;

  constructor(
    readonly budgetBytes: number,
    /** Index of the last node that reads a value (Infinity: needed to the end). */
    private readonly lastUse: (name: string) => number,
  ) {}

  record(name: string, tensor: Tensor, nodeIndex: number, eventIndex: number): RecordEntry {
    const entry = new RecordEntry(name, tensor, nodeIndex, eventIndex);
    this.byName.set(name, entry);
    this.order.push(entry);
    this.kept.push(entry);
    this.keptBytes += entry.bytes;
    if (this.keptBytes > this.budgetBytes) this.evict(nodeIndex);
    return entry;
  }

  entry(name: string): RecordEntry | undefined {
    return this.byName.get(name);
  }

  /** Every value produced so far, in production order. */
  entries(): readonly RecordEntry[] {
    return this.order;
  }

  get bytesKept(): number {
    return this.keptBytes;
  }

  /** Frees data until the kept bytes fit, sparing what node `current` just produced. */
  private evict(current: number): void {
    const evictable = (e: RecordEntry): boolean => e.nodeIndex !== current && e.size > TINY_ELEMENTS;
    const passes: ((e: RecordEntry) => boolean)[] = [
      (e) => evictable(e) && this.lastUse(e.name) <= current,
      evictable,
    ];
    for (const pick of passes) {
      for (const e of this.kept) {
        if (this.keptBytes <= this.budgetBytes) break;
        if (e.tensor && pick(e)) {
          e.evict();
          this.keptBytes -= e.bytes;
        }
      }
    }
    this.kept = this.kept.filter((e) => e.tensor !== undefined);
  }
}
