import { defaultOps } from '../engine/ops/index';
import type { OpRegistry } from '../engine/registry';
import { Tensor } from '../engine/tensor';
import type { Model, NodeDef, SourceRange } from '../model/ir';
import { hasPendingWeights, loadPendingWeights } from '../model/lazyWeights';
import { modelFor } from '../model/specialize';
import { markWeights } from '../model/constants';
import { weightBehind } from '../model/weightUse';
import { Breakpoints } from './breakpoints';
import { DEFAULT_MAX_ITERATIONS } from './control';
import { RunnerError, baseName } from './errors';
import { evaluate } from './expr/evaluate';
import type { EvalScope } from './expr/evaluate';
import { formatValue, toValue } from './format';
import { frameEvalScope, frameScopes } from './frameScope';
import type { ScopeSource } from './frameScope';
import { globMatcher } from './glob';
import { aliasInputs, checkInputs } from './inputs';
import { NanWatch } from './nanWatch';
import { nodeError } from './nodeError';
import { outputNames, Plan } from './plan';
import { DEFAULT_MEMORY_BUDGET } from './recorder';
import { checkBackward, checkForward } from './stopCheck';
import { Timeline } from './timeline';
import type { TimelineEntry } from './timeline';
import type {
  BreakpointStatus, ExceptionFilter, Frame, FrameScopes, LineBreakpoint, NameBreakpoint, Position, RecordedValue,
  RunnerOptions, StopEvent, StopReason, Value,
} from './types';
import { ValueStore } from './valueStore';

export type RunnerInit = RunnerOptions & {
  /** The ops to run nodes with; the engine's default registry when left out. */
  readonly ops?: OpRegistry;
};

/** How long a forward move computes before it yields to the event loop, so pause() and cancellation get in. */
const YIELD_MS = 10;
/** The yield both Node and browsers have; see {@link RunnerOptions.yieldToHost}. */
const timeoutYield = (): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** Evaluated tensors kept for the Debug Console to expand (`$1`, `$2`...), newest last. */
const MAX_RESULTS = 100;

/**
 * The stepping interpreter. The forward pass is a timeline of call and return events (see {@link Timeline});
 * the runner holds an index into it. Forward moves produce events lazily (an op runs only when its return
 * event is first needed) and check breakpoints and exception filters at every event they pass; backward
 * moves only move the index. Every produced tensor is recorded ({@link ValueStore}).
 */
export class Runner {
  /** Set when an op failed; forward moves cannot pass that node. */
  error?: RunnerError;
  private readonly ops: OpRegistry;
  private readonly plan: Plan;
  private readonly values: ValueStore;
  private readonly nan: NanWatch;
  private readonly breakpoints: Breakpoints;
  private readonly events: Timeline;
  private readonly filters = new Set<ExceptionFilter>();
  /** Timeline index of a node's return → why NaN/Inf starts there. */
  private readonly nanOrigins = new Map<number, string>();
  private readonly results = new Map<string, Tensor>();
  private nextResult = 1;
  private index = 0;
  private errorIndex = -1;
  private busy = false;
  private pauseRequested = false;
  private nodesDone = 0;
  private disposed = false;

  /** The model as laid out for this run's input sizes (src/model/specialize.ts). */
  readonly model: Model;

  constructor(
    loaded: Model,
    given: Readonly<Record<string, Tensor>>,
    private readonly options: RunnerInit = {},
  ) {
    const inputs = aliasInputs(loaded, given);
    checkInputs(loaded, inputs);
    const model = (this.model = markWeights(modelFor(loaded, inputs)));
    this.ops = options.ops ?? defaultOps;
    this.plan = new Plan(model);
    this.values = new ValueStore(model, inputs, this.plan, this.ops, options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET);
    this.nan = new NanWatch((n) => this.values.source(n));
    this.breakpoints = new Breakpoints(model);
    this.events = new Timeline(model.root, (node) => this.runNode(node), {
      value: (name) => this.values.resolve(name),
      adopt: (item, parent) => this.plan.adopt(item, parent),
      maxIterations: options.maxLoopIterations ?? DEFAULT_MAX_ITERATIONS,
      file: baseName(model.file),
    });
  }

