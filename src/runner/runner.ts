import { defaultOps } from '../engine/ops/index';
import type { OpRegistry } from '../engine/registry';
import { Tensor } from '../engine/tensor';
import { statsOf } from '../engine/stats';
import type { Item, Model, NodeDef, SourceRange } from '../model/ir';
import { hasPendingWeights, loadPendingWeights } from '../model/lazyWeights';
import { modelFor } from '../model/specialize';
import { markWeights } from '../model/constants';
import { weightBehind } from '../model/weightUse';
import { Breakpoints } from './breakpoints';
import type { ModedLineBreakpoint } from './breakpoints';
import { complete } from './expr/completions';
import type { Completion } from './expr/completions';
import { Collection } from './expr/values';
import { gotoTargets, stepInTargets } from './navigation';
import type { GotoTarget, StepInTargets } from './navigation';
import { DEFAULT_MAX_ITERATIONS } from './control';
import { RunnerError, baseName } from './errors';
import { evaluate } from './expr/evaluate';
import type { EvalScope } from './expr/evaluate';
import { compareTensors, DEFAULT_TOLERANCE } from './divergence';
import type { Comparison, Tolerance } from './divergence';
import { EditSet, prepareEdit } from './edits';
import type { Edit, EditInfo, EditTarget, TargetResolver } from './edits';
import { formatValue, toValue } from './format';
import { frameEvalScope, frameScopes, frameTargets } from './frameScope';
import type { ScopeSource } from './frameScope';
import { globMatcher } from './glob';
import { aliasInputs, checkInputs } from './inputs';
import { NanWatch } from './nanWatch';
import { channelsLastAt } from './health';
import { DEFAULT_HEALTH_THRESHOLDS, HealthWatch } from './healthWatch';
import type { HealthThresholds } from './healthWatch';
import type { FrameHealth } from '../protocol/engine';
import { nodeError } from './nodeError';
import { outputNames, Plan } from './plan';
import { DEFAULT_MEMORY_BUDGET } from './recorder';
import { checkBackward, checkForward } from './stopCheck';
import { Timeline } from './timeline';
import type { RecordEntry } from './recorder';
import type { TimelineEntry } from './timeline';
import type {
  BreakpointStatus, ExceptionFilter, Frame, FrameScopes, HealthFilter, LineBreakpoint, NameBreakpoint, Position, RecordedValue,
  RunnerOptions, StopEvent, StopReason, Value,
} from './types';
import { ValueStore } from './valueStore';

/** The other side of a compared run: its value for a name of this run, or undefined when it has none. */
export interface Counterpart {
  value(name: string): Tensor | undefined;
  /** Its weight of a name, when it has weights of its own (another model file). */
  weight?(name: string): Tensor | undefined;
}

/** A pass made again after an edit (see Runner.rebuild). */
interface Replay {
  readonly before: ValueStore;
  readonly changed: ReadonlySet<string>;
  /** Values the edits reach, so far. */
  readonly dirty: Set<string>;
  /** Nodes whose return event is at most this are met again, not run. */
  readonly limit: number;
}

/** How {@link Runner.runTo} picks its target. */
export interface RunToOptions {
  /** The call (default) or the return. */
  readonly point?: 'call' | 'return';
  /** The name is an item id, matched exactly (no glob). */
  readonly byId?: boolean;
  /** Only a call made by this frame (Step Into Target): the stop is then a step. */
  readonly within?: number;
}

