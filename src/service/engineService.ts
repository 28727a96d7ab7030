import { histogram, planBins } from '../engine/histogram';
import { hasOpenSizes, suggestShapes } from '../model/specialize';
import { templatesOf } from '../model/ir';
import { formatSummary, statsOf } from '../engine/stats';
import { Tensor } from '../engine/tensor';
import { openModel } from '../loaders/registry';
import type { ModelSource } from '../loaders/types';
import { DEFAULT_LOAD_OPTIONS } from '../loaders/types';
import { ModelError } from '../model/errors';
import type { Item, Model, ModuleDef } from '../model/ir';
import { loadPendingWeights } from '../model/lazyWeights';
import { nodeWeights, paramsOf } from '../model/weightUse';
import type {
  EngineClient, EngineEvent, EngineMethod, EngineRequests, EvalResult, FrameInfo, GridSpec, HistogramCounts,
  ModelOutline, OutlineNode, ScopesInfo, StopInfo, TensorGrid, TensorSummary, WeightOutline, WireError,
} from '../protocol/engine';
import { COUNTERPART_PREFIX, DEFAULT_RUN } from '../protocol/engine';
import type { TrainSpec } from '../protocol/engine';
import type { Divergence } from '../protocol/engine';
import { DEFAULT_TOLERANCE, parseTolerance } from '../runner/divergence';
import type { Comparison } from '../runner/divergence';
import { openCounterpart } from './counterpart';
import type { ServiceCounterpart } from './counterpart';
import { Runner } from '../runner/runner';
import { parseHealthThresholds } from '../runner/healthWatch';
import { buildRunSummary } from '../runner/runSummary';
import type { Frame, StopEvent } from '../runner/types';
import { describeIoError, resolveInputs } from './inputs';
import { TrainingRun } from './training';
import { parseTrainingJson } from '../loaders/tensors/index';
import { examplesData, trainData } from '../runner/train/data';
import type { TrainData } from '../runner/train/data';
import { trainSettings } from '../runner/train/defaults';
import { Trainer } from '../runner/train/trainer';
import { FULL_READ_LIMIT, gridSpan, readGrid } from './sampling';
import { tensorLayoutIn } from '../runner/frameScope';
import { describeGraph, graphValues } from './graph';
import { toWireError } from './wireError';

/** What the service needs from the outside world: files, read through ports so the service stays pure. */
export interface EnginePorts {
  /** The model file at `path` as a source that can read its siblings. */
  openSource(path: string): ModelSource;
  /** Bytes of an input tensor file. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Something that changes when the file at `path` changes (its size and modification time), so an unchanged
   * model is not parsed twice; undefined when it cannot be told (the model is then loaded again).
   */
  fingerprint?(path: string): Promise<string | undefined>;
  /** How runners let the event loop run during long moves (RunnerOptions.yieldToHost); `setTimeout(0)` when left out. */
  yieldToHost?(): Promise<void>;
  /** The file names in a folder (a reference folder to compare with); comparing with one is refused without it. */
  listDir?(path: string): Promise<readonly string[]>;
}

type Handler<M extends EngineMethod> = (params: EngineRequests[M]['params'], run: string) => Promise<EngineRequests[M]['result']>;
type Handlers = { [M in EngineMethod]: Handler<M> };

interface Loaded {
  readonly path: string;
  readonly fingerprint?: string;
  readonly model: Promise<Model>;
}

/**
 * The engine service: the only road to a model. It holds one model (loaded once, whoever asks: the sidebar,
 * the summary editor, any number of debug sessions) and one runner per run, and answers {@link EngineRequests}
 * with plain data. It runs wherever its caller puts it: the extension puts it in a worker thread per model
 * (src/node/engineWorker.ts), tests and the CLI call it in process through {@link InProcessEngineClient}.
 */
