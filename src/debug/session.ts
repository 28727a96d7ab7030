import { Breakpoint, BreakpointEvent, ContinuedEvent, DebugSession, Event, InitializedEvent, InvalidatedEvent, OutputEvent, ProgressEndEvent,
  ProgressStartEvent, ProgressUpdateEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread, ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type {
  AssignResult, CounterpartInfo, EngineClient, EngineMethod, EngineRequests, ModelOutline, StepKind, StopInfo, TensorValues, WireError,
} from '../protocol/engine';
import { isAssignment } from '../runner/edits';
import type { ExceptionFilter } from '../runner/types';
import { describeStop, divergenceText, frameLabel, lossText, stepText } from './labels';
import type { LaunchArgs } from './launchArgs';
import { compareSpecOf, inputSpecOf, trainSpecOf } from './launchArgs';
import { packValues } from './tensorWire';
import { sliceChildren, tensorVariable, VarRefs } from './variables';
import { clipboardText } from './clipboard';
import { isWireError, toWireError } from '../service/wireError';

const THREAD_ID = 1;
/** The second thread of a compared run: the counterpart's tensors, frame by frame. */
const COUNTERPART_THREAD_ID = 2;
/** Frame ids of the second thread: the first thread's, plus this (DAP frame ids are unique across threads). */
export const COUNTERPART_FRAME_OFFSET = 1 << 24;

/** Custom DAP events this adapter sends; the host forwards them to the panel and the sidebar. */
export const STOPPED_EVENT = 'layerstep.stopped';
export const OPENED_EVENT = 'layerstep.opened';
/** A training step finished: `{ step, steps, loss }` (the panel's loss curve). */
export const LOSS_EVENT = 'layerstep/loss';
/** Custom DAP request through which the panel reads the engine (`{ method, params }`). */
export const ENGINE_REQUEST = 'layerstep';

/** The exception filters shown in the BREAKPOINTS view. */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'nanOrInf', label: 'NaN or Inf produced', default: true,
    description: 'Stop at the first op whose output holds a NaN or Inf that its inputs did not.' },
  { filter: 'engineError', label: 'Engine error', default: true,
    description: 'Stop where an op fails: a shape mismatch, an unsupported op.' },
  { filter: 'diverged', label: 'Diverged from the compared run', default: true,
    description: 'In a compared run: stop at the first op whose output differs from the counterpart beyond the tolerance while its inputs agree.',
    supportsCondition: true, conditionDescription: 'Tolerance ATOL,RTOL: |a − b| ≤ ATOL + RTOL·|b| agrees (default 1e-4,1e-3)' },
  { filter: 'deadUnits', label: 'Dead units above X%', default: false,
    description: 'Stop at the first relu-like op that leaves more than X% of its units (channels or features) exactly 0 for every position and batch item.',
    supportsCondition: true, conditionDescription: 'X, a percentage (default 50)' },
  { filter: 'magnitude', label: 'Activation magnitude above Y', default: false,
    description: 'Stop at the first op whose output holds a value with |x| above Y (or an infinity) while its inputs do not.',
    supportsCondition: true, conditionDescription: 'Y, a number (default 1e4)' },
];

/** Where a line breakpoint stops (the mode VS Code offers in the breakpoint's edit widget and BREAKPOINTS' Edit Mode). */
export const BREAKPOINT_MODES: DebugProtocol.BreakpointMode[] = [
  { mode: 'call', label: 'At call', description: 'Stop when the layer is called: its inputs are ready.', appliesTo: ['source'] },
  { mode: 'return', label: 'At return', description: 'Stop when the layer returns: its outputs are in VARIABLES.', appliesTo: ['source'] },
];

/** Characters after which the Debug Console and WATCH ask for completions: members, arguments, quoted names. */
const COMPLETION_TRIGGERS = ['.', '(', "'", '"'];

/** What the adapter's goto and step-in target ids stand for. */
type JumpTarget =
  | { readonly kind: 'goto'; readonly itemId: string; readonly point: 'call' | 'return'; readonly index?: number }
  | { readonly kind: 'stepIn'; readonly itemId: string; readonly within: number };

/** What the extension host hears from an inline adapter directly, without a round trip through the workbench. */
export interface SessionObserver {
  /** The model is open: its outline and the model file's path. */
  opened?(outline: ModelOutline, modelPath: string): void;
  /** The run stopped (the stop is also {@link LayerstepDebugSession.currentStop}). */
  stopped?(stop: StopInfo): void;
  /** A move started. */
  continued?(): void;
  /** The launch failed before the run started; the error names the file and, for a model error, where in it. */
  launchFailed?(error: WireError, modelPath: string): void;
}

export interface SessionOptions {
  /**
   * Resolves when the client has told its extensions about this session (VS Code's `onDidStartDebugSession`).
   * VS Code does that only after the launch response, so a first stop sent at once can be focused before
   * extensions know the session (code-server 1.100 then loses track of it and never ends it); the first stop
   * waits for it, at most a second.
   */
  readonly known?: Promise<void>;
  /**
   * The launch's errors are shown by the host (a notification and a diagnostic on the offending line), so the
   * failed launch response asks the client not to show them again (no modal dialog, no "Open launch.json").
   */
  readonly hostShowsLaunchErrors?: boolean;
}

