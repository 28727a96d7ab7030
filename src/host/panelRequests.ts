import * as vscode from 'vscode';
import { ENGINE_REQUEST } from '../debug/session';
import type { AssignResult, EngineRequests, OutlineNode, TensorGrid, TensorValues, WireError } from '../protocol/engine';
import type { GraphSectionState, GridParams, ParamsOf, ResultOf, ShownWeight, Snapshot, TensorSource, WebviewMethod } from '../protocol/webview';
import { encodeNumber } from '../protocol/webview';
import { toggleItemBreakpoint } from './breakpoints';
import type { Engines } from './engines';
import { saveTensorAs } from './saveTensor';
import { copySummaryMarkdown, saveSummaryCsv } from './summaryExport';
import type { SessionTracker } from './sessions';

export type PanelHandlers = { [M in WebviewMethod]: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

export interface PanelDeps {
  readonly tracker: SessionTracker;
  readonly engines: Engines;
  snapshot(): Snapshot;
  closeWeight(): void;
  /** Keeps the Graph section's layout for the next snapshot. */
  keepGraphSection(state: GraphSectionState): void;
}

/** An error the webview shows as it is. */
function fail(message: string, kind: WireError['kind'] = 'internal'): WireError {
  return { kind, message };
}

/**
 * The engine a tensor lives in: a session's run, or the model loaded outside a session. Values are sampled
 * there (in the engine's worker), so only what the panel draws crosses to the host and the webview.
 */
export class TensorReaders {
  constructor(private readonly tracker: SessionTracker, private readonly engines: Engines) {}

  /** Asks the engine that holds `source`'s tensors. */
  private request<M extends 'tensor' | 'grid' | 'element'>(source: TensorSource, method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']> {
    if (source.kind === 'model') return this.engines.request(source.path, method, params);
    const t = this.tracker.get(source.sessionId);
    if (!t) throw fail('That Layerstep session has ended.');
    return t.client.request(method, params);
  }

  grid(p: GridParams): Promise<TensorGrid> {
    const { ref, ...rest } = p;
    return this.request(ref.source, 'grid', { ...rest, name: ref.name });
  }

  element(source: TensorSource, params: EngineRequests['element']['params']): Promise<{ value: number }> {
    return this.request(source, 'element', params);
  }

  /** Shape and dtype of a tensor (no values). */
  head(source: TensorSource, name: string): Promise<TensorValues> {
    return this.request(source, 'tensor', { name, start: 0, count: 0 });
  }

  /** `count` values of a tensor from element `start` (Save…). */
  values(source: TensorSource, name: string, start: number, count: number): Promise<TensorValues> {
    return this.request(source, 'tensor', { name, start, count });
  }

  /** The model file a tensor belongs to, if known. */
  modelPath(source: TensorSource): string | undefined {
    return source.kind === 'model' ? source.path : this.tracker.get(source.sessionId)?.adapter.model?.path;
  }
}

/** The handlers of every webview request, as a mapped type so a missing one is a compile error. */
export function panelHandlers(deps: PanelDeps, readers: TensorReaders): PanelHandlers {
  const { tracker } = deps;
  const session = (id: string) => {
    const cur = tracker.current;
    if (!cur || cur.session.id !== id) throw fail('That Layerstep session has ended.');
    return cur;
  };
  return {
    ready: async () => deps.snapshot(),
    timeline: async (p) => {
      session(p.sessionId);
      const r = await tracker.request('timeline', { from: p.from });
      return { from: p.from, events: r.events, frames: r.frames };
    },
    scopes: async (p) => {
      session(p.sessionId);
      return tracker.request('scopes', { frameId: p.frameId });
    },
    grid: (p) => readers.grid(p),
    element: async (p) => {
      const { value } = await readers.element(p.ref.source, { name: p.ref.name, index: p.index });
      return { value: encodeNumber(value) };
    },
    step: async (p) => {
      const cur = session(p.sessionId);
      if (cur.running) throw fail('The session is running; wait for it to stop.');
      void tracker.step(p.kind);
    },
    goto: async (p) => {
      const cur = session(p.sessionId);
      if (cur.running) throw fail('The session is running; wait for it to stop.');
      void tracker.goto(p.index);
    },
    assign: async (p) => {
      const cur = session(p.sessionId);
      if (cur.running) throw fail('The session is running; wait for it to stop before editing a value.');
      // Through the debug session, not the engine client: the adapter tells VS Code to refetch what it shows and
      // reports the new stop, which reaches the panel as a `stopped` event.
      try {
        const r = await cur.session.customRequest(ENGINE_REQUEST, { method: 'assign', params: { expression: p.expression, frameId: p.frameId } }) as AssignResult | undefined;
        return { text: r?.text ?? p.expression };
      } catch (e) {
        throw fail(e instanceof Error ? e.message : String(e), 'expression');
      }
    },
    graph: async (p) => {
      session(p.sessionId);
      return tracker.request('graph', {});
    },
    graphValues: async (p) => {
      session(p.sessionId);
      return tracker.request('graphValues', { from: p.from });
    },
    runTo: async (p) => {
      const cur = session(p.sessionId);
      if (cur.running) throw fail('The session is running; wait for it to stop.');
      // Through the debug session, as a click on a frame is: VS Code hears the stop and CALL STACK follows.
      const name = p.itemId.replace(/[\\*?[]/g, (c) => `\\${c}`);
      // Answered at once; a run that cannot get there says why, as a failed step does.
      void Promise.resolve(cur.session.customRequest(ENGINE_REQUEST, { method: 'runTo', params: { name } })).catch((e: unknown) => {
        void vscode.window.showErrorMessage(`Layerstep: ${e instanceof Error ? e.message : String(e)}`);
      });
    },
    graphSection: async (p) => deps.keepGraphSection({ open: !!p.open, height: Number.isFinite(p.height) ? p.height : 0 }),
    closeWeight: async () => deps.closeWeight(),
    toggleBreakpoint: async (p) => {
      const cur = session(p.sessionId);
      const uri = cur.modelPath ? vscode.Uri.file(cur.modelPath) : undefined;
      return { enabled: toggleItemBreakpoint({ id: p.itemId, name: p.name, line: p.line }, uri) };
    },
    summary: async (p) => {
      session(p.sessionId);
      return tracker.request('summary', {});
    },
    exportSummary: async (p) => {
      const cur = session(p.sessionId);
      const summary = await tracker.request('summary', {});
      if (p.format === 'markdown') {
        await copySummaryMarkdown(summary);
        return { done: true };
      }
      // Not awaited: the dialog waits for the user, longer than a request may take; the host shows the outcome.
      void saveSummaryCsv(summary, cur.modelPath);
      return { done: true };
    },
    saveTensor: async (p) => {
      // Not awaited: the dialog waits for the user, longer than a request may take; the host shows the outcome.
      void saveTensorAs({ label: p.label, modelPath: readers.modelPath(p.ref.source), read: (start, count) => readers.values(p.ref.source, p.ref.name, start, count) });
    },
  };
}

/** What the panel shows for a weight: its summary from the model's outline, else its dtype and shape. */
export async function describeWeight(readers: TensorReaders, source: TensorSource, name: string, role: string, root?: OutlineNode): Promise<ShownWeight> {
  const head = await readers.head(source, name);
  const shape = [...head.shape];
  const known = root && findWeight(root, name);
  return { ref: { source, name }, role, dtype: head.dtype, shape, summary: known?.summary ?? `${head.dtype}[${shape.join(',')}]` };
}

function findWeight(node: OutlineNode, name: string): { summary: string } | undefined {
  const own = node.weights.find((w) => w.name === name);
  if (own) return own;
  for (const c of node.children) {
    const found = findWeight(c, name);
    if (found) return found;
  }
  return undefined;
}