export type RunnerInit = RunnerOptions & {
  /** The ops to run nodes with; the engine's default registry when left out. */
  readonly ops?: OpRegistry;
  /**
   * False when the model's weights are not for keeping (a training step's, new at every step): they are then not
   * moved into the kernels' memory, where they would stay.
   */
  readonly keepWeights?: boolean;
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
  private plan!: Plan;
  private values!: ValueStore;
  private nan!: NanWatch;
  /** Health of this pass's frames, made when asked (src/runner/healthWatch.ts). */
  private healthWatch!: HealthWatch;
  private thresholds: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS;
  /** Timeline index of a node's return → milliseconds its op took (kept across passes: a replayed node keeps its time). */
  private readonly nodeMs = new Map<number, number>();
  private readonly breakpoints: Breakpoints;
  private events!: Timeline;
  private readonly filters = new Set<ExceptionFilter>();
  /** Timeline index of a node's return → why NaN/Inf starts there. */
  private nanOrigins = new Map<number, string>();
  /** What-if edits (src/runner/edits.ts). */
  private readonly edits = new EditSet();
  /** While a pass is made again after an edit: what the pass before recorded, and which values the edits changed. */
  private replay?: Replay;
  /** The run this one is compared with, and the tolerance of its divergences. */
  private counterpart?: Counterpart;
  private tolerance: Tolerance = DEFAULT_TOLERANCE;
  /** Divergences found so far, by value name (forgotten when an edit changes values). */
  private divergences = new Map<string, Comparison | null>();
  /** Counts the passes made again after edits: views that keep the timeline start over when it changes. */
  generation = 0;
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
    const laid = modelFor(loaded, inputs);
    const model = (this.model = options.keepWeights === false ? laid : markWeights(laid));
    this.ops = options.ops ?? defaultOps;
    this.inputs = inputs;
    this.breakpoints = new Breakpoints(model);
    this.startPass();
    for (const text of options.edits ?? []) this.addCommandLineEdit(text);
  }

  private readonly inputs: Readonly<Record<string, Tensor>>;

  /** A fresh pass: plan, values and timeline, standing at the model's call. */
  private startPass(): void {
    const model = this.model;
    this.plan = new Plan(model);
    this.values = new ValueStore(model, this.inputs, this.plan, this.ops, this.options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET, this.edits);
    this.nan = new NanWatch((n) => this.values.source(n));
    this.healthWatch = this.newHealthWatch();
    this.nanOrigins = new Map();
    this.nodesDone = 0;
    this.index = 0;
    this.error = undefined;
    this.errorIndex = -1;
    this.events = new Timeline(model.root, (node) => this.runNode(node), {
      value: (name) => this.values.resolve(name),
      adopt: (item, parent) => this.plan.adopt(item, parent),
      maxIterations: this.options.maxLoopIterations ?? DEFAULT_MAX_ITERATIONS,
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

  setLineBreakpoints(bps: (LineBreakpoint | ModedLineBreakpoint)[]): BreakpointStatus[] {
    return this.breakpoints.setLine(bps);
  }

  setNameBreakpoints(bps: NameBreakpoint[]): BreakpointStatus[] {
    return this.breakpoints.setName(bps);
  }

  setExceptionFilters(filters: ExceptionFilter[], tolerance?: Tolerance, thresholds?: HealthThresholds): void {
    this.filters.clear();
    for (const f of filters) this.filters.add(f);
    if (tolerance) this.setTolerance(tolerance);
    if (thresholds) this.thresholds = thresholds;
  }

  // ---- comparing with a counterpart ----

  /** Compares this run with another: every value against the counterpart's value of the same name. */
  setCounterpart(counterpart: Counterpart | undefined, tolerance?: Tolerance): void {
    this.counterpart = counterpart;
    this.divergences.clear();
    if (tolerance) this.setTolerance(tolerance);
  }

  setTolerance(tolerance: Tolerance): void {
    this.tolerance = tolerance;
    this.divergences.clear();
  }

  get comparedWith(): Counterpart | undefined {
    return this.counterpart;
  }

  get divergenceTolerance(): Tolerance {
    return this.tolerance;
  }

  /**
   * How far a recorded value is from the counterpart's value of the same name; undefined when the run is not
   * compared, the value is not produced yet, or the counterpart has no such value.
   */
  divergence(name: string): Comparison | undefined {
    const c = this.counterpart;
    if (!c || !this.values.isRecorded(name)) return undefined;
    let d = this.divergences.get(name);
    if (d === undefined) {
      const theirs = c.value(name);
      d = theirs ? compareTensors(this.values.resolve(name), theirs, this.tolerance) : null;
      this.divergences.set(name, d);
    }
    return d ?? undefined;
  }

  /** Any value of the run at its end (or as far as it has run), whatever the position: what a counterpart is read by. */
  valueAnyTime(name: string): Tensor | undefined {
    if (!this.values.given(name) && !this.values.isRecorded(name)) return undefined;
    return this.values.resolve(name);
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
  runTo(nameOrGlob: string, how: RunToOptions = {}): Promise<StopEvent> {
    const glob = globMatcher(nameOrGlob);
    const match = how.byId ? (i: Item): boolean => i.id === nameOrGlob : (i: Item): boolean => glob(i.name) || glob(i.id);
    const point = how.point ?? 'call';
    const within = how.within;
    return this.forward((p) => p.point === point && (within === undefined || p.frame.parentId === within) && match(p.frame.item), within === undefined ? 'goto' : 'step');
  }

  /** The layer or op of a line, with its nearest recorded call and return (Jump to Cursor, Run to Cursor). */
  gotoTargets(line: number): GotoTarget[] {
    return gotoTargets(this.navigationView(), line);
  }

  /** The children a step into the focused frame can go to (Step Into Target), and the frame they are called in. */
  stepInTargets(frameId: number): StepInTargets {
    return stepInTargets(this.navigationView(), frameId);
  }

  private navigationView(): { position: Position; root: Model['root']; timeline(): readonly TimelineEntry[]; frame(id: number): Frame | undefined } {
    return { position: this.position, root: this.model.root, timeline: () => this.timeline(), frame: (id) => this.frame(id) };
  }

  /**
   * Completions in a frame (the current one by default) for `text` with the cursor at `offset` (0-based): the
   * frame's names and collections, weights, values and built-in functions (src/runner/expr/completions.ts). Reads
   * names only: no value is computed.
   */
  completions(text: string, offset: number, frameId?: number): Completion[] {
    const frame = frameId === undefined ? this.position.frame : this.activeFrame(frameId);
    const scope = this.evalScope(frame);
    return complete(text, offset, {
      names: () => [...scope.names(), ...this.results.keys()],
      members: (name) => {
        try {
          const v = scope.lookup(name);
          return v instanceof Collection ? v.keys() : undefined;
        } catch {
          return undefined;
        }
      },
      weights: () => [...this.model.weights.keys()],
      values: () => [
        ...this.model.inputs.map((i) => i.name),
        ...this.values.recorded().map((v) => v.name).filter((n) => this.values.visibleAt(n, this.index)),
      ],
    });
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

  /**
   * Back (or forward, within what is recorded) to a frame's call event. When an edit has changed a value recorded
   * after it, the pass is made again from there: what follows is computed anew by the moves that come next.
   */
  async restartFrame(frameId: number): Promise<StopEvent> {
    this.idle();
    const rec = this.events.record(frameId);
    if (!rec) throw new RunnerError(`there is no frame ${frameId}`);
    if (this.staleAfter(rec.callIndex)) this.rebuild(new Set(), rec.callIndex);
    this.index = Math.min(rec.callIndex, this.events.length - 1);
    return this.stop('goto');
  }

  // ---- what-if edits ----

  /**
   * Applies an assignment (`output[0, 3] = 0`, `weights.kernel *= 0.5`, `value('x') += 1`) in a frame (the
   * current one by default). Values produced after the current position are dropped and computed anew by the
   * next forward move; values before it that the edit changes become stale and are recomputed when read. Returns
   * the edited tensor. An edit that cannot apply throws one sentence and changes nothing.
   */
  assign(expression: string, frameId?: number): { target: EditTarget; tensor: Tensor } {
    this.idle();
    this.weightsLoaded();
    const frame = frameId === undefined ? this.position.frame : this.activeFrame(frameId);
    const edit = prepareEdit(expression, frameTargets(frame.item, this.hasReturned(frame), this.scopeSource()), this.evalScope(frame));
    const current = edit.target.kind === 'value' ? this.values.resolve(edit.target.name) : (this.values.given(edit.target.name) as Tensor);
    const tensor = this.edits.add(edit, current);
    this.rebuild(new Set([edit.target.name]), this.index);
    return { target: edit.target, tensor };
  }

  /** Forgets every edit: the model as loaded, the inputs as given. The position stays; what follows is computed anew. */
  revertEdits(): StopEvent {
    this.idle();
    const changed = this.edits.targets();
    this.edits.clear();
    if (changed.size) this.rebuild(changed, this.index);
    return this.stop('goto');
  }

  /** The edits made, in order. */
  editList(): readonly EditInfo[] {
    return this.edits.infos();
  }

  /** Is this value, weight or input edited? */
  isEdited(name: string): boolean {
    return this.edits.touches(name);
  }

  /** Edited weights by name, as edited (for writing a new weights file). */
  editedWeights(): ReadonlyMap<string, Tensor> {
    return this.edits.editedWeights();
  }

  /** Every weight of the model as this run sees it: edited ones as edited. */
  weight(name: string): Tensor | undefined {
    return this.plan.isWeight(name) ? this.values.given(name) : undefined;
  }

  /** `layerstep run --set`: weights and inputs are edited now, values when produced (their right side evaluated then). */
  private addCommandLineEdit(text: string): void {
    const runnerValue = (name: string): Tensor => this.values.resolve(name);
    const scope: EvalScope = {
      lookup: () => undefined,
      value: (name) => {
        if (!this.values.given(name) && !this.values.isRecorded(name)) throw new RunnerError(`there is no value named '${name}' produced yet`);
        return runnerValue(name);
      },
      weight: (name) => {
        const t = this.weight(name);
        if (!t) throw new RunnerError(`the model has no weight named '${name}'`);
        return t;
      },
      names: () => [],
    };
    const resolver: TargetResolver = {
      name: () => undefined,
      member: () => undefined,
      value: (name) => {
        if (this.plan.isWeight(name)) return { kind: 'weight', name };
        if (this.values.isInput(name)) return { kind: 'input', name };
        // Values made inside control flow at run time have no producer yet: they are checked when the run ends.
        if (!this.plan.producer(name) && !name.includes('/iter ')) {
          throw new RunnerError(`${baseName(this.model.file)} has no value named '${name}'; names are as 'layerstep trace' shows them`);
        }
        return { kind: 'value', name };
      },
      weight: (name) => {
        if (!this.plan.isWeight(name)) throw new RunnerError(`${baseName(this.model.file)} has no weight named '${name}'; names are as 'layerstep inspect' shows them`);
        return { kind: 'weight', name };
      },
    };
    let edit: Edit;
    try {
      const made = prepareEdit(text, resolver, scope, () => scope);
      // Its text names the flag, so a value that turns out not to fit when produced says where the edit came from.
      edit = { ...made, text: `--set ${made.text}` };
      if (edit.target.kind !== 'value') {
        if (hasPendingWeights(this.model)) throw new RunnerError('weights are not loaded yet');
        this.edits.add(edit, this.values.given(edit.target.name) as Tensor);
      } else {
        this.edits.addRule(edit);
      }
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
      throw new RunnerError(`${message.startsWith('--set ') ? message : `--set ${text.trim()}: ${message}`}.`, { cause: e });
    }
  }

  /** Value edits that never applied because their value was never produced (checked when a run ends). */
  unappliedEdits(): readonly string[] {
    return this.edits.infos().filter((e) => e.kind === 'value' && !this.values.isRecorded(e.name)).map((e) => e.text);
  }

  /** Is a value recorded after event `index` stale? Then the events after it are no longer what the edits make. */
  private staleAfter(index: number): boolean {
    return this.values.staleAfter(index);
  }

  /**
   * Makes the pass again up to event `target` after the edits changed the names in `changed`. Ops are not run:
   * a value nothing edited reaches is taken from the pass before; one that an edit reaches is recorded stale and
   * recomputed when read. Control flow decides again on the current values; where it now takes another road the
   * new pass stops just before it. Events after the target are dropped, to be made by the next forward move.
   */
  private rebuild(changed: ReadonlySet<string>, target: number): void {
    const before = { values: this.values, events: this.events };
    const dirty = new Set<string>([...changed].filter((n) => this.values.given(n) !== undefined));
    this.replay = { before: before.values, changed, dirty, limit: target };
    this.divergences.clear();
    this.generation++;
    this.startPass();
    let stopAt = target;
    try {
      while (this.events.length <= target) {
        this.events.produce();
        const k = this.events.length - 1;
        const now = this.events.events[k];
        const then = before.events.events[k];
        if (!then || now.point !== then.point || now.frame.item.id !== then.frame.item.id) {
          stopAt = Math.max(0, k - 1);
          break;
        }
      }
    } catch (e) {
      // Deciding control flow on an edited value failed: the run stands just before, with that error.
      stopAt = Math.max(0, this.events.length - 1);
      this.error = e instanceof RunnerError ? e : new RunnerError(e instanceof Error ? e.message : String(e), { cause: e });
      this.errorIndex = stopAt;
    } finally {
      this.replay = undefined;
    }
    this.index = Math.min(stopAt, this.events.length - 1);
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
    const parted = pos.point === 'return' && pos.frame.item.kind === 'node' && this.filters.has('diverged') ? this.partsHere(pos.frame.item) : undefined;
    if (parted) {
      return { reason: 'exception', position: pos, description: parted, breakpointIds, exception: { filter: 'diverged', message: parted } };
    }
    const unhealthy = pos.point === 'return' && pos.frame.item.kind === 'node' && (this.filters.has('deadUnits') || this.filters.has('magnitude'))
      ? this.healthWatch.check(pos.frame, this.filters as ReadonlySet<HealthFilter>, this.thresholds) : undefined;
    if (unhealthy) {
      return { reason: 'exception', position: pos, description: unhealthy.message, breakpointIds, exception: unhealthy };
    }
    if (!ids.length) return undefined;
    return { reason: line ? 'breakpoint' : 'function breakpoint', position: pos, description: notes.join('; '), breakpointIds };
  }

  /**
   * Where the runs part: the node's output diverges from the counterpart's while every input it was given by
   * another node agrees (model inputs and weights are where a difference comes from, so they do not count).
   */
  private partsHere(node: NodeDef): string | undefined {
    const out = node.outputs.find((o) => o && this.divergence(o)?.diverged);
    if (!out) return undefined;
    if (node.inputs.some((n) => n && !this.values.given(n) && this.divergence(n)?.diverged)) return undefined;
    const d = this.divergence(out) as Comparison;
    const num = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toPrecision(3));
    const { atol, rtol } = this.tolerance;
    const how = Number.isNaN(d.maxAbs) && d.cosine !== d.cosine ? 'has another shape than' : `diverges from`;
    return `'${out}' of op ${node.op} (${node.id}) ${how} the counterpart (max abs ${num(d.maxAbs)}, max rel ${num(d.maxRel)}, cosine ${num(d.cosine)}; tolerance ${atol},${rtol}) while its inputs agree`;
  }

  private readonly log = (text: string, source?: SourceRange): void => this.options.onOutput?.(text, source);

  /** Runs a node's op on its inputs and records its outputs; called by the timeline when the node's return is first needed. */
  private runNode(node: NodeDef): void {
    const replay = this.replay;
    if (replay && this.events.length <= replay.limit && this.replayNode(node, replay)) return;
    let outs: Tensor[];
    try {
      const inputs = node.inputs.map((n) => (n === '' ? undefined : this.values.resolve(n)));
      const t0 = performance.now();
      outs = this.ops.run(node.op, inputs, node.attrs);
      this.nodeMs.set(this.events.length, performance.now() - t0);
      node.outputs.forEach((name, i) => {
        if (name && !(outs[i] instanceof Tensor)) throw new Error(`the op gave ${outs.length} outputs but the node names ${node.outputs.length}`);
      });
    } catch (e) {
      throw nodeError(this.model, this.plan, node, e);
    }
    // An edit that cannot apply to what the op made says so in its own words (it names its value).
    if (this.edits.size) outs = outs.map((t, i) => (node.outputs[i] ? this.edits.applyToValue(node.outputs[i], t) : t));
    const eventIndex = this.events.length;
    const origin = this.nan.onNodeRun(node, this.values.record(node, outs, eventIndex));
    if (origin) this.nanOrigins.set(eventIndex, origin);
    this.nodesDone++;
  }

  /**
   * A node met again while a pass is made again after an edit: its values taken over from the pass before, or
   * recorded stale when an edit reaches them. False when the pass before has no values of this node here: then
   * it runs.
   */
  private replayNode(node: NodeDef, replay: Replay): boolean {
    const eventIndex = this.events.length;
    const before = node.outputs.map((name) => (name ? replay.before.entry(name) : undefined));
    if (node.outputs.some((name, i) => name && before[i]?.eventIndex !== eventIndex)) return false;
    const reached = node.inputs.some((n) => n !== '' && replay.dirty.has(n));
    const entries: RecordEntry[] = [];
    let stale = false;
    node.outputs.forEach((name, i) => {
      const then = before[i];
      if (!name || !then) return;
      const isStale = reached || replay.changed.has(name) || then.stale;
      if (isStale) replay.dirty.add(name);
      stale ||= isStale;
      entries.push(this.values.recordLike(then, node, eventIndex, isStale));
    });
    if (!stale) {
      const origin = this.nan.onNodeRun(node, entries);
      if (origin) this.nanOrigins.set(eventIndex, origin);
    }
    this.nodesDone++;
    return true;
  }

  // ---- what the run summary and health read (src/runner/runSummary.ts) ----

  /** Where a frame's events are: its call, and its return once recorded. */
  frameSpan(id: number): { readonly callIndex: number; readonly returnIndex?: number } | undefined {
    return this.events.record(id);
  }

  /** Milliseconds the op of a node frame took when it ran; undefined before. */
  nodeTime(frameId: number): number | undefined {
    const r = this.events.record(frameId)?.returnIndex;
    return r === undefined ? undefined : this.nodeMs.get(r);
  }

  /**
   * The health of a frame that has returned at the position (src/runner/health.ts); undefined before, or while an edit left
   * its outputs stale. `full` recomputes what is stale or evicted (the summary); without it nothing is recomputed.
   */
  health(frameId: number, full = false): FrameHealth | undefined {
    const rec = this.events.record(frameId);
    // A frame that returns only after the position is still running there: no health yet.
    if (rec?.returnIndex === undefined || rec.returnIndex > this.index) return undefined;
    return this.healthWatch.health(rec.frame, full);
  }

  /** Dtype, shape and bytes of a produced value, weight or input, without reading its data; undefined if there is none yet. */
  valueInfo(name: string): { readonly dtype: string; readonly shape: readonly number[]; readonly bytes: number } | undefined {
    return this.values.given(name) ?? this.values.entry(name);
  }

  /** The frame whose op failed (its call is where the run stands after the failure). */
  failedFrame(): Frame | undefined {
    return this.error && this.errorIndex >= 0 ? this.events.events[this.errorIndex]?.frame : undefined;
  }

  private newHealthWatch(): HealthWatch {
    return new HealthWatch({
      info: (n) => {
        const given = this.values.given(n);
        if (given) return { stats: statsOf(given), dtype: given.dtype };
        const e = this.values.entry(n);
        return e && !e.stale ? { stats: e.stats, dtype: e.dtype } : undefined;
      },
      isStale: (n) => this.values.isStale(n),
      tensor: (n, recompute) => this.values.given(n) ?? this.values.entry(n)?.tensor ?? (recompute && this.values.isRecorded(n) ? this.values.resolve(n) : undefined),
      isWeight: (n) => this.plan.isWeight(n),
      producer: (n) => this.plan.producer(n)?.node,
      channelsLast: (node) => channelsLastAt(this.model.format, node.op),
    });
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
      weight: (n) => (this.plan.isWeight(n) ? this.values.given(n) : undefined),
      value: (n) => this.value(n),
      visible: (n) => this.values.visibleAt(n, this.index),
      isInput: (n) => this.values.isInput(n),
    };
  }

  private evalScope(frame: Frame): EvalScope {
    return frameEvalScope(frame.item, this.hasReturned(frame), this.scopeSource(), (n) => this.results.get(n));
  }
}