  get position(): Position {
    return this.events.events[this.index];
  }

  /** True once the root has returned (and from then on, wherever the position is). */
  get finished(): boolean {
    return this.events.complete;
  }

  frame(id: number): Frame | undefined {
    return this.events.record(id)?.frame;
  }

  stack(): readonly Frame[] {
    return this.position.stack;
  }

  /** Every event recorded so far, as plain numbers. */
  timeline(): readonly TimelineEntry[] {
    return this.events.entries;
  }

  setLineBreakpoints(bps: LineBreakpoint[]): BreakpointStatus[] {
    return this.breakpoints.setLine(bps);
  }

  setNameBreakpoints(bps: NameBreakpoint[]): BreakpointStatus[] {
    return this.breakpoints.setName(bps);
  }

  setExceptionFilters(filters: ExceptionFilter[]): void {
    this.filters.clear();
    for (const f of filters) this.filters.add(f);
  }

  // ---- forward moves ----

  /** The next event. */
  stepIn(): Promise<StopEvent> {
    return this.forward(() => true, 'step');
  }

  /** At a call: that frame's return, its body run whole. At a return: the next event. */
  stepOver(): Promise<StopEvent> {
    const { point, frame } = this.position;
    if (point === 'return') return this.forward(() => true, 'step');
    return this.forward((p) => p.point === 'return' && p.frame.id === frame.id, 'step');
  }

  /**
   * Finishes the current module and stops at its return. At the call of a module, that module is the
   * current one (as a debugger at a function's first line steps out of that function); at an op, or at a
   * return, it is the caller. At the root: the end.
   */
  stepOut(): Promise<StopEvent> {
    const { point, frame, stack } = this.position;
    const current = point === 'call' && frame.item.kind === 'module' ? frame : stack[stack.length - 2];
    if (!current) return this.forward(() => false, 'step');
    return this.forward((p) => p.point === 'return' && p.frame.id === current.id, 'step');
  }

  /** Runs to a breakpoint, an exception or the end (the root's return, where the runner stays). */
  continue(): Promise<StopEvent> {
    return this.forward(() => false, 'step');
  }

  /** Continues to the next call of a module or node whose name or id matches the glob. */
  runTo(nameOrGlob: string): Promise<StopEvent> {
    const match = globMatcher(nameOrGlob);
    return this.forward((p) => p.point === 'call' && (match(p.frame.item.name) || match(p.frame.item.id)), 'goto');
  }

  /** Stops a running forward move at its next event, with reason `pause`. */
  pause(): void {
    if (this.busy) this.pauseRequested = true;
  }

  /** Cancels: a running forward move stops at its next event (reason `pause`), and every later move rejects. */
  dispose(): void {
    this.disposed = true;
    this.pause();
  }

  // ---- backward moves and jumps: the recorded timeline only, nothing recomputed ----

  async stepBack(): Promise<StopEvent> {
    this.idle();
    if (this.index === 0) return this.stop('entry');
    this.index--;
    return this.stop('step');
  }

  /** Moves back to the previous breakpoint (conditions honoured; logpoints and hit counts skipped), NaN origin, or the start. */
  async reverseContinue(): Promise<StopEvent> {
    this.idle();
    while (this.index > 0) {
      this.index--;
      const hit = this.visit(this.position, false);
      if (hit) return hit;
    }
    return this.stop('entry');
  }

  /** Back (or forward, within what is recorded) to a frame's call event. */
  async restartFrame(frameId: number): Promise<StopEvent> {
    this.idle();
    const rec = this.events.record(frameId);
    if (!rec) throw new RunnerError(`there is no frame ${frameId}`);
    this.index = rec.callIndex;
    return this.stop('goto');
  }