/** The custom request's handlers, one per engine method, as a mapped type so a missing one is a compile error. */
type CustomHandlers = { [M in EngineMethod]: (params: EngineRequests[M]['params'], response: DebugProtocol.Response) => Promise<void> };

/**
 * The Debug Adapter Protocol session for one model: it maps DAP requests onto the engine service (which may
 * run in a worker thread) and never imports `vscode`, so it runs inline in VS Code and in unit tests alike.
 *
 * Order of a launch: `initialize` → `launch` (opens the model, then sends `initialized`) → breakpoints →
 * `configurationDone` → the launch response → a stop on entry, or a run to the first breakpoint or the end.
 */
export class LayerstepDebugSession extends DebugSession {
  private readonly refs = new VarRefs();
  private outline?: ModelOutline;
  private modelPath = '';
  private last?: StopInfo;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((r) => (this.configured = r));
  private progressId = 0;
  /** The progress notification open now (0: none); engine progress events update only that one. */
  private activeProgress = 0;
  private supportsProgress = false;
  private busy = Promise.resolve();
  private moving = false;
  private launchArgs?: LaunchArgs;
  /** The counterpart of a compared run (the second thread), once opened. */
  private counterpart?: CounterpartInfo;
  private readonly observers = new Set<SessionObserver>();
  private readonly custom: CustomHandlers;
  /** Goto and step-in targets handed out, by id (the latest request's only). */
  private readonly jumpTargets = new Map<number, JumpTarget>();
  private nextJumpTarget = 1;
  /** The breakpoints last set, sent again to a restarted run. */
  private readonly breakpoints: { line?: EngineRequests['setLineBreakpoints']['params']; name?: EngineRequests['setNameBreakpoints']['params']; filters?: EngineRequests['setExceptionFilters']['params'] } = {};

