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
  dtype: DType;
  shape: Shape;
  size: number;
  bytes: number;
  /** Undefined while the entry is stale: see {@link RecordEntry.stale}. */
  private taken?: TensorStats;

  constructor(
    readonly name: string,
    /** Undefined once evicted, or while stale. */
    public tensor: Tensor | undefined,
    /** Index (execution order) of the node that produced it. */
    readonly nodeIndex: number,
    /** Timeline index of that node's return event: the value exists from there on. */
    readonly eventIndex: number,
    /** For an entry made without its data (evicted or stale): what it was like. */
    like?: { readonly dtype: DType; readonly shape: Shape; readonly size: number; readonly bytes: number; readonly stats?: TensorStats },
  ) {
    const t = tensor ?? like;
    if (!t) throw new Error(`recording '${name}' needs its tensor or its description`);
    this.dtype = t.dtype;
    this.shape = t.shape;
    this.size = t.size;
    this.bytes = t.bytes;
    this.taken = tensor ? statsOf(tensor) : like?.stats;
  }

  /**
   * True when an edit upstream has made the recorded data wrong and it has not been recomputed yet: the entry
   * keeps only its place in the run (and its last known dtype and shape), never its old statistics.
   */
  get stale(): boolean {
    return this.taken === undefined;
  }

  get stats(): TensorStats {
    if (!this.taken) throw new Error(`'${this.name}' is stale: it must be recomputed before its statistics are read`);
    return this.taken;
  }

  /** Drops the data, keeping the statistics. */
  evict(): void {
    this.tensor = undefined;
  }

  /** Takes recomputed data (after an edit) and its statistics. */
  refresh(t: Tensor): void {
    this.tensor = t;
    this.dtype = t.dtype;
    this.shape = t.shape;
    this.size = t.size;
    this.bytes = t.bytes;
    this.taken = statsOf(t);
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

  /**
   * Records a value without its data: `like` an entry of an earlier pass that it stands for (a value an edit left
   * as it was: the same statistics, data only when the earlier entry still holds it), or stale (an edit
   * changed what it is made from: recomputed when asked for, see {@link refresh}).
   */
  recordLike(like: RecordEntry, nodeIndex: number, eventIndex: number, stale: boolean): RecordEntry {
    if (!stale && like.tensor) return this.record(like.name, like.tensor, nodeIndex, eventIndex);
    const entry = new RecordEntry(like.name, undefined, nodeIndex, eventIndex, {
      dtype: like.dtype, shape: like.shape, size: like.size, bytes: like.bytes, stats: stale || like.stale ? undefined : like.stats,
    });
    this.byName.set(like.name, entry);
    this.order.push(entry);
    return entry;
  }

  /** Gives a stale or evicted entry recomputed data; it is kept while the budget allows. */
  refresh(entry: RecordEntry, t: Tensor): void {
    if (entry.tensor) return;
    entry.refresh(t);
    this.kept.push(entry);
    this.keptBytes += entry.bytes;
    if (this.keptBytes > this.budgetBytes) this.evict(entry.nodeIndex);
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
