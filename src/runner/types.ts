import type { Tensor } from '../engine/tensor';
import type { TensorStats } from '../engine/stats';
import type { Item, SourceRange } from '../model/ir';

/** Where a frame is stopped: at its call (inputs ready) or its return (outputs ready). */
export type StopPoint = 'call' | 'return';

/**
 * One call of a module or a node. Ids are handed out in call order from 1 (the model itself), so the same
 * model and input always give the same ids: golden traces and DAP frame ids rely on it.
 */
export interface Frame {
  readonly id: number;
  readonly item: Item;
  /** The calling frame; undefined for the model itself. */
  readonly parentId?: number;
  /** 0 for the model itself. */
  readonly depth: number;
}

/** A stop in the timeline of call and return events. */
export interface Position {
  /** Index of this event in the timeline (0 = the model's call). */
  readonly index: number;
  readonly point: StopPoint;
  readonly frame: Frame;
  /** The call stack at this event, outermost first; the last entry is `frame`. */
  readonly stack: readonly Frame[];
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'exception' | 'pause' | 'goto' | 'end';

export interface StopEvent {
  readonly reason: StopReason;
  readonly position: Position;
  /** For people: which breakpoint, which NaN, which error. */
  readonly description?: string;
  /** Ids of the breakpoints that caused the stop. */
  readonly breakpointIds?: readonly number[];
  /** Set when reason is `exception`. */
  readonly exception?: { readonly filter: ExceptionFilter; readonly message: string };
}

/** Options shared by line and name breakpoints. Expressions are in the tensor expression language. */
export interface BreakpointOptions {
  /** Stop only when this evaluates to true in the frame, e.g. `output.max() > 10`. */
  readonly condition?: string;
  /** Stop on the Nth hit: `5`, `>= 5`, `% 2`. */
  readonly hitCondition?: string;
  /** Log instead of stopping: `{name}: {output.std()}`. */
  readonly logMessage?: string;
}

export interface LineBreakpoint extends BreakpointOptions {
  /** 1-based line in the model file. */
  readonly line: number;
}

export interface NameBreakpoint extends BreakpointOptions {
  /** A module or node name, id or glob (`block*`, `conv?`, `dense_[0-9]`). */
  readonly name: string;
}

/** The runner's answer for each breakpoint it was given, in order. */
export interface BreakpointStatus {
  readonly id: number;
  readonly verified: boolean;
  /** Why it could not bind, or which layer it bound to. */
  readonly message?: string;
  /** The line it moved to (the first line of its layer). */
  readonly line?: number;
}

/**
 * `nanOrInf`: stop at the first op whose output holds a NaN or Inf that its inputs did not. `engineError`: stop where
 * an op fails. `diverged`: in a compared run, stop at an op whose output diverges from its counterpart while its
 * inputs agree (the first such op in execution order is where the runs part).
 */
export type ExceptionFilter = 'nanOrInf' | 'engineError' | 'diverged' | HealthFilter;

/**
 * `deadUnits`: stop at the first relu-like op that leaves more than a share of its units dead. `magnitude`: stop at
 * the first op whose output's largest |value| is above a bound while its inputs are not (src/runner/healthWatch.ts).
 */
export type HealthFilter = 'deadUnits' | 'magnitude';

export interface RunnerOptions {
  /** Bytes of produced tensors kept with their values; past it only summaries are kept and values recomputed on demand. */
  readonly memoryBudgetBytes?: number;
  /** Most iterations a loop or scan may run before the run stops with a sentence (default 10,000). */
  readonly maxLoopIterations?: number;
  /** Receives logpoint output. */
  readonly onOutput?: (text: string, source?: SourceRange) => void;
  /** Called now and then during long runs, with nodes done and nodes in all. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Lets the host's event loop run (a pause or a cancellation gets in), resolving soon after; a forward move
   * calls it about every 10 ms. The default, `setTimeout(0)`, is the one both Node and browsers have, but
   * Node holds it at least 1 ms: Node hosts pass `setImmediate` here (src/node/ports.ts).
   */
  readonly yieldToHost?: () => Promise<void>;
  /**
   * Assignments applied to this run (`layerstep run --set`): `weight('NAME')[INDEX] = 0` changes a weight before
   * the run, `value('NAME') *= 2` changes a value the moment its node produces it, before anything reads it. A
   * bad one throws a RunnerError naming it, and the runner is not made.
   */
  readonly edits?: readonly string[];
}

/** A frame's values by scope, for VARIABLES and the panel. */
export interface FrameScopes {
  readonly inputs: ReadonlyMap<string, Tensor>;
  /** Empty until the frame has returned. */
  readonly outputs: ReadonlyMap<string, Tensor>;
  /** By role (`kernel`, `bias`...) for modules, by value name for nodes. */
  readonly weights: ReadonlyMap<string, Tensor>;
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** The result of evaluating a tensor expression. */
export type Value = Tensor | number | boolean | string | readonly number[];

export interface RecordedValue {
  readonly name: string;
  readonly stats: TensorStats;
  /** False when the budget evicted the data; {@link Runner.value} recomputes it. */
  readonly kept: boolean;
}