  constructor(
    private readonly client: EngineClient,
    private readonly resolvePath: (p: string) => string = (p) => p,
    private readonly options: SessionOptions = {},
  ) {
    super();
    this.custom = this.customHandlers();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    client.onEvent((e) => {
      if (e.type === 'output') this.sendEvent(new OutputEvent(e.text.endsWith('\n') ? e.text : e.text + '\n', 'console'));
      else if (e.type === 'loss') this.lossMeasured(e.step, e.steps, e.loss);
      else if (this.activeProgress && !this.training) {
        this.sendEvent(new ProgressUpdateEvent(String(this.activeProgress), `${e.done} of ${e.total} ops`));
      }
    });
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.supportsProgress = !!args.supportsProgressReporting;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: true,
      supportsRestartFrame: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      supportsCancelRequest: true,
      supportsSetVariable: true,
      supportsSetExpression: true,
      supportsClipboardContext: true,
      supportsGotoTargetsRequest: true,
      supportsStepInTargetsRequest: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: COMPLETION_TRIGGERS,
      breakpointModes: BREAKPOINT_MODES,
      supportsRestartRequest: true,
      supportsBreakpointLocationsRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      // Without it VS Code sends only the filters' ids, never their conditions (the tolerance, the thresholds).
      supportsExceptionFilterOptions: true,
    };
    this.sendResponse(response);
  }

  /**
   * A training step finished: a line in the Debug Console (`step 3 loss 0.0123`), the `layerstep/loss` event for
   * the panel's curve, and the step in the progress notification of a long move.
   */
  private lossMeasured(step: number, steps: number, loss: number): void {
    this.sendEvent(new OutputEvent(`step ${step} loss ${lossText(loss)}\n`, 'console'));
    this.sendEvent(new Event(LOSS_EVENT, { step, steps, loss }));
    if (this.activeProgress) {
      const update = new ProgressUpdateEvent(String(this.activeProgress), `${stepText(step, steps)} · loss ${lossText(loss)}`) as DebugProtocol.ProgressUpdateEvent;
      update.body.percentage = Math.min(100, (100 * step) / steps);
      this.sendEvent(update);
    }
  }

  /** The launch trains the model (`"train": true`). */
  get training(): boolean {
    return !!this.launchArgs?.train;
  }

  /** Where the run stands: the last stop (undefined before the first). The one place a session's stop is held. */
  get currentStop(): StopInfo | undefined {
    return this.last;
  }

  /** A move is under way (between a step and its stop). */
  get running(): boolean {
    return this.moving;
  }

  get model(): { readonly outline: ModelOutline; readonly path: string } | undefined {
    return this.outline && { outline: this.outline, path: this.modelPath };
  }

  observe(observer: SessionObserver): { dispose(): void } {
    this.observers.add(observer);
    return { dispose: () => this.observers.delete(observer) };
  }

  /** A step asked for outside VS Code's toolbar (the panel's buttons): VS Code hears `continued`, then the stop. */
  requestMove(kind: StepKind): Promise<void> {
    this.sendEvent(new ContinuedEvent(THREAD_ID, true));
    return this.move(kind);
  }

  /**
   * Lets CALL STACK's focus go to another session that has just stopped. VS Code moves the focus to a session
   * that stops only when no stack frame is focused, and it lets go of a frame when its thread exits: so this
   * paused session says its thread exited and started again, and that it is stopped where it was, with a hint
   * to leave the focus where it goes. Nothing moves in the run.
   */
  yieldFocus(): void {
    const stop = this.last;
    if (!stop || this.moving) return;
    this.sendEvent(new ThreadEvent('exited', THREAD_ID));
    this.sendEvent(new ThreadEvent('started', THREAD_ID));
    this.sendEvent(this.stoppedEvent(stop, true));
  }

  /** Moves to a recorded timeline event (the panel's click on a frame). */
  requestGoto(index: number): Promise<void> {
    return this.run(() => this.client.request('goto', { index }), false, undefined, true);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArgs): Promise<void> {
    try {
      await this.open(args);
    } catch (e) {
      this.launchFailed(response, 1, e);
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.sendEvent(new InitializedEvent());
    // A client that never sends configurationDone still gets its launch answered.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.configurationDone, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    this.sendResponse(response);
    await Promise.race([this.options.known ?? Promise.resolve(), new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    await this.begin(args);
  }

  /** A launch or restart that could not start its run: the host hears it, and the client gets the sentence. */
  private launchFailed(response: DebugProtocol.Response, id: number, e: unknown): void {
    const error = toWireError(e);
    for (const o of this.observers) o.launchFailed?.(error, this.modelPath);
    this.sendErrorResponse(response, errorMessage(id, error.message, !this.options.hostShowsLaunchErrors));
  }

  /** Opens the model and starts a run on the launch's input. */
  private async open(args: LaunchArgs): Promise<void> {
    if (!args.model) throw { kind: 'input', message: 'The launch configuration has no "model": set it to a model file.' };
    this.modelPath = this.resolvePath(args.model);
    const train = trainSpecOf(args, this.resolvePath);
    this.outline = await this.client.request('open', {
      path: this.modelPath,
      input: inputSpecOf(args, this.resolvePath),
      memoryBudgetBytes: args.memoryBudgetMB ? args.memoryBudgetMB * 1024 * 1024 : undefined,
      maxLoopIterations: args.maxLoopIterations,
      compare: compareSpecOf(args, this.resolvePath),
      tolerance: args.tolerance,
      ...(train ? { train } : {}),
    });
    this.launchArgs = args;
    this.counterpart = (await this.client.request('counterpart', {})) ?? undefined;
    this.sendEvent(new Event(OPENED_EVENT, { outline: this.outline, path: this.modelPath }));
    for (const o of this.observers) o.opened?.(this.outline, this.modelPath);
  }

  /** The first stop of a run: on entry, or wherever a run from the start stops. */
  private async begin(args: LaunchArgs): Promise<void> {
    if (args.stopOnEntry) {
      this.report(await this.client.request('position', {}));
    } else {
      void this.move('continue');
    }
  }

  /**
   * The toolbar's Restart: the same model (reloaded if its file changed) on the same input, from the start, with
   * the breakpoints as they are; the session stays the same one.
   */
  protected override async restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): Promise<void> {
    const launch = (args.arguments as LaunchArgs | undefined) ?? this.launchArgs;
    if (!launch) return this.sendErrorResponse(response, errorMessage(6, 'There is no run to restart yet.', true));
    try {
      await this.reopen(launch);
    } catch (e) {
      return this.launchFailed(response, 6, e);
    }
    this.sendResponse(response);
    await this.begin(launch);
  }

  /** The launch this session runs (its input, its shapes), once it has opened. */
  get launched(): LaunchArgs | undefined {
    return this.launchArgs;
  }

  /**
   * Runs the session again from the start on another input (Select Input during a session): the same session and
   * breakpoints, the model laid out for the new input's sizes. Throws what opening the input throws; the run
   * in progress then stays as it was.
   */
  async restartOn(launch: LaunchArgs): Promise<void> {
    await this.reopen(launch);
    await this.begin(launch);
  }

  private async reopen(launch: LaunchArgs): Promise<void> {
    if (this.moving) await this.client.request('pause', {}).catch(() => undefined);
    await this.busy;
    await this.open(launch);
    if (this.breakpoints.line) await this.client.request('setLineBreakpoints', this.breakpoints.line);
    if (this.breakpoints.name) await this.client.request('setNameBreakpoints', this.breakpoints.name);
    if (this.breakpoints.filters) await this.client.request('setExceptionFilters', this.breakpoints.filters);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const wanted = args.breakpoints ?? [];
    if (!this.isModelSource(args.source.path)) {
      response.body = { breakpoints: wanted.map((b) => ({ verified: false, line: b.line, message: 'Not the model file of this Layerstep session.' })) };
      return this.sendResponse(response);
    }
    await this.answer(response, async () => {
      this.breakpoints.line = {
        breakpoints: wanted.map((b) => ({
          line: b.line, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage,
          ...(b.mode === 'call' || b.mode === 'return' ? { mode: b.mode } : {}),
        })),
      };
      const result = await this.client.request('setLineBreakpoints', this.breakpoints.line);
      response.body = { breakpoints: result.map((s) => this.dapBreakpoint(s, args.source.path)) };
    });
  }

  protected override async breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): Promise<void> {
    const lines = new Set<number>();
    const end = args.endLine ?? args.line;
    if (this.outline && this.isModelSource(args.source.path)) {
      const visit = (n: ModelOutline['root']) => {
        if (n.source && n.source.startLine >= args.line && n.source.startLine <= end) lines.add(n.source.startLine);
        n.children.forEach(visit);
      };
      // The root's range is the whole file, and a line breakpoint never binds to the root: only its layers count.
      this.outline.root.children.forEach(visit);
    }
    response.body = { breakpoints: [...lines].sort((a, b) => a - b).map((line) => ({ line })) };
    this.sendResponse(response);
  }

  protected override async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    await this.answer(response, async () => {
      this.breakpoints.name = {
        breakpoints: args.breakpoints.map((b) => ({ name: b.name, condition: b.condition, hitCondition: b.hitCondition })),
      };
      const result = await this.client.request('setNameBreakpoints', this.breakpoints.name);
      response.body = { breakpoints: result.map((s) => this.dapBreakpoint(s)) };
    });
  }

  protected override async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
    const options = (args.filterOptions ?? []).filter((o) => known.has(o.filterId));
    const filters = [...new Set([...args.filters, ...options.map((o) => o.filterId)])].filter((f): f is ExceptionFilter => known.has(f));
    const tolerance = options.find((o) => o.filterId === 'diverged')?.condition?.trim() || undefined;
    const condition = (id: string): string | undefined => options.find((o) => o.filterId === id)?.condition?.trim() || undefined;
    const deadUnits = condition('deadUnits');
    const magnitude = condition('magnitude');
    const thresholds = deadUnits || magnitude ? { ...(deadUnits ? { deadUnits } : {}), ...(magnitude ? { magnitude } : {}) } : undefined;
    const params = { filters, ...(tolerance ? { tolerance } : {}), ...(thresholds ? { thresholds } : {}) };
    this.breakpoints.filters = params;
    await this.answer(response, () => this.client.request('setExceptionFilters', params));
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const name = this.outline?.name ?? 'model';
    const t = this.last?.training;
    const threads = [new Thread(THREAD_ID, t ? `training ${name}: ${stepText(t.step, t.steps)}` : this.training ? `training ${name}` : `forward pass: ${name}`)];
    if (this.counterpart) threads.push(new Thread(COUNTERPART_THREAD_ID, `compared with ${this.counterpart.label}`));
    response.body = { threads };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const stack = this.last?.stack ?? [];
    const start = args.startFrame ?? 0;
    const other = args.threadId === COUNTERPART_THREAD_ID;
    const frames = stack.slice(start, args.levels ? start + args.levels : undefined).map((f, i) => {
      const atReturn = i + start === 0 && this.last?.point === 'return';
      const sf = other ? new StackFrame(f.id + COUNTERPART_FRAME_OFFSET, frameLabel({ ...f, edited: false }, atReturn)) : new StackFrame(f.id, frameLabel(f, atReturn));
      if (f.source) {
        // The start only: VS Code selects a frame's whole range in the editor, and a selected layer (or, for
        // the model's frame, the whole file) would be replaced by the next key the user presses.
        sf.source = new Source(baseName(this.modelPath), this.modelPath);
        sf.line = f.source.startLine;
        sf.column = f.source.startColumn;
      } else {
        // A format without text lines (ONNX): the frame still names the model file, because VS Code
        // focuses only a frame with a source after a stop (and VARIABLES stays empty without one); line 0
        // says the frame has no line in it.
        sf.source = new Source(baseName(this.modelPath), this.modelPath);
        sf.line = 0;
        sf.column = 0;
      }
      return sf;
    });
    response.body = { stackFrames: frames, totalFrames: stack.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const counterpart = args.frameId >= COUNTERPART_FRAME_OFFSET;
    const frameId = counterpart ? args.frameId - COUNTERPART_FRAME_OFFSET : args.frameId;
    const scope = (name: string, key: 'inputs' | 'outputs' | 'weights' | 'attrs' | 'divergence', expensive = false) =>
      new Scope(name, this.refs.add({ kind: 'scope', frameId, scope: key, ...(counterpart ? { counterpart } : {}) }), expensive);
    // VS Code opens the first scope: at a return stop of this frame that is its outputs, otherwise its inputs.
    const atReturn = this.last?.point === 'return' && this.last.stack[0]?.id === frameId;
    const io = [scope('Inputs', 'inputs'), scope('Outputs', 'outputs')];
    const compared = this.counterpart ? [scope('Divergence', 'divergence')] : [];
    response.body = { scopes: [...(atReturn ? io.reverse() : io), ...compared, scope('Weights', 'weights'), scope('Attributes', 'attrs')] };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    await this.answer(response, async () => {
      const ref = this.refs.get(args.variablesReference);
      if (!ref) return void (response.body = { variables: [] });
      if (ref.kind === 'slice') {
        response.body = { variables: await sliceChildren(this.refs, this.client, ref, args.start, args.count) };
        return;
      }
      const scopes = await this.client.request(ref.counterpart ? 'counterpartScopes' : 'scopes', { frameId: ref.frameId });
      if (ref.scope === 'divergence') {
        const list = scopes.divergence ?? [];
        response.body = { variables: list.map((d) => ({ name: d.label, value: divergenceText(d), variablesReference: 0 })) };
        if (list.length === 0) {
          response.body.variables.push({ name: '(none yet)', value: 'divergences appear when this frame returns and the counterpart has its outputs', variablesReference: 0, presentationHint: { kind: 'virtual' } });
        }
        return;
      }
      if (ref.scope === 'attrs') {
        response.body = { variables: Object.entries(scopes.attrs).map(([name, value]) => ({ name, value, variablesReference: 0 })) };
        return;
      }
      const list = scopes[ref.scope];
      // `weights.kernel`, `inputs.x`, or `outputs["hidden/relu:0"]` for a value name that is not an identifier.
      // The counterpart's tensors are read by name, not by an expression of this run.
      const nameOf = (label: string) => (ref.counterpart ? undefined : isIdentifier(label) ? `${ref.scope}.${label}` : `${ref.scope}[${JSON.stringify(label)}]`);
      response.body = { variables: list.map((t) => tensorVariable(this.refs, t, nameOf(t.label), ref.counterpart ? undefined : ref.frameId)) };
      if (ref.scope === 'outputs' && list.length === 0) {
        response.body.variables.push({ name: '(not yet)', value: 'outputs appear when this frame returns', variablesReference: 0, presentationHint: { kind: 'virtual' } });
      }
    });
  }

  /** Set Value in VARIABLES: an assignment to the variable's expression (`outputs.y[0][3] = 0`), a what-if edit. */
  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    const ref = this.refs.get(args.variablesReference);
    let target: string | undefined;
    let frameId: number | undefined;
    if (ref?.kind === 'scope' && !ref.counterpart && (ref.scope === 'inputs' || ref.scope === 'outputs' || ref.scope === 'weights')) {
      target = isIdentifier(args.name) ? `${ref.scope}.${args.name}` : `${ref.scope}[${JSON.stringify(args.name)}]`;
      frameId = ref.frameId;
    } else if (ref?.kind === 'slice' && ref.path && ref.frameId !== undefined) {
      const m = /^\[(\d+)\]$/.exec(args.name);
      if (m) target = `${ref.path}[${m[1]}]`;
      frameId = ref.frameId;
    }
    if (!target) {
      return this.sendErrorResponse(response, errorMessage(7, ref && 'counterpart' in ref && ref.counterpart ? 'The compared run cannot be edited: edit this run instead.' : 'Only tensors of a frame and their elements can be set.', true));
    }
    // A whole tensor reads as VARIABLES will show it after the refresh (marked); an element as its number.
    const whole = ref?.kind === 'scope';
    await this.edit(response, `${target} = ${args.value}`, frameId, (r) => (whole ? { value: `✎ edited · ${r.text}` } : this.valueText(target as string, frameId)));
  }

  /** What an edited expression reads now (an element's number, a tensor's summary), for the answer to Set Value. */
  private async valueText(expression: string, frameId: number | undefined): Promise<{ value: string }> {
    return { value: (await this.client.request('evaluate', { expression, frameId })).text };
  }

  /** Editing a watch expression's value: `EXPRESSION = VALUE`, a what-if edit. */
  protected override async setExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): Promise<void> {
    await this.edit(response, `${args.expression} = ${args.value}`, args.frameId, () => this.valueText(args.expression, args.frameId));
  }

  /** Forgets every what-if edit (the Revert Edits command): the model as loaded; what follows is computed anew. */
  requestRevertEdits(): Promise<void> {
    return this.run(() => this.client.request('revertEdits', {}));
  }

  /**
   * Makes an edit and tells VS Code and the panel that values changed, without moving the focus: the position
   * stays, values after it are dropped, and stale ones are recomputed when read.
   */
  private async edit<R extends DebugProtocol.Response>(
    response: R, expression: string, frameId: number | undefined, body: (r: AssignResult) => R['body'] | Promise<R['body']>,
  ): Promise<void> {
    try {
      if (this.moving) throw { kind: 'input', message: 'The run is moving: pause it before editing a value.' };
      const stopFrame = frameId !== undefined && frameId >= COUNTERPART_FRAME_OFFSET ? undefined : frameId;
      if (frameId !== undefined && stopFrame === undefined) throw { kind: 'input', message: 'The compared run cannot be edited: edit this run instead.' };
      const result = await this.client.request('assign', { expression, frameId: stopFrame });
      response.body = await body(result);
      this.sendResponse(response);
      this.changed(result.stop);
    } catch (e) {
      this.sendErrorResponse(response, errorMessage(8, toWireError(e).message, true));
    }
  }

  /** Values changed where the run stands (an edit): VS Code refetches, the panel and the host hear the stop again. */
  private changed(stop: StopInfo): void {
    this.last = stop;
    this.sendEvent(new InvalidatedEvent(['stacks', 'variables'], THREAD_ID));
    this.sendEvent(new Event(STOPPED_EVENT, stop));
    for (const o of this.observers) o.stopped?.(stop);
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    if (isAssignment(args.expression)) {
      // Only the Debug Console assigns: a watch is evaluated again at every stop, and hovers only read.
      if (args.context === 'repl' || args.context === undefined) {
        return this.edit(response, args.expression, args.frameId, (r) => ({ result: r.text, variablesReference: 0 }));
      }
      if (args.context === 'watch') {
        return this.sendErrorResponse(response, errorMessage(2, 'A watch is evaluated at every stop, so it cannot assign: watch the tensor and use Set Value on it, or assign in the Debug Console.', false));
      }
    }
    if (args.context === 'clipboard') {
      // Copy Value: the values themselves, not the summary (src/debug/clipboard.ts).
      return this.answer(response, async () => {
        response.body = { result: await clipboardText(this.client, args.expression, args.frameId), variablesReference: 0 };
      });
    }
    try {
      const result = await this.client.request('evaluate', { expression: args.expression, frameId: args.frameId });
      // A tensor result is kept under a name (`$3`) that expressions read, so its children can be watched too.
      const v = result.tensor ? tensorVariable(this.refs, result.tensor, result.tensor.name) : undefined;
      response.body = { result: result.text, variablesReference: v?.variablesReference ?? 0, indexedVariables: v?.indexedVariables, type: v?.type };
      this.sendResponse(response);
    } catch (e) {
      // Hovers over words that are not expressions stay silent; elsewhere the message is the answer.
      this.sendErrorResponse(response, errorMessage(2, toWireError(e).message, false));
    }
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const ex = this.last?.exception;
    response.body = {
      exceptionId: ex?.filter === 'nanOrInf' ? 'NaN or Inf' : ex?.filter === 'diverged' ? 'Diverged'
        : ex?.filter === 'deadUnits' ? 'Dead units' : ex?.filter === 'magnitude' ? 'Activation magnitude' : 'Engine error',
      description: ex?.message ?? this.last?.description,
      breakMode: 'always',
    };
    this.sendResponse(response);
  }

  protected override continueRequest(r: DebugProtocol.ContinueResponse): void { this.step(r, 'continue'); }
  protected override nextRequest(r: DebugProtocol.NextResponse): void { this.step(r, 'over'); }
  /** Step Into, or Step Into Target (`targetId`): on to that child's call, running the children before it. */
  protected override stepInRequest(r: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    const t = args.targetId === undefined ? undefined : this.jumpTargets.get(args.targetId);
    if (t?.kind !== 'stepIn') return this.step(r, 'in');
    void this.run(() => this.client.request('runTo', { name: t.itemId, byId: true, within: t.within }), false, r);
  }

  /**
   * Jump to Cursor's and Run to Cursor's targets on a line: the call and the return of the layer or op a
   * breakpoint there binds to. None off the model file, in a layer-less line, or for the compared run.
   */
  protected override async gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): Promise<void> {
    if (!this.isModelSource(args.source.path)) {
      response.body = { targets: [] };
      return this.sendResponse(response);
    }
    await this.answer(response, async () => {
      const found = await this.client.request('gotoTargets', { line: this.convertClientLineToDebugger(args.line) });
      this.jumpTargets.clear();
      const targets: DebugProtocol.GotoTarget[] = [];
      for (const t of found) {
        for (const point of ['call', 'return'] as const) {
          const id = this.nextJumpTarget++;
          this.jumpTargets.set(id, { kind: 'goto', itemId: t.itemId, point, index: t[point] });
          const what = t.kind === 'module' ? `${t.name} (${t.type})` : t.name === t.type ? t.name : `${t.name} [${t.type}]`;
          const when = t[point] === undefined ? ', not run yet' : '';
          targets.push({ id, label: `${point === 'call' ? 'Call of' : 'Return from'} ${what}${when}`, line: this.convertDebuggerLineToClient(t.line ?? args.line) });
        }
      }
      response.body = { targets };
    });
  }

  /**
   * Jump to Cursor: to the target's recorded event (back or forward, nothing recomputed), or, when the run has
   * not got there yet, on to it as the engine's run-to-layer does (breakpoints on the way still stop).
   */
  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    const t = this.jumpTargets.get(args.targetId);
    if (t?.kind !== 'goto') return this.sendErrorResponse(response, errorMessage(9, 'That jump target is gone: ask for the targets again.', true));
    const index = t.index;
    void this.run(() => (index !== undefined
      ? this.client.request('goto', { index })
      : this.client.request('runTo', { name: t.itemId, byId: true, point: t.point })), false, response);
  }

  /** Step Into Target: one target per child call of the focused module not made yet (label: name and type). */
  protected override async stepInTargetsRequest(response: DebugProtocol.StepInTargetsResponse, args: DebugProtocol.StepInTargetsArguments): Promise<void> {
    if (args.frameId >= COUNTERPART_FRAME_OFFSET) {
      response.body = { targets: [] };
      return this.sendResponse(response);
    }
    await this.answer(response, async () => {
      const found = await this.client.request('stepInTargets', { frameId: args.frameId });
      this.jumpTargets.clear();
      const within = found.frameId;
      response.body = {
        targets: within === undefined ? [] : found.targets.map((t) => {
          const id = this.nextJumpTarget++;
          this.jumpTargets.set(id, { kind: 'stepIn', itemId: t.itemId, within });
          const what = t.kind === 'module' ? `${t.name} (${t.type})` : t.name === t.type ? t.name : `${t.name} [${t.type}]`;
          const target: DebugProtocol.StepInTarget = { id, label: t.branch ? `${what} · branch` : what };
          if (t.line !== undefined) target.line = this.convertDebuggerLineToClient(t.line);
          return target;
        }),
      };
    });
  }

  /**
   * Completions in the Debug Console and WATCH (src/runner/expr/completions.ts): the frame's names, weights, values
   * and built-in functions at the cursor. A request that cannot be answered (no run yet) gets none, never an error.
   */
  protected override async completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): Promise<void> {
    response.body = { targets: [] };
    const frameId = args.frameId !== undefined && args.frameId >= COUNTERPART_FRAME_OFFSET ? undefined : args.frameId;
    if (!this.last || this.moving || (args.frameId !== undefined && frameId === undefined)) return this.sendResponse(response);
    const lines = args.text.split('\n');
    const lineIndex = args.line === undefined ? 0 : Math.max(0, Math.min(lines.length - 1, this.convertClientLineToDebugger(args.line) - 1));
    const text = lines[lineIndex];
    const offset = this.convertClientColumnToDebugger(args.column) - 1;
    try {
      const found = await this.client.request('completions', { text, offset, frameId });
      response.body.targets = found.map((c, i) => ({
        label: c.label,
        ...(c.text !== c.label ? { text: c.text } : {}),
        type: c.kind,
        ...(c.detail ? { detail: c.detail } : {}),
        sortText: String(i).padStart(4, '0'),
        start: this.convertDebuggerColumnToClient(c.start + 1),
        length: c.length,
      }));
    } catch {
      // A frame that is gone, weights not read yet: nothing to offer.
    }
    this.sendResponse(response);
  }
  protected override stepOutRequest(r: DebugProtocol.StepOutResponse): void { this.step(r, 'out'); }
  protected override stepBackRequest(r: DebugProtocol.StepBackResponse): void { this.step(r, 'back'); }
  protected override reverseContinueRequest(r: DebugProtocol.ReverseContinueResponse): void { this.step(r, 'reverseContinue'); }

  protected override restartFrameRequest(response: DebugProtocol.RestartFrameResponse, args: DebugProtocol.RestartFrameArguments): void {
    void this.run(() => this.client.request('restartFrame', { frameId: args.frameId }), false, response);
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    await this.answer(response, () => this.client.request('pause', {}));
  }

  /** Cancelling the progress notification of a long run pauses it where it is. */
  protected override async cancelRequest(response: DebugProtocol.CancelResponse, args: DebugProtocol.CancelArguments): Promise<void> {
    if (args.progressId) await this.client.request('pause', {}).catch(() => undefined);
    this.sendResponse(response);
  }

  protected override async customRequest(command: string, response: DebugProtocol.Response, args: unknown): Promise<void> {
    if (command !== ENGINE_REQUEST) return super.customRequest(command, response, args);
    const { method, params } = (args ?? {}) as { method?: string; params?: unknown };
    const handler = typeof method === 'string' && Object.hasOwn(this.custom, method) ? this.custom[method as EngineMethod] : undefined;
    if (!handler) return this.sendErrorResponse(response, errorMessage(3, `'${String(method)}' is not an engine request.`, false));
    await (handler as (p: unknown, r: DebugProtocol.Response) => Promise<void>)(params ?? {}, response);
  }

  /** The engine requests a DAP client can send through the `layerstep` custom request. */
  private customHandlers(): CustomHandlers {
    const read = <M extends EngineMethod>(method: M) => (params: EngineRequests[M]['params'], response: DebugProtocol.Response) =>
      this.answer(response, async () => {
        const result = await this.client.request(method, params);
        response.body = method === 'tensor' ? packValues(result as TensorValues) : result;
      });
    const refuse = (method: EngineMethod) => async (_p: unknown, response: DebugProtocol.Response) =>
      this.sendErrorResponse(response, errorMessage(3, `'${method}' is not available through the debug session.`, false));
    // A jump asked for outside VS Code's own requests (the panel's graph): VS Code hears `continued`, then the
    // stop, so CALL STACK's "Paused on …" follows.
    const jump = <M extends 'goto' | 'restartFrame' | 'runTo'>(method: M) => async (params: EngineRequests[M]['params'], response: DebugProtocol.Response) =>
      void this.run(() => this.client.request(method, params), false, response, true);
    return {
      load: refuse('load'),
      open: refuse('open'),
      close: refuse('close'),
      step: async (p, response) => {
        this.sendResponse(response);
        void this.move(p.kind);
      },
      goto: jump('goto'),
      restartFrame: jump('restartFrame'),
      runTo: jump('runTo'),
      gotoTargets: read('gotoTargets'),
      stepInTargets: read('stepInTargets'),
      completions: read('completions'),
      position: async (p, response) => {
        if (!this.last) return read('position')(p, response);
        response.body = this.last;
        this.sendResponse(response);
      },
      setLineBreakpoints: read('setLineBreakpoints'),
      setNameBreakpoints: read('setNameBreakpoints'),
      setExceptionFilters: read('setExceptionFilters'),
      pause: read('pause'),
      scopes: read('scopes'),
      tensor: read('tensor'),
      grid: read('grid'),
      element: read('element'),
      evaluate: read('evaluate'),
      timeline: read('timeline'),
      counterpart: read('counterpart'),
      counterpartScopes: read('counterpartScopes'),
      graph: read('graph'),
      graphValues: read('graphValues'),
      edits: read('edits'),
      weights: read('weights'),
      summary: read('summary'),
      assign: async (p, response) => this.edit(response, p.expression, p.frameId, (r) => r),
      revertEdits: async (_p, response) => {
        this.sendResponse(response);
        void this.requestRevertEdits();
      },
    };
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    void this.client.request('close', {}).catch(() => undefined);
    this.client.dispose();
    this.sendResponse(response);
  }

  /** Answers a stepping request at once, then moves and reports the stop (DAP wants `stopped` after the response). */
  private step(response: DebugProtocol.Response, kind: StepKind): void {
    this.sendResponse(response);
    void this.move(kind);
  }

  private move(kind: StepKind): Promise<void> {
    return this.run(() => this.client.request('step', { kind }), kind === 'continue' || kind === 'out' || kind === 'over');
  }

  /**
   * Runs one move after the previous one has finished, with progress for long moves, and reports where it stopped.
   * With `response` (a jump: restartFrame, goto, runTo) the response is sent once the move is done, still before
   * the `stopped` event, and a move that fails is an error response; without it (a step, answered already), a
   * failure ends the session with the error on stderr. With `announce` (a move VS Code did not ask for: the panel's
   * goto, the custom request's jumps) VS Code hears `continued` first, and a jump that fails is stopped where it was.
   */
  private run(move: () => Promise<StopInfo>, showProgress = false, response?: DebugProtocol.Response, announce = false): Promise<void> {
    this.busy = this.busy.then(async () => {
      this.moving = true;
      if (announce) this.sendEvent(new ContinuedEvent(THREAD_ID, true));
      for (const o of this.observers) o.continued?.();
      const progress = showProgress && this.supportsProgress ? ++this.progressId : 0;
      if (progress) {
        const start = new ProgressStartEvent(String(progress), this.training ? 'Training' : 'Running the forward pass') as DebugProtocol.ProgressStartEvent;
        start.body.cancellable = true;
        this.sendEvent(start);
        this.activeProgress = progress;
      }
      try {
        const stop = await move();
        this.moving = false;
        if (response) this.sendResponse(response);
        this.report(stop);
      } catch (e) {
        this.moving = false;
        const err = toWireError(e);
        if (response) {
          this.sendErrorResponse(response, errorMessage(5, err.message, true));
          // Nothing moved: VS Code, told the thread continued, hears it is stopped where it was.
          if (announce && this.last) this.sendEvent(this.stoppedEvent(this.last, true));
        } else {
          this.sendEvent(new OutputEvent(err.message + '\n', 'stderr'));
          this.sendEvent(new TerminatedEvent());
        }
      } finally {
        if (progress) {
          this.activeProgress = 0;
          this.sendEvent(new ProgressEndEvent(String(progress)));
        }
      }
    });
    return this.busy;
  }

  private stoppedEvent(stop: StopInfo, preserveFocus = false): DebugProtocol.StoppedEvent {
    const ev = new StoppedEvent(stop.reason === 'end' ? 'step' : stop.reason, THREAD_ID, stop.exception?.message) as DebugProtocol.StoppedEvent;
    ev.body.description = describeStop(stop);
    if (stop.breakpointIds?.length) ev.body.hitBreakpointIds = [...stop.breakpointIds];
    ev.body.allThreadsStopped = true;
    if (preserveFocus) ev.body.preserveFocusHint = true;
    return ev;
  }

  private report(stop: StopInfo): void {
    this.last = stop;
    this.refs.clear();
    this.sendEvent(this.stoppedEvent(stop));
    this.sendEvent(new Event(STOPPED_EVENT, stop));
    for (const o of this.observers) o.stopped?.(stop);
  }

  private dapBreakpoint(s: { id: number; verified: boolean; message?: string; line?: number }, path?: string): DebugProtocol.Breakpoint {
    const bp = new Breakpoint(s.verified, s.line) as DebugProtocol.Breakpoint;
    bp.id = s.id;
    if (s.message) bp.message = s.message;
    if (path) bp.source = new Source(baseName(path), path);
    return bp;
  }

  private isModelSource(path?: string): boolean {
    return !!path && !!this.modelPath && normalize(path) === normalize(this.modelPath);
  }

  /** Runs `work` and sends the response, or an error response with the one-sentence message. */
  private async answer(response: DebugProtocol.Response, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.sendResponse(response);
    } catch (e) {
      const err = isWireError(e) ? e : toWireError(e);
      this.sendErrorResponse(response, errorMessage(4, err.message, err.kind !== 'expression'));
    }
  }
}

/** Breakpoint ids are runner ids; breakpoint events use them to verify later. */
export { BreakpointEvent };

/**
 * An error for sendErrorResponse. DebugSession formats the text as a template in which `{_name}` reads a variable,
 * so a message quoting such text (a layer named `{_x}`) would throw without an (empty) variables object.
 */
function errorMessage(id: number, format: string, showUser: boolean): DebugProtocol.Message {
  return { id, format, showUser, variables: {} };
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

function normalize(p: string): string {
  return p.replace(/\\/g, '/').replace(/^[a-z]:/, (d) => d.toUpperCase());
}

function isIdentifier(s: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(s);
}
