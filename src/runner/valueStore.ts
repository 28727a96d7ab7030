import type { OpRegistry } from '../engine/registry';
import { formatSummary, statsOf } from '../engine/stats';
import type { TensorStats } from '../engine/stats';
import type { Tensor } from '../engine/tensor';
import type { Model, NodeDef } from '../model/ir';
import { RunnerError } from './errors';
import type { EditSet } from './edits';
import type { Plan } from './plan';
import { Recorder } from './recorder';
import type { RecordEntry } from './recorder';
import type { RecordedValue } from './types';

/**
 * Every value of a run by name: the given ones (model inputs and weights, never evicted) and the produced
 * ones (through a {@link Recorder}, recomputed from their producer when evicted). Whether a value exists
 * "at a position" is the caller's question: {@link ValueStore.visibleAt}.
 */
export class ValueStore {
  private readonly recorder: Recorder;

  constructor(
    private readonly model: Model,
    private readonly inputs: Readonly<Record<string, Tensor>>,
    private readonly plan: Plan,
    private readonly ops: OpRegistry,
    budgetBytes: number,
    /** The run's what-if edits: edited weights and inputs stand in for the loaded ones, value edits apply when recomputed. */
    private readonly edits: EditSet,
  ) {
    this.recorder = new Recorder(budgetBytes, (n) => plan.lastUse(n));
  }

  /** A model input or weight. */
  given(name: string): Tensor | undefined {
    const isInput = Object.hasOwn(this.inputs, name);
    if (!isInput && !this.model.weights.has(name)) return undefined;
    return this.edits.givenTensor(name) ?? (isInput ? this.inputs[name] : this.model.weights.get(name));
  }

  isInput(name: string): boolean {
    return Object.hasOwn(this.inputs, name);
  }

  /** Records a value of an earlier pass again (see {@link Recorder.recordLike}). */
  recordLike(like: RecordEntry, node: NodeDef, eventIndex: number, stale: boolean): RecordEntry {
    return this.recorder.recordLike(like, this.plan.indexOf(node), eventIndex, stale);
  }

  entry(name: string): RecordEntry | undefined {
    return this.recorder.entry(name);
  }

  /** Records what a node produced; its return event will be at `eventIndex`. */
  record(node: NodeDef, outs: readonly Tensor[], eventIndex: number): RecordEntry[] {
    const nodeIndex = this.plan.indexOf(node);
    const entries: RecordEntry[] = [];
    node.outputs.forEach((name, i) => {
      if (name) entries.push(this.recorder.record(name, outs[i], nodeIndex, eventIndex));
    });
    return entries;
  }

  /**
   * A value's data: given, kept, or recomputed from its producer (memoised within one request), with its edits
   * applied. A stale value (an edit upstream changed it) keeps what is recomputed, with fresh statistics. The
   * values it needs are found with an explicit stack, not by recursion: after an early edit every value of a deep
   * model may be stale, and the chain can be far deeper than the call stack.
   */
  resolve(name: string, memo = new Map<string, Tensor>()): Tensor {
    const ready = this.ready(name, memo);
    if (ready) return ready;
    const pending: { name: string; expanded: boolean }[] = [{ name, expanded: false }];
    const expanded = new Set<string>();
    while (pending.length) {
      const top = pending[pending.length - 1];
      if (this.ready(top.name, memo)) {
        pending.pop();
        continue;
      }
      const e = this.recorder.entry(top.name);
      if (!e) throw new RunnerError(`value '${top.name}' is not produced by any earlier node`);
      const p = this.plan.producer(top.name);
      if (!p) throw new RunnerError(`value '${top.name}' has no producer to recompute it from`);
      if (!top.expanded) {
        if (expanded.has(top.name)) throw new RunnerError(`value '${top.name}' depends on itself`);
        expanded.add(top.name);
        top.expanded = true;
        for (const n of p.node.inputs) if (n !== '' && !this.ready(n, memo)) pending.push({ name: n, expanded: false });
        continue;
      }
      pending.pop();
      const inputs = p.node.inputs.map((n) => (n === '' ? undefined : (this.ready(n, memo) as Tensor)));
      const t = this.edits.applyToValue(top.name, this.ops.run(p.node.op, inputs, p.node.attrs)[p.output]);
      memo.set(top.name, t);
      if (e.stale) this.recorder.refresh(e, t);
    }
    return this.ready(name, memo) as Tensor;
  }

  /** A value's data when it is at hand: given, kept, or already recomputed in this request. */
  private ready(name: string, memo: ReadonlyMap<string, Tensor>): Tensor | undefined {
    return this.given(name) ?? this.recorder.entry(name)?.tensor ?? memo.get(name);
  }

  /** A recorded entry with statistics: a stale one is recomputed first. */
  private current(e: RecordEntry): RecordEntry {
    if (e.stale) this.resolve(e.name);
    return e;
  }

  /** Given values always exist; a produced one from its producer's return event on. */
  visibleAt(name: string, index: number): boolean {
    if (this.given(name)) return true;
    const e = this.recorder.entry(name);
    return e !== undefined && e.eventIndex <= index;
  }

  isRecorded(name: string): boolean {
    return this.recorder.entry(name) !== undefined;
  }

  /** A weight or model input with its statistics (computed once), for the NaN watch. */
  source(name: string): { kind: 'weight' | 'input'; stats: TensorStats } | undefined {
    const t = this.given(name);
    if (!t) return undefined;
    return { kind: this.isInput(name) ? 'input' : 'weight', stats: statsOf(t) };
  }

  /** The one-line summary of a value from its statistics, without recomputing an evicted one. */
  summary(name: string): string {
    const fixed = this.given(name);
    if (fixed) return formatSummary(fixed, statsOf(fixed));
    const found = this.recorder.entry(name);
    if (!found) return `${name}: not produced`;
    const e = this.current(found);
    return formatSummary(e.tensor ?? shell(e), e.stats);
  }

  /** Every value recorded, in order, with its statistics (stale ones recomputed). */
  recorded(): RecordedValue[] {
    return this.recorder.entries().map((found) => {
      const e = this.current(found);
      return { name: e.name, stats: e.stats, kept: e.tensor !== undefined };
    });
  }

  /** Is a value recorded after event `index` stale? */
  staleAfter(index: number): boolean {
    return this.recorder.entries().some((e) => e.eventIndex > index && e.stale);
  }

  /** Is the value stale (an edit upstream changed it and it has not been recomputed)? */
  isStale(name: string): boolean {
    return this.recorder.entry(name)?.stale ?? false;
  }
}

/** Stands in for an evicted tensor in summaries: only dtype, shape and size are read (it has more than 4 elements, see Recorder). */
function shell(e: RecordEntry): Tensor {
  return { dtype: e.dtype, shape: e.shape, size: e.size } as Tensor;
}
