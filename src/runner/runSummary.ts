import type { DType } from '../engine/tensor';
import type { Item, Model, NodeDef } from '../model/ir';
import { weightInfo } from '../model/lazyWeights';
import { countParams, usedWeights } from '../model/weightUse';
import type { FrameHealth, RunSummary, SummaryRow } from '../protocol/engine';
import type { Frame } from './types';

/**
 * The summary of a run, torchinfo-like but taken from the run itself: a row per module and op call, in call
 * order, with the output shape the run made, parameters, FLOPs, the time its ops took, the bytes it produced and
 * its health. Pure: it reads a runner through {@link SummarySource}.
 *
 * FLOPs count a multiply-add as 2 and are estimated from the run's shapes:
 * - matmul, tfMatMul: 2·K per output element (K the inner size); gemm the same, plus 1 per element for C;
 * - conv: 2·(weight elements / output channels) per output element, plus 1 per element for a bias;
 *   convTranspose: 2·(weight elements / input channels) per input element;
 * - rnn, gru, lstm: 2·(W and R elements) per time step and batch item;
 * - pools, reductions, softmax and normalizations: 1 per input element;
 * - ops that only move, reshape or pick data (reshape, transpose, concat, gather, slice, cast, …): 0;
 * - every other op (elementwise, activations): 1 per output element.
 * A module's FLOPs, time and bytes are the sums over its ops.
 */

/** What the summary reads of a run. */
export interface SummarySource {
  readonly model: Model;
  /** Timeline events: frame ids and call/return, in order. */
  timeline(): readonly { readonly point: 'call' | 'return'; readonly frameId: number }[];
  /** Where the run stands. */
  readonly position: { readonly index: number; readonly frame: Frame };
  frame(id: number): Frame | undefined;
  frameSpan(id: number): { readonly callIndex: number; readonly returnIndex?: number } | undefined;
  nodeTime(frameId: number): number | undefined;
  health(frameId: number, full?: boolean): FrameHealth | undefined;
  valueInfo(name: string): { readonly dtype: string; readonly shape: readonly number[]; readonly bytes: number } | undefined;
  failedFrame(): Frame | undefined;
  readonly error?: Error;
}

const MOVES_DATA = new Set([
  'reshape', 'flatten', 'squeeze', 'unsqueeze', 'transpose', 'identity', 'shape', 'size', 'cast', 'castLike', 'concat',
  'split', 'slice', 'gather', 'gatherElements', 'gatherND', 'expand', 'tile', 'pad', 'constant', 'constantOfShape',
  'dropout', 'range', 'stack', 'tfPack', 'tfUnpack', 'tfShape', 'depthToSpace', 'spaceToDepth',
]);
const PER_INPUT = /^(maxPool|averagePool|globalAveragePool|globalMaxPool|lpPool|reduce|argMax|argMin|softmax|logSoftmax|layerNormalization|batchNormalization|instanceNormalization|cumSum|topK)/;

const BYTES: Readonly<Record<DType, number>> = { float32: 4, int32: 4, int64: 8, bool: 1 };

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/** FLOPs of one node from the shapes of its inputs and outputs (the rule above); `shape` gives a value's shape. */
export function nodeFlops(node: NodeDef, shape: (name: string) => readonly number[] | undefined): number {
  const ins = node.inputs.map((n) => (n ? shape(n) : undefined));
  const outs = node.outputs.map((n) => (n ? shape(n) : undefined));
  const out = outs[0];
  const outSize = out ? sizeOf(out) : 0;
  const [a, b, c] = ins;
  switch (node.op) {
    case 'matmul':
    case 'tfMatMul': {
      if (!a || !a.length) return 0;
      const k = node.op === 'tfMatMul' && node.attrs.transposeA === true && a.length >= 2 ? a[a.length - 2] : a[a.length - 1];
      return 2 * outSize * k;
    }
    case 'gemm': {
      if (!a || a.length !== 2) return 0;
      const k = node.attrs.transA ? a[0] : a[1];
      return 2 * outSize * k + (c ? outSize : 0);
    }
    case 'conv': {
      if (!b || !b.length || !b[0]) return 0;
      return 2 * outSize * (sizeOf(b) / b[0]) + (c ? outSize : 0);
    }
    case 'convTranspose': {
      if (!a || !b || !b.length || !b[0]) return 0;
      return 2 * sizeOf(a) * (sizeOf(b) / b[0]) + (c ? outSize : 0);
    }
    case 'rnn':
    case 'gru':
    case 'lstm': {
      if (!a || a.length < 2 || !b || !c) return 0;
      return 2 * a[0] * a[1] * (sizeOf(b) + sizeOf(c));
    }
    default:
      if (MOVES_DATA.has(node.op)) return 0;
      if (PER_INPUT.test(node.op)) return a ? sizeOf(a) : 0;
      return outs.reduce((n, s) => n + (s ? sizeOf(s) : 0), 0);
  }
}

