import * as vscode from 'vscode';
import { formatSummary, tensorStats } from '../engine/stats';
import type { DType } from '../engine/tensor';
import { Tensor } from '../engine/tensor';
import type { OutlineNode, WireError } from '../protocol/engine';
import type {
  ParamsOf, ResultOf, ShownWeight, Snapshot, TensorSource, WebviewMethod,
} from '../protocol/webview';
import { encodeNumber } from '../protocol/webview';
import { toggleItemBreakpoint } from './breakpoints';
import type { ModelService } from './modelService';
import type { SessionTracker } from './sessions';
import type { ReadValues } from './tensorGrid';
import { FULL_READ_LIMIT, readGrid, readSpan, toNumbers } from './tensorGrid';

export type PanelHandlers = { [M in WebviewMethod]: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

export interface PanelDeps {
  readonly tracker: SessionTracker;
  readonly models: ModelService;
  snapshot(): Snapshot;
  closeWeight(): void;
}

/** An error the webview shows as it is. */
function fail(message: string, kind: WireError['kind'] = 'internal'): WireError {
  return { kind, message };
}

/**
 * Reads tensors for the panel from the session's engine (through the debug adapter, so the panel and VS Code
 * see the same position) or from the model loaded outside a session.
 */
export class TensorReaders {
  /** Element counts by source and name: asked once per tensor (a count-0 read), since a name's shape never changes. */
  private readonly sizes = new Map<string, number>();

  constructor(private readonly tracker: SessionTracker, private readonly models: ModelService) {}

  forget(): void {
    this.sizes.clear();
  }

  /** Notes the sizes of tensors the host has just described (a frame's scopes), so reading them needs no probe. */
  learn(source: TensorSource, tensors: readonly { name: string; shape: readonly number[] }[]): void {
    for (const t of tensors) this.sizes.set(this.key(source, t.name), t.shape.reduce((a, b) => a * b, 1));
  }

  private key(source: TensorSource, name: string): string {
    return `${source.kind === 'session' ? source.sessionId : ''}|${name}`;
  }

  reader(source: TensorSource, name: string): ReadValues {
    return async (start, count) => toNumbers((await this.values(source, name, start, count)).values);
  }

  async size(source: TensorSource, name: string): Promise<number> {
    const key = this.key(source, name);
    const known = this.sizes.get(key);
    if (known !== undefined) return known;
    const head = await this.values(source, name, 0, 0);
    const n = head.shape.reduce((a, b) => a * b, 1);
    this.sizes.set(key, n);
    return n;
  }

  /** Shape, dtype and (for tensors small enough to read whole) the values of a tensor. */
  async values(source: TensorSource, name: string, start: number, count: number) {
    if (source.kind === 'model') return this.models.tensor({ name, start, count });
    if (this.tracker.current?.session.id !== source.sessionId) throw fail('That Layerstep session has ended.');
    return this.tracker.request('tensor', { name, start, count });
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
      const scopes = await tracker.request('scopes', { frameId: p.frameId });
      readers.learn({ kind: 'session', sessionId: p.sessionId }, [...scopes.inputs, ...scopes.outputs, ...scopes.weights]);
      return scopes;
    },
    grid: async (p) => {
      const size = await readers.size(p.ref.source, p.ref.name);
      return readGrid(readers.reader(p.ref.source, p.ref.name), p, size);
    },
    element: async (p) => {
      const v = toNumbers((await readers.values(p.ref.source, p.ref.name, p.index, 1)).values);
      if (v.length !== 1) throw fail(`'${p.ref.name}' has no element ${p.index}.`);
      return { value: encodeNumber(v[0]) };
    },
    step: async (p) => {
      const cur = session(p.sessionId);
      if (cur.running) throw fail('The session is running; wait for it to stop.');
      await tracker.step(p.kind);
    },
    goto: async (p) => {
      const cur = session(p.sessionId);
      if (cur.running) throw fail('The session is running; wait for it to stop.');
      await tracker.goto(p.index);
    },
    closeWeight: async () => deps.closeWeight(),
    toggleBreakpoint: async (p) => {
      const cur = session(p.sessionId);
      const uri = cur.modelPath ? vscode.Uri.file(cur.modelPath) : undefined;
      return { enabled: toggleItemBreakpoint({ id: p.itemId, name: p.name, line: p.line }, uri) };
    },
  };
}

/**
 * What the panel shows for a weight: the summary from the session's outline when it has one, else exact
 * statistics computed here when the weight is small enough to read whole.
 */
export async function describeWeight(readers: TensorReaders, source: TensorSource, name: string, role: string, root?: OutlineNode): Promise<ShownWeight> {
  const head = await readers.values(source, name, 0, 0);
  const shape = [...head.shape];
  const size = shape.reduce((a, b) => a * b, 1);
  const known = root && findWeight(root, name);
  if (known) return { ref: { source, name }, role, dtype: head.dtype, shape, summary: known.summary };
  if (size > FULL_READ_LIMIT) {
    return { ref: { source, name }, role, dtype: head.dtype, shape, summary: `${head.dtype}[${shape.join(',')}]` };
  }
  const values = await readSpan(readers.reader(source, name), 0, size);
  const t = new Tensor(head.dtype, shape, asDType(head.dtype, values));
  const stats = tensorStats(t);
  return { ref: { source, name }, role, dtype: head.dtype, shape, summary: formatSummary(t, stats), stats };
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

function asDType(dtype: DType, v: Float64Array): Float32Array | Int32Array | Float64Array | Uint8Array {
  switch (dtype) {
    case 'float32': return Float32Array.from(v);
    case 'int32': return Int32Array.from(v);
    case 'bool': return Uint8Array.from(v);
    default: return v;
  }
}
