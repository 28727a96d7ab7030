import { formatSummary, tensorStats } from '../engine/stats';
import { Tensor } from '../engine/tensor';
import { openModel } from '../loaders/registry';
import type { ModelSource } from '../loaders/types';
import { DEFAULT_LOAD_OPTIONS } from '../loaders/types';
import type { Item, Model, ModuleDef } from '../model/ir';
import { loadPendingWeights } from '../model/lazyWeights';
import type {
  EngineClient, EngineEvent, EngineMethod, EngineRequests, EvalResult, FrameInfo, InputSpec, ModelOutline,
  OutlineNode, ScopesInfo, StopInfo, TensorSummary, WireError,
} from '../protocol/engine';
import { Runner } from '../runner/runner';
import type { Frame, StopEvent } from '../runner/types';
import { toWireError } from './wireError';
import { resolveInputs } from './inputs';

/** What the service needs from the outside world: files, read through ports so the service stays pure. */
export interface EnginePorts {
  /** The model file at `path` as a source that can read its siblings. */
  openSource(path: string): ModelSource;
  /** Bytes of an input tensor file. */
  readFile(path: string): Promise<Uint8Array>;
}

type Handlers = { [M in EngineMethod]: (params: EngineRequests[M]['params']) => Promise<EngineRequests[M]['result']> };

/**
 * The engine service: one model and one runner, answering {@link EngineRequests}. It runs wherever its caller
 * puts it; the extension puts it in a worker thread, tests call it in process through {@link InProcessEngineClient}.
 */
export class EngineService {
  private model?: Model;
  private runner?: Runner;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly handlers: Handlers;

  constructor(private readonly ports: EnginePorts) {
    this.handlers = {
      open: (p) => this.open(p.path, p.input, p.memoryBudgetBytes),
      setLineBreakpoints: async (p) => this.need().setLineBreakpoints([...p.breakpoints]),
      setNameBreakpoints: async (p) => this.need().setNameBreakpoints([...p.breakpoints]),
      setExceptionFilters: async (p) => this.need().setExceptionFilters([...p.filters]),
      position: async () => this.stopInfo({ reason: 'entry', position: this.need().position }),
      step: async (p) => {
        const r = this.need();
        const moves = {
          in: () => r.stepIn(), over: () => r.stepOver(), out: () => r.stepOut(), continue: () => r.continue(),
          back: () => r.stepBack(), reverseContinue: () => r.reverseContinue(),
        } as const;
        return this.stopInfo(await moves[p.kind]());
      },
      restartFrame: async (p) => this.stopInfo(await this.need().restartFrame(p.frameId)),
      goto: async (p) => this.stopInfo(await this.need().goto(p.index)),
      runTo: async (p) => this.stopInfo(await this.need().runTo(p.name)),
      pause: async () => this.need().pause(),
      scopes: async (p) => {
        await this.weightsRead();
        return this.scopes(p.frameId);
      },
      tensor: async (p) => {
        await this.weightsRead();
        const t = this.need().value(p.name);
        const start = Math.max(0, Math.min(p.start, t.size));
        const end = Math.min(t.size, start + Math.max(0, p.count));
        return { name: p.name, shape: t.shape, dtype: t.dtype, start, values: t.data.slice(start, end) };
      },
      evaluate: async (p) => {
        await this.weightsRead();
        return this.evaluate(p.expression, p.frameId);
      },
      timeline: async (p) => {
        const r = this.need();
        const events = r.timeline().slice(p.from);
        const ids = new Set(events.map((e) => e.frameId));
        const frames = [...ids].map((id) => frameInfo(r.frame(id)!));
        return { events, frames };
      },
      close: async () => {
        // A forward move still running stops at its next event, and later moves reject.
        this.runner?.dispose();
        this.runner = undefined;
        this.model = undefined;
      },
    };
  }

  /** Answers one request; a failure rejects with a {@link WireError}. */
  async handle<M extends EngineMethod>(method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']> {
    try {
      return await (this.handlers[method] as (p: unknown) => Promise<EngineRequests[M]['result']>)(params);
    } catch (e) {
      throw toWireError(e);
    }
  }