/** The summary of the run up to its position: every frame called so far, in call order. */
export function buildRunSummary(run: SummarySource): RunSummary {
  const model = run.model;
  const upTo = run.position.index;
  const failed = run.failedFrame();
  const shape = (n: string): readonly number[] | undefined => run.valueInfo(n)?.shape;
  const rows: SummaryRow[] = [];
  const paths = new Map<number, string>();
  /** Per frame: the sums of its ops so far (flops, ms, bytes), added to every enclosing frame. */
  const sums = new Map<number, { flops: number; ms: number; bytes: number; timed: boolean }>();
  const ancestry = (f: Frame): Frame[] => {
    const out: Frame[] = [];
    for (let p: Frame | undefined = f; p; p = p.parentId === undefined ? undefined : run.frame(p.parentId)) out.push(p);
    return out;
  };
  const events = run.timeline();
  const called: Frame[] = [];
  for (let i = 0; i <= upTo && i < events.length; i++) {
    const e = events[i];
    if (e.point !== 'call') continue;
    const f = run.frame(e.frameId);
    if (!f) continue;
    called.push(f);
    const parentPath = f.parentId === undefined ? undefined : paths.get(f.parentId);
    paths.set(f.id, parentPath === undefined ? f.item.name : `${parentPath}/${f.item.name}`);
    sums.set(f.id, { flops: 0, ms: 0, bytes: 0, timed: false });
  }
  for (const f of called) {
    const item = f.item;
    const span = run.frameSpan(f.id);
    const returned = span?.returnIndex !== undefined && span.returnIndex <= upTo;
    if (item.kind !== 'node' || !returned) continue;
    const flops = nodeFlops(item, shape);
    const ms = run.nodeTime(f.id);
    const bytes = item.outputs.reduce((n, o) => n + (o ? run.valueInfo(o)?.bytes ?? 0 : 0), 0);
    for (const a of ancestry(f)) {
      const s = sums.get(a.id);
      if (!s) continue;
      s.flops += flops;
      s.bytes += bytes;
      if (ms !== undefined) {
        s.ms += ms;
        s.timed = true;
      }
    }
  }
  const weightMemo = new Map<Item, { params: number; bytes: number }>();
  const weightsOf = (item: Item): { params: number; bytes: number } => {
    let w = weightMemo.get(item);
    if (!w) {
      const names = usedWeights(model, item);
      let bytes = 0;
      for (const n of names) {
        const info = weightInfo(model, n);
        if (info) bytes += sizeOf(info.shape) * (BYTES[info.dtype] ?? 4);
      }
      weightMemo.set(item, (w = { params: countParams(model, names), bytes }));
    }
    return w;
  };
  for (const f of called) {
    const item = f.item;
    const span = run.frameSpan(f.id);
    const returned = span?.returnIndex !== undefined && span.returnIndex <= upTo;
    const s = sums.get(f.id) as { flops: number; ms: number; bytes: number; timed: boolean };
    const out = item.outputs.find((o) => o !== '');
    const w = weightsOf(item);
    const isFailed = failed?.id === f.id;
    rows.push({
      frameId: f.id,
      index: returned ? (span.returnIndex as number) : (span?.callIndex ?? 0),
      name: item.name,
      path: paths.get(f.id) ?? item.name,
      depth: f.depth,
      kind: item.kind,
      type: item.kind === 'module' ? item.type : item.op,
      shape: returned && out ? [...(shape(out) ?? [])] : null,
      params: w.params,
      flops: s.flops,
      timeMs: s.timed ? s.ms : null,
      bytes: s.bytes,
      weightBytes: w.bytes,
      health: returned ? run.health(f.id, true) ?? null : null,
      ...(isFailed && run.error ? { error: run.error.message } : {}),
    });
  }
  const root = rows[0];
  const rootItem = called[0]?.item ?? model.root;
  const totalWeights = weightsOf(rootItem);
  const nodeRows = rows.filter((r) => r.kind === 'node');
  return {
    model: model.name,
    rows,
    totals: {
      params: totalWeights.params,
      flops: root?.flops ?? 0,
      timeMs: root?.timeMs ?? 0,
      bytes: root?.bytes ?? 0,
      weightBytes: totalWeights.bytes,
      nan: nodeRows.reduce((n, r) => n + (r.health?.nan ?? 0), 0),
      inf: nodeRows.reduce((n, r) => n + (r.health?.inf ?? 0), 0),
    },
    ...(failed && run.error ? { failed: { name: failed.item.name, message: run.error.message } } : {}),
    current: run.position.frame.id,
  };
}