  /** Jumps to a recorded event (the panel's click on the timeline). */
  async goto(index: number): Promise<StopEvent> {
    this.idle();
    if (!Number.isInteger(index) || index < 0 || index >= this.events.length) {
      throw new RunnerError(`event ${index} is not recorded; events 0 to ${this.events.length - 1} are`);
    }
    this.index = index;
    return this.stop('goto');
  }

  // ---- values ----

  /** A frame's scopes at the current position; outputs only once it has returned. */
  scopes(frameId: number): FrameScopes {
    this.weightsLoaded();
    const frame = this.activeFrame(frameId);
    return frameScopes(frame.item, this.hasReturned(frame), this.scopeSource());
  }

  /** A value that exists at the current position (or an evaluation result kept by {@link keepResult}), recomputed if evicted. */
  value(name: string): Tensor {
    const kept = this.results.get(name);
    if (kept) return kept;
    if (this.model.pendingWeights?.has(name)) this.weightsLoaded();
    if (!this.values.visibleAt(name, this.index)) {
      throw new RunnerError(this.values.isRecorded(name) ? `value '${name}' is produced later than the current position` : `there is no value named '${name}'`);
    }
    return this.values.resolve(name);
  }

  /** Evaluates a tensor expression in a frame (the current one by default). */
  evaluate(expression: string, frameId?: number): Value {
    this.weightsLoaded();
    const frame = frameId === undefined ? this.position.frame : this.activeFrame(frameId);
    return toValue(evaluate(expression, this.evalScope(frame)));
  }

  /** Keeps an evaluated tensor under a new name (`$1`...) that {@link value} and expressions accept. */
  keepResult(t: Tensor): string {
    const name = `$${this.nextResult++}`;
    this.results.set(name, t);
    if (this.results.size > MAX_RESULTS) this.results.delete(this.results.keys().next().value as string);
    return name;
  }

  formatValue(v: Value): string {
    return formatValue(v);
  }

  /** The one-line summary of a value from its statistics, without recomputing an evicted one. */
  summary(name: string): string {
    return this.values.summary(name);
  }

  /** The model's outputs by name once the root has returned; empty before. */
  outputs(): ReadonlyMap<string, Tensor> {
    const out = new Map<string, Tensor>();
    if (!this.finished) return out;
    for (const name of outputNames(this.model)) out.set(name, this.values.resolve(name));
    return out;
  }

  /** Every value produced so far, in order, with its statistics. */
  recorded(): readonly RecordedValue[] {
    return this.values.recorded();
  }

  // ---- internals ----

  private async forward(isTarget: (p: Position) => boolean, reason: StopReason): Promise<StopEvent> {
    this.idle();
    this.busy = true;
    const startNodes = this.nodesDone;
    let last = Date.now();
    try {
      // Weights the loader left in their files are read before the first forward move (cheap afterwards).
      if (hasPendingWeights(this.model)) await loadPendingWeights(this.model);
      for (;;) {
        if (this.index + 1 >= this.events.length) {
          if (this.events.complete) return this.stop('end');
          try {
            this.events.produce();
          } catch (e) {
            return this.failed(e);
          }
        }
        this.index++;
        const pos = this.position;
        const hit = this.visit(pos, true);
        if (hit) return hit;
        if (this.events.complete && this.index === this.events.length - 1) return this.stop('end');
        if (isTarget(pos)) return this.stop(reason);
        if (Date.now() - last >= YIELD_MS) {
          this.progress();
          await (this.options.yieldToHost ?? timeoutYield)();
          last = Date.now();
        }
        if (this.pauseRequested) return this.stop('pause');
      }
    } finally {
      this.busy = false;
      this.pauseRequested = false;
      if (this.nodesDone !== startNodes) this.progress();
    }
  }

  /** Scopes and values read weights synchronously: refuse while some are still in their files (a step reads them). */
  private weightsLoaded(): void {
    if (hasPendingWeights(this.model)) throw new RunnerError(`weights of ${baseName(this.model.file)} are not loaded yet: step once`);
  }

  private idle(): void {
    if (this.disposed) throw new RunnerError('the debug session has ended');
    if (this.busy) throw new RunnerError('the runner is still running a step; pause it first');
  }