  onEvent(listener: (e: EngineEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  private need(): Runner {
    if (!this.runner) throw Object.assign(new Error('No model is open.'), { kind: 'internal' });
    return this.runner;
  }

  /** Reads the weights the loader left in their files (a no-op once read), so scopes and values can show them. */
  private async weightsRead(): Promise<void> {
    this.need();
    if (this.model) await loadPendingWeights(this.model);
  }

  private async open(path: string, input: InputSpec, memoryBudgetBytes?: number): Promise<ModelOutline> {
    const source = this.ports.openSource(path);
    const model = await openModel(source, DEFAULT_LOAD_OPTIONS);
    const inputs = await resolveInputs(model, input, this.ports.readFile);
    this.model = model;
    this.runner = new Runner(model, inputs, {
      memoryBudgetBytes,
      onOutput: (text, src) => this.emit({ type: 'output', text, source: src }),
      onProgress: (done, total) => this.emit({ type: 'progress', done, total }),
    });
    return outline(model);
  }

  private stopInfo(stop: StopEvent): StopInfo {
    const r = this.need();
    return {
      reason: stop.reason,
      description: stop.description,
      breakpointIds: stop.breakpointIds,
      exception: stop.exception,
      index: stop.position.index,
      point: stop.position.point,
      stack: [...stop.position.stack].reverse().map(frameInfo),
      finished: r.finished,
      recorded: r.timeline().length,
    };
  }

  private scopes(frameId: number): ScopesInfo {
    const s = this.need().scopes(frameId);
    const frame = this.need().frame(frameId)!;
    const weightNames = frame.item.kind === 'module' ? frame.item.weights : {};
    const list = (m: ReadonlyMap<string, Tensor>, nameOf: (label: string) => string) =>
      [...m].map(([label, t]) => summarize(nameOf(label), label, t));
    return {
      inputs: list(s.inputs, (l) => l),
      outputs: list(s.outputs, (l) => l),
      weights: list(s.weights, (l) => weightNames[l] ?? l),
      attrs: Object.fromEntries(Object.entries(s.attrs).map(([k, v]) => [k, formatAttr(v)])),
    };
  }

  private evaluate(expression: string, frameId?: number): EvalResult {
    const r = this.need();
    const v = r.evaluate(expression, frameId);
    if (v instanceof Tensor) {
      const name = r.keepResult(v);
      return { text: formatSummary(v), tensor: summarize(name, expression, v) };
    }
    return { text: r.formatValue(v) };
  }
}

/** Calls an {@link EngineService} in the same thread: for tests and the CLI. */
export class InProcessEngineClient implements EngineClient {
  constructor(private readonly service: EngineService) {}
  request<M extends EngineMethod>(method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']> {
    return this.service.handle(method, params);
  }
  onEvent(listener: (e: EngineEvent) => void): { dispose(): void } {
    return this.service.onEvent(listener);
  }
  dispose(): void {}
}

export function summarize(name: string, label: string, t: Tensor): TensorSummary {
  const stats = tensorStats(t);
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

function formatAttr(v: unknown): string {
  if (v instanceof Tensor) return formatSummary(v);
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The static outline of a model: modules, nodes, weights and parameter counts. */
export function outline(model: Model): ModelOutline {
  let events = 0;
  const visit = (item: Item): OutlineNode => {
    events += 2;
    const shape = model.shapes?.get(item.outputs[item.outputs.length - 1] ?? '');
    if (item.kind === 'node') {
      return { id: item.id, name: item.name, kind: 'node', type: item.op, source: item.source, params: 0, weights: [], outputShape: shape, children: [] };
    }
    const children = item.body.map(visit);
    const weights = Object.entries(item.weights).flatMap(([role, name]) => {
      const t = model.weights.get(name);
      if (t) return [{ role, name, dtype: t.dtype, shape: t.shape, summary: formatSummary(t) }];
      // A weight still in its file: dtype and shape only, so an outline reads no weight data.
      const p = model.pendingWeights?.get(name);
      return p ? [{ role, name, dtype: p.dtype, shape: p.shape, summary: `${p.dtype}[${p.shape.join(',')}] (not read yet)` }] : [];
    });
    const own = weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    const params = own + children.reduce((n, c) => n + c.params, 0);
    return { id: item.id, name: item.name, kind: 'module', type: item.type, source: item.source, params, weights, outputShape: shape, children };
  };
  const root = visit(model.root as ModuleDef);
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
  };
}

export type { WireError };