export class EngineService {
  private loaded?: Loaded;
  private readonly runs = new Map<string, Runner>();
  /** Training runs, by run: their current step's runner is the run's runner. */
  private readonly trainings = new Map<string, TrainingRun>();
  /** The counterparts of compared runs, by run. */
  private readonly counterparts = new Map<string, ServiceCounterpart>();
  /**
   * Outlines already made, by model: the sidebar asks again on every editor switch and save, and an outline
   * reads every weight's statistics. Remade once weights left in their files have been read.
   */
  private readonly outlines = new WeakMap<Model, { pending: number; outline: ModelOutline }>();
  private readonly listeners = new Set<(e: EngineEvent, run: string) => void>();
  private readonly handlers: Handlers;

  constructor(private readonly ports: EnginePorts) {
    this.handlers = {
      load: async (p) => this.outlineOf(await this.model(p.path, p.force)),
      open: (p, run) => this.open(run, p),
      setLineBreakpoints: async (p, run) => (this.trainings.get(run) ?? this.need(run)).setLineBreakpoints([...p.breakpoints]),
      setNameBreakpoints: async (p, run) => (this.trainings.get(run) ?? this.need(run)).setNameBreakpoints([...p.breakpoints]),
      setExceptionFilters: async (p, run) => {
        const tolerance = p.tolerance ? parseTolerance(p.tolerance) : undefined;
        // A condition of the health filters that does not parse is refused with its sentence, before anything changes.
        const thresholds = parseHealthThresholds(p.thresholds);
        const training = this.trainings.get(run);
        if (training) training.setExceptionFilters([...p.filters], tolerance, thresholds);
        else this.need(run).setExceptionFilters([...p.filters], tolerance, thresholds);
      },
      position: async (_p, run) => this.stopInfo(run, { reason: 'entry', position: this.need(run).position }),
      step: async (p, run) => {
        const moves = {
          in: (r: Runner) => r.stepIn(), over: (r: Runner) => r.stepOver(), out: (r: Runner) => r.stepOut(), continue: (r: Runner) => r.continue(),
          back: (r: Runner) => r.stepBack(), reverseContinue: (r: Runner) => r.reverseContinue(),
        } as const;
        const training = this.trainings.get(run);
        return this.stopInfo(run, await (training ? training.move(p.kind, moves[p.kind]) : moves[p.kind](this.need(run))));
      },
      restartFrame: async (p, run) => this.stopInfo(run, await this.need(run).restartFrame(p.frameId)),
      goto: async (p, run) => this.stopInfo(run, await this.need(run).goto(p.index)),
      runTo: async (p, run) => {
        const training = this.trainings.get(run);
        const how = { point: p.point, byId: p.byId, within: p.within };
        return this.stopInfo(run, await (training ? training.move('runTo', (r) => r.runTo(p.name, how)) : this.need(run).runTo(p.name, how)));
      },
      gotoTargets: async (p, run) => this.need(run).gotoTargets(p.line),
      stepInTargets: async (p, run) => this.need(run).stepInTargets(p.frameId),
      completions: async (p, run) => this.need(run).completions(p.text, p.offset, p.frameId),
      pause: async (_p, run) => (this.trainings.get(run) ?? this.need(run)).pause(),
      scopes: async (p, run) => {
        await this.weightsRead(run);
        return this.scopes(run, p.frameId);
      },
      assign: async (p, run) => {
        await this.weightsRead(run);
        const r = this.need(run);
        const { target, tensor } = r.assign(p.expression, p.frameId);
        const label = target.kind === 'value' ? target.name : `${target.kind} ${target.name}`;
        return {
          text: formatSummary(tensor),
          tensor: { ...summarize(target.name, label, tensor), edited: true },
          stop: this.stopInfo(run, { reason: 'goto', position: r.position }),
        };
      },
      revertEdits: async (_p, run) => this.stopInfo(run, this.need(run).revertEdits()),
      edits: async (_p, run) => this.need(run).editList(),
      weights: async (_p, run) => {
        const training = this.trainings.get(run);
        if (training) {
          return [...training.trainer.weights()].map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype, start: 0, values: t.data.slice() }));
        }
        const r = this.need(run);
        await loadPendingWeights(r.model);
        return [...r.model.weights.keys()].map((name) => {
          const t = r.weight(name) as Tensor;
          return { name, shape: t.shape, dtype: t.dtype, start: 0, values: t.data.slice() };
        });
      },
      counterpart: async (_p, run) => this.counterparts.get(run)?.info ?? null,
      counterpartScopes: async (p, run) => {
        await this.weightsRead(run);
        return this.counterpartScopes(run, p.frameId);
      },
      tensor: async (p, run) => {
        const t = await this.tensor(run, p.name);
        const start = Math.max(0, Math.min(p.start, t.size));
        const end = Math.min(t.size, start + Math.max(0, p.count));
        return { name: p.name, shape: t.shape, dtype: t.dtype, start, values: t.data.slice(start, end) };
      },
      grid: async (p, run) => grid(await this.tensor(run, p.name), p),
      element: async (p, run) => {
        const t = await this.tensor(run, p.name);
        if (!Number.isInteger(p.index) || p.index < 0 || p.index >= t.size) {
          throw Object.assign(new Error(`'${p.name}' has no element ${p.index} (it has ${t.size}).`), { name: 'InputError' });
        }
        return { value: Number(t.data[p.index]) };
      },
      evaluate: async (p, run) => {
        await this.weightsRead(run);
        return this.evaluate(run, p.expression, p.frameId);
      },
      timeline: async (p, run) => {
        const r = this.need(run);
        const events = r.timeline().slice(p.from);
        const ids = new Set(events.map((e) => e.frameId));
        const frames = [...ids].map((id) => this.frameInfo(r, r.frame(id)!));
        return { events, frames };
      },
      graph: async (_p, run) => {
        const r = this.trainings.get(run)?.runner ?? this.runs.get(run);
        if (r) return describeGraph(r.model);
        if (!this.loaded) throw Object.assign(new Error('No model is loaded.'), { kind: 'internal' });
        return describeGraph(await this.loaded.model);
      },
      graphValues: async (p, run) => {
        const r = this.need(run);
        const from = Math.max(0, Math.floor(p.from) || 0);
        const recorded = r.recorded().slice(from);
        // The op frame that made each value, for its health (dead units): read without recomputing anything.
        const madeBy = new Map<string, number>();
        if (recorded.length) {
          for (const e of r.timeline()) {
            const f = e.point === 'return' ? r.frame(e.frameId) : undefined;
            if (f?.item.kind === 'node') for (const o of f.item.outputs) madeBy.set(o, f.id);
          }
        }
        const deadOf = (name: string) => {
          const id = madeBy.get(name);
          return id === undefined ? undefined : r.health(id)?.dead;
        };
        return { from, values: graphValues(recorded, (v) => r.valueInfo(v.name)?.shape, (v) => deadOf(v.name)) };
      },
      summary: async (_p, run) => {
        await this.weightsRead(run);
        return buildRunSummary(this.need(run));
      },
      close: async (_p, run) => {
        // A forward move still running stops at its next event, and later moves reject.
        this.runs.get(run)?.dispose();
        this.runs.delete(run);
        this.trainings.get(run)?.dispose();
        this.trainings.delete(run);
        this.counterparts.get(run)?.dispose();
        this.counterparts.delete(run);
      },
    };
  }

  /** Answers one request about `run`; a failure rejects with a {@link WireError}. */
  async handle<M extends EngineMethod>(method: M, params: EngineRequests[M]['params'], run: string = DEFAULT_RUN): Promise<EngineRequests[M]['result']> {
    const handler = this.handlers[method] as Handler<M> | undefined;
    try {
      if (!handler) throw new Error(`unknown engine request '${String(method)}'`);
      return await handler(params, run);
    } catch (e) {
      throw toWireError(e);
    }
  }

  /** Events of every run, with the run they belong to. */
  onEvent(listener: (e: EngineEvent, run: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Ends every run and lets the model go. */
  dispose(): void {
    for (const r of this.runs.values()) r.dispose();
    this.runs.clear();
    for (const t of this.trainings.values()) t.dispose();
    this.trainings.clear();
    for (const c of this.counterparts.values()) c.dispose();
    this.counterparts.clear();
    this.loaded = undefined;
  }

  private emit(e: EngineEvent, run: string): void {
    for (const l of this.listeners) l(e, run);
  }

  private need(run: string): Runner {
    const r = this.trainings.get(run)?.runner ?? this.runs.get(run);
    if (!r) throw Object.assign(new Error('No model is open.'), { kind: 'internal' });
    return r;
  }

  /**
   * The model at `path`: the one held when it is the same unchanged file, else freshly loaded. A load that
   * fails is forgotten, so the next request tries again (the user may have fixed the file).
   */
  private async model(path: string, force = false): Promise<Model> {
    const fingerprint = await this.ports.fingerprint?.(path).catch(() => undefined);
    const held = this.loaded;
    if (!force && held && held.path === path && fingerprint !== undefined && held.fingerprint === fingerprint) return held.model;
    const model = loadModel(this.ports.openSource(path));
    const loaded: Loaded = { path, fingerprint, model };
    this.loaded = loaded;
    model.catch(() => {
      if (this.loaded === loaded) this.loaded = undefined;
    });
    return model;
  }

  private outlineOf(model: Model): ModelOutline {
    const pending = model.pendingWeights?.size ?? 0;
    const made = this.outlines.get(model);
    if (made && made.pending === pending) return made.outline;
    const o = outline(model);
    this.outlines.set(model, { pending, outline: o });
    return o;
  }

  /** A value of `run`, or with no run a weight of the held model; weights still in their files are read first. */
  private async tensor(run: string, name: string): Promise<Tensor> {
    const r = this.trainings.get(run)?.runner ?? this.runs.get(run);
    if (r && name.startsWith(COUNTERPART_PREFIX)) return this.counterpartTensor(run, name.slice(COUNTERPART_PREFIX.length));
    if (r) {
      await loadPendingWeights(r.model);
      return r.value(name);
    }
    const loaded = this.loaded;
    if (!loaded) throw Object.assign(new Error('No model is loaded.'), { kind: 'internal' });
    const model = await loaded.model;
    await loadPendingWeights(model);
    const t = model.weights.get(name);
    if (!t) throw new ModelError(`${model.file}: there is no weight named '${name}'.`, model.file);
    return t;
  }

  /** Reads the weights the loader left in their files (a no-op once read), so scopes and values can show them. */
  private async weightsRead(run: string): Promise<void> {
    await loadPendingWeights(this.need(run).model);
  }

  private async open(run: string, p: EngineRequests['open']['params']): Promise<ModelOutline> {
    const model = await this.model(p.path);
    if (p.train) return this.openTraining(run, model, p.train, p);
    const { inputs } = await resolveInputs(model, p.input, this.ports.readFile);
    const tolerance = p.tolerance ? parseTolerance(p.tolerance) : DEFAULT_TOLERANCE;
    const options = { memoryBudgetBytes: p.memoryBudgetBytes, maxLoopIterations: p.maxLoopIterations, yieldToHost: this.ports.yieldToHost };
    // The new run is made before the old one goes: an input the model cannot take leaves the old run as it was.
    const runner = new Runner(model, Object.fromEntries(inputs), {
      ...options,
      onOutput: (text, src) => this.emit({ type: 'output', text, source: src }, run),
      onProgress: (done, total) => this.emit({ type: 'progress', done, total }, run),
    });
    const counterpart = p.compare
      ? await openCounterpart(p.compare, {
        model, inputs, tolerance, runnerOptions: options, readFile: this.ports.readFile, listDir: this.ports.listDir?.bind(this.ports),
        loadModel: async (path) => {
          const other = await loadModel(this.ports.openSource(path));
          await loadPendingWeights(other);
          return other;
        },
        resolveInputs: async (m, spec) => (await resolveInputs(m, spec, this.ports.readFile)).inputs,
      })
      : undefined;
    runner.setCounterpart(counterpart, tolerance);
    this.runs.get(run)?.dispose();
    this.trainings.get(run)?.dispose();
    this.trainings.delete(run);
    this.counterparts.get(run)?.dispose();
    this.runs.set(run, runner);
    if (counterpart) this.counterparts.set(run, counterpart);
    else this.counterparts.delete(run);
    return this.outlineOf(model);
  }

  /** A training run: steps of the model on its examples with targets, or on a data file. */
  private async openTraining(run: string, model: Model, spec: TrainSpec, p: EngineRequests['open']['params']): Promise<ModelOutline> {
    let data: TrainData;
    if (spec.data) {
      const bytes = await this.ports.readFile(spec.data).catch((e: unknown) => {
        throw Object.assign(new Error(`Cannot read the training data ${spec.data}: ${describeIoError(e)}`), { name: 'InputError' });
      });
      const file = spec.data.split(/[\\/]/).pop() ?? spec.data;
      const parsed = parseTrainingJson(file, new TextDecoder().decode(bytes));
      data = trainData(parsed.inputs, parsed.targets, file);
    } else {
      data = examplesData(model);
    }
    const { loss, optimizer, learningRate, batch, steps } = trainSettings(model, spec, data.rows);
    if (!Number.isSafeInteger(steps) || steps < 1) throw Object.assign(new Error(`A training run takes 1 step or more, not ${steps}.`), { name: 'InputError' });
    const trainer = await Trainer.create(model, data, {
      loss, optimizer, learningRate, batch,
      runner: {
        memoryBudgetBytes: p.memoryBudgetBytes, maxLoopIterations: p.maxLoopIterations, yieldToHost: this.ports.yieldToHost,
        onOutput: (text, src) => this.emit({ type: 'output', text, source: src }, run),
        onProgress: (done, total) => this.emit({ type: 'progress', done, total }, run),
      },
    });
    const training = new TrainingRun(trainer, steps, { loss, optimizer, learningRate, batch: trainer.batch, rows: data.rows, data: data.source }, (step, value) => {
      this.emit({ type: 'loss', step, steps, loss: value }, run);
    }, this.ports.yieldToHost ? () => this.ports.yieldToHost!() : undefined);
    this.runs.get(run)?.dispose();
    this.runs.delete(run);
    this.trainings.get(run)?.dispose();
    this.counterparts.get(run)?.dispose();
    this.counterparts.delete(run);
    this.trainings.set(run, training);
    // A step records the whole step's events, not only the forward pass's: views size their timelines by it.
    return { ...this.outlineOf(model), totalEvents: countEvents(training.runner.model.root) };
  }

  /** A value, weight or input as the counterpart holds it, by this run's name. */
  private counterpartTensor(run: string, name: string): Tensor {
    const c = this.counterparts.get(run);
    const t = c ? c.value(name) ?? c.weight?.(name) : undefined;
    if (!t) throw Object.assign(new Error(`the counterpart has no value named '${name}'.`), { name: 'InputError' });
    return t;
  }

  /** The frame's scopes with the counterpart's tensors of the same names, and their divergences. */
  private counterpartScopes(run: string, frameId: number): ScopesInfo {
    const c = this.counterparts.get(run);
    const mine = this.scopes(run, frameId);
    if (!c) return { inputs: [], outputs: [], weights: [], attrs: mine.attrs };
    const theirs = (list: readonly TensorSummary[], weights = false) => list.flatMap((t) => {
      const other = weights ? c.weight?.(t.name) : c.value(t.name) ?? c.weight?.(t.name);
      return other ? [summarize(COUNTERPART_PREFIX + t.name, t.label, other)] : [];
    });
    return { inputs: theirs(mine.inputs), outputs: theirs(mine.outputs), weights: theirs(mine.weights, true), attrs: mine.attrs, divergence: mine.divergence };
  }

  private stopInfo(run: string, stop: StopEvent): StopInfo {
    const r = this.need(run);
    const training = this.trainings.get(run);
    return {
      reason: stop.reason,
      description: stop.description,
      breakpointIds: training && stop.breakpointIds ? stop.breakpointIds.map((id) => training.breakpointId(id)) : stop.breakpointIds,
      exception: stop.exception,
      index: stop.position.index,
      point: stop.position.point,
      stack: [...stop.position.stack].reverse().map((f) => this.frameInfo(r, f)),
      finished: r.finished,
      recorded: r.timeline().length,
      edits: r.editList().length,
      generation: training ? training.generation : r.generation,
      ...(training ? { training: training.training() } : {}),
    };
  }

  /** A frame for the wire, with its edit mark and, in a compared run, the divergence of its first output once made. */
  private frameInfo(r: Runner, f: Frame): FrameInfo {
    const base = frameInfo(f);
    const item = f.item;
    const weights = item.kind === 'module' ? Object.values(item.weights) : item.inputs.filter((n) => n && r.weight(n) !== undefined);
    const edited = [...item.outputs, ...weights].some((n) => n && r.isEdited(n));
    const out = item.outputs.find((n) => n);
    const d = r.comparedWith && out ? r.divergence(out) : undefined;
    const health = r.health(f.id);
    return { ...base, ...(edited ? { edited } : {}), ...(d ? { divergence: wireDivergence(d) } : {}), ...(health ? { health } : {}) };
  }

  private scopes(run: string, frameId: number): ScopesInfo {
    const r = this.need(run);
    const s = r.scopes(frameId);
    const frame = r.frame(frameId)!;
    const weightNames = frame.item.kind === 'module' ? frame.item.weights : {};
    const list = (m: ReadonlyMap<string, Tensor>, nameOf: (label: string) => string, side?: 'input' | 'output') =>
      [...m].map(([label, t]) => {
        const name = nameOf(label);
        const layout = side && tensorLayoutIn(frame.item, r.model.format, side, t.shape);
        const sum = { ...summarize(name, label, t), ...layout };
        return r.isEdited(name) ? { ...sum, edited: true } : sum;
      });
    const outputs = list(s.outputs, (l) => l, 'output');
    const divergence = r.comparedWith
      ? outputs.flatMap((o) => {
        const d = r.divergence(o.name);
        return d ? [{ name: o.name, label: o.label, ...wireDivergence(d) }] : [];
      })
      : undefined;
    return {
      inputs: list(s.inputs, (l) => l, 'input'),
      outputs,
      weights: list(s.weights, (l) => weightNames[l] ?? l),
      attrs: Object.fromEntries(Object.entries(s.attrs).map(([k, v]) => [k, formatAttr(v)])),
      ...(divergence ? { divergence } : {}),
    };
  }

  private evaluate(run: string, expression: string, frameId?: number): EvalResult {
    const r = this.need(run);
    const v = r.evaluate(expression, frameId);
    if (v instanceof Tensor) {
      const name = r.keepResult(v);
      return { text: formatSummary(v), tensor: summarize(name, expression, v) };
    }
    return { text: r.formatValue(v) };
  }
}

/** The call and return events of a module tree with no control flow: two per item. */
function countEvents(item: Item): number {
  return 2 + (item.kind === 'module' ? item.body.reduce((n, c) => n + countEvents(c), 0) : 0);
}

/** Opens a model file of any registered format, within the default memory limits: for the service and the CLI. */
export function loadModel(source: ModelSource): Promise<Model> {
  return openModel(source, DEFAULT_LOAD_OPTIONS);
}

/** Calls an {@link EngineService} in the same thread, for one run: for tests and the CLI. */
export class InProcessEngineClient implements EngineClient {
  constructor(private readonly service: EngineService, private readonly run: string = DEFAULT_RUN) {}
  request<M extends EngineMethod>(method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']> {
    return this.service.handle(method, params, this.run);
  }
  onEvent(listener: (e: EngineEvent) => void): { dispose(): void } {
    return this.service.onEvent((e, run) => {
      if (run === this.run) listener(e);
    });
  }
  dispose(): void {}
}

/** A sampled grid of `t` and, when the grid covers all of it, the histogram of all its values. */
export async function grid(t: Tensor, spec: GridSpec): Promise<TensorGrid> {
  const data = t.data;
  const read = async (start: number, count: number) => data.subarray(start, start + count);
  const g = await readGrid(read, spec, t.size);
  // The histogram of all the values, when the grid is all of them (read in place, in any order of axes).
  if (spec.offset !== 0 || spec.maps * spec.rows * spec.cols !== t.size || gridSpan(spec) !== t.size || t.size > 16 * FULL_READ_LIMIT) return g;
  return { ...g, histogram: histogramOf(t) };
}

/** The histogram the panel draws beside a tensor: over its finite range, integer bins for small integer ranges. */
export function histogramOf(t: Tensor): HistogramCounts {
  const stats = statsOf(t);
  const min = Number(stats.min);
  const max = Number(stats.max);
  return histogram(t.data, planBins(min, max, t.size, t.dtype !== 'float32'));
}

export function summarize(name: string, label: string, t: Tensor): TensorSummary {
  const stats = statsOf(t);
  return { name, label, dtype: t.dtype, shape: t.shape, stats, summary: formatSummary(t, stats) };
}

export function frameInfo(f: Frame): FrameInfo {
  const item = f.item;
  return {
    id: f.id,
    itemId: item.id,
    name: item.name,
    kind: item.kind,
    type: item.kind === 'module' ? item.type : item.op,
    depth: f.depth,
    parentId: f.parentId,
    source: item.source,
  };
}

/** A comparison for the wire: NaN (no element pairs up) as null. */
export function wireDivergence(d: Comparison): Divergence {
  const n = (x: number): number | null => (Number.isNaN(x) ? null : x);
  return { maxAbs: n(d.maxAbs), maxRel: n(d.maxRel), cosine: n(d.cosine), diverged: d.diverged };
}

function formatAttr(v: unknown): string {
  if (v instanceof Tensor) return formatSummary(v);
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The static outline of a model: modules, nodes, weights and parameter counts. A module lists the weights it
 * declares; an op lists the weights it reads (directly or through identity/cast ops) that no enclosing module
 * declares, so a weight of a graph without modules shows at its op. Parameters are counted by
 * src/model/weightUse.ts, as `layerstep inspect` counts them.
 */
export function outline(model: Model): ModelOutline {
  let events = 0;
  const describe = (role: string, name: string): WeightOutline[] => {
    const t = model.weights.get(name);
    if (t) return [{ role, name, dtype: t.dtype, shape: t.shape, summary: formatSummary(t) }];
    // A weight still in its file: dtype and shape only, so an outline reads no weight data.
    const p = model.pendingWeights?.get(name);
    return p ? [{ role, name, dtype: p.dtype, shape: p.shape, summary: `${p.dtype}[${p.shape.join(',')}] (not read yet)` }] : [];
  };
  const visit = (item: Item, declared: ReadonlySet<string>): OutlineNode => {
    events += 2;
    const shape = model.shapes?.get(item.outputs[item.outputs.length - 1] ?? '');
    const params = paramsOf(model, item);
    if (item.kind === 'node') {
      const weights = nodeWeights(model, item).filter(([, w]) => !declared.has(w)).flatMap(([read, w]) => describe(read, w));
      return { id: item.id, name: item.name, kind: 'node', type: item.op, source: item.source, params, weights, outputShape: shape, children: [] };
    }
    const weights = Object.entries(item.weights).flatMap(([role, name]) => describe(role, name));
    const inner = new Set([...declared, ...Object.values(item.weights)]);
    // Control flow shows its branches or loop body: they run as copies made when the run reaches them.
    const children = [...item.body, ...templatesOf(item).map((t) => t.module)].map((c) => visit(c, inner));
    return { id: item.id, name: item.name, kind: 'module', type: item.type, source: item.source, params, weights, outputShape: shape, children };
  };
  const root = visit(model.root as ModuleDef, new Set());
  return {
    name: model.name,
    format: model.format,
    file: model.file,
    inputs: model.inputs,
    outputs: model.outputs,
    labels: model.labels,
    examples: model.examples.map((e) => e.name),
    params: root.params,
    root,
    totalEvents: events,
    metadata: model.metadata,
    ...(hasOpenSizes(model) ? { suggestedShapes: Object.fromEntries(suggestShapes(model)) } : {}),
  };
}

export type { WireError };