  private stop(reason: StopReason): StopEvent {
    return { reason, position: this.position };
  }

  private progress(): void {
    this.options.onProgress?.(this.nodesDone, this.plan.nodes.length);
  }

  /** An op failed while producing the next event: stop at the node's call, or reject. */
  private failed(e: unknown): StopEvent {
    const err = e instanceof RunnerError ? e : new RunnerError(e instanceof Error ? e.message : String(e), { cause: e });
    if (!this.error) {
      this.error = err;
      this.errorIndex = this.events.length - 1;
    }
    this.index = this.errorIndex;
    if (!this.filters.has('engineError')) throw err;
    const message = err.message;
    return { reason: 'exception', position: this.position, description: message, exception: { filter: 'engineError', message } };
  }

  /**
   * Breakpoints and exception filters at one event. Forward: conditions, hit counts and log messages as
   * written. Backward: conditions only (a logpoint never stops, hit counts stay as they are).
   */
  private visit(pos: Position, forward: boolean): StopEvent | undefined {
    const ids: number[] = [];
    const notes: string[] = [];
    let line = false;
    const bps = this.breakpoints.at(pos.frame.item, pos.point, pos.stack[pos.stack.length - 2]?.item);
    const scope = bps.length ? this.evalScope(pos.frame) : undefined;
    for (const bp of bps) {
      if (!scope) break;
      const note = forward ? checkForward(bp, scope, this.log, pos.frame.item.source) : checkBackward(bp, scope);
      if (note === undefined) continue;
      ids.push(bp.id);
      notes.push(note);
      if (bp.kind === 'line') line = true;
    }
    const nan = pos.point === 'return' ? this.nanOrigins.get(pos.index) : undefined;
    const breakpointIds = ids.length ? ids : undefined;
    if (nan && this.filters.has('nanOrInf')) {
      return { reason: 'exception', position: pos, description: nan, breakpointIds, exception: { filter: 'nanOrInf', message: nan } };
    }
    if (!ids.length) return undefined;
    return { reason: line ? 'breakpoint' : 'function breakpoint', position: pos, description: notes.join('; '), breakpointIds };
  }

  private readonly log = (text: string, source?: SourceRange): void => this.options.onOutput?.(text, source);

  /** Runs a node's op on its inputs and records its outputs; called by the timeline when the node's return is first needed. */
  private runNode(node: NodeDef): void {
    let outs: Tensor[];
    try {
      const inputs = node.inputs.map((n) => (n === '' ? undefined : this.values.resolve(n)));
      outs = this.ops.run(node.op, inputs, node.attrs);
      node.outputs.forEach((name, i) => {
        if (name && !(outs[i] instanceof Tensor)) throw new Error(`the op gave ${outs.length} outputs but the node names ${node.outputs.length}`);
      });
    } catch (e) {
      throw nodeError(this.model, this.plan, node, e);
    }
    const eventIndex = this.events.length;
    const origin = this.nan.onNodeRun(node, this.values.record(node, outs, eventIndex));
    if (origin) this.nanOrigins.set(eventIndex, origin);
    this.nodesDone++;
  }

  private activeFrame(id: number): Frame {
    const rec = this.events.record(id);
    if (!rec || rec.callIndex > this.index) throw new RunnerError(`frame ${id} has not been called at the current position`);
    return rec.frame;
  }

  private hasReturned(frame: Frame): boolean {
    const r = this.events.record(frame.id)?.returnIndex;
    return r !== undefined && r <= this.index;
  }

  private scopeSource(): ScopeSource {
    return {
      isWeight: (n) => this.plan.isWeight(n),
      weightBehind: (n) => weightBehind(this.model, n),
      weight: (n) => this.model.weights.get(n),
      value: (n) => this.value(n),
      visible: (n) => this.values.visibleAt(n, this.index),
    };
  }

  private evalScope(frame: Frame): EvalScope {
    return frameEvalScope(frame.item, this.hasReturned(frame), this.scopeSource(), (n) => this.results.get(n));
  }
}
