import { formatNumber } from '../engine/stats';
import type { TensorStats } from '../engine/stats';
import type { DType, Tensor } from '../engine/tensor';
import type { Item, NodeDef } from '../model/ir';
import type { FrameHealth } from '../protocol/engine';
import { percent } from '../protocol/healthBadge';
import { RunnerError } from './errors';
import { activationOf, frameHealth, maxAbsOf } from './health';
import type { ActivationKind } from './health';
import type { Frame, HealthFilter } from './types';

/** What health reads of a run's values; the runner's value store answers. */
export interface HealthSource {
  /** Statistics and dtype of a produced value, weight or model input; undefined when unknown or stale. */
  info(name: string): { readonly stats: TensorStats; readonly dtype: DType } | undefined;
  /** Is a produced value stale (an edit upstream changed it and it is not recomputed yet)? */
  isStale(name: string): boolean;
  /** A value's data: when `recompute` is false, only data at hand (not evicted, not stale). */
  tensor(name: string, recompute: boolean): Tensor | undefined;
  isWeight(name: string): boolean;
  /** The node that produces a value. */
  producer(name: string): NodeDef | undefined;
  /** Whether a node's 4-D outputs keep their channels last (NHWC). */
  channelsLast(node: NodeDef): boolean;
}

/** The thresholds of the health exception filters. */
export interface HealthThresholds {
  /** Share 0..1 of dead units above which `deadUnits` stops. */
  readonly deadUnits: number;
  /** Largest |output| above which `magnitude` stops. */
  readonly magnitude: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = { deadUnits: 0.5, magnitude: 1e4 };

/**
 * The filters' conditions as typed in BREAKPOINTS: a percentage (`50`, `50%`, `12.5`) for dead units, a positive
 * number (`1e4`, `250`) for the magnitude. Empty ones take the defaults; a bad one is one sentence.
 */
export function parseHealthThresholds(given: { readonly deadUnits?: string; readonly magnitude?: string } = {}): HealthThresholds {
  const dead = given.deadUnits?.trim().replace(/%$/, '').trim();
  const mag = given.magnitude?.trim();
  let deadUnits = DEFAULT_HEALTH_THRESHOLDS.deadUnits;
  let magnitude = DEFAULT_HEALTH_THRESHOLDS.magnitude;
  if (dead) {
    const n = /^[0-9.eE+]+$/.test(dead) ? Number(dead) : NaN;
    if (!(n >= 0 && n < 100)) throw new RunnerError(`the Dead units condition '${given.deadUnits}' must be a percentage from 0 to below 100 (e.g. 50).`);
    deadUnits = n / 100;
  }
  if (mag) {
    const n = /^[0-9.eE+]+$/.test(mag) ? Number(mag) : NaN;
    if (!(n > 0 && Number.isFinite(n))) throw new RunnerError(`the Activation magnitude condition '${given.magnitude}' must be a number above 0 (e.g. 1e4).`);
    magnitude = n;
  }
  return { deadUnits, magnitude };
}

/**
 * The health of a run's frames, computed when asked and kept per frame (a pass of the run has its own watch: an
 * edit makes a new pass, so health from before an edit is never shown). A frame whose outputs an edit made stale
 * has no health until they are recomputed. Counting dead or saturated units reads a value's data once; a value
 * the memory budget evicted is recomputed for it only when `full` health is asked for (the summary), never for a
 * badge.
 */
export class HealthWatch {
  private readonly made = new Map<number, { health: FrameHealth; full: boolean }>();

  constructor(private readonly source: HealthSource) {}

  /** The health of a returned frame; undefined while an output is missing or stale (unless `full`: recomputed). */
  health(frame: Frame, full = false): FrameHealth | undefined {
    const kept = this.made.get(frame.id);
    if (kept && (kept.full || !full)) return kept.health;
    const item = frame.item;
    const outs = item.outputs.filter((n) => n !== '');
    if (!full && outs.some((n) => this.source.isStale(n))) return undefined;
    const activation = this.activation(item);
    const outputs = [];
    for (const [i, name] of outs.entries()) {
      const tensor = i === 0 && activation ? this.source.tensor(name, full) : undefined;
      const info = this.source.info(name);
      if (!info) return undefined;
      outputs.push({ stats: info.stats, tensor });
    }
    const input = item.inputs.map((n) => (n ? this.source.info(n) : undefined)).find((x) => x?.dtype === 'float32');
    const node = activation ? this.activationNode(item) : undefined;
    const health = frameHealth(outputs, input?.stats, activation?.kind, node ? this.source.channelsLast(node) : false);
    const complete = !activation || outputs[0]?.tensor !== undefined;
    this.made.set(frame.id, { health, full: complete });
    return health;
  }

  /**
   * At a node's return with health filters on: why to stop, or undefined. Dead units: a relu-like op that leaves
   * more than the threshold of its units dead. Magnitude: an op whose output goes above the bound (or holds an
   * infinity) while none of its inputs that are not weights does: where large values start, not every op after.
   */
  check(frame: Frame, filters: ReadonlySet<HealthFilter>, t: HealthThresholds): { filter: HealthFilter; message: string } | undefined {
    const node = frame.item;
    if (node.kind !== 'node') return undefined;
    if (filters.has('deadUnits') && activationOf(node.op, node.attrs) === 'relu') {
      const h = this.health(frame);
      if (h?.dead !== undefined && h.dead > t.deadUnits) {
        return {
          filter: 'deadUnits',
          message: `op ${node.op} (${node.id}) left ${percent(h.dead)} of its ${h.units} units dead (above ${percent(t.deadUnits)})`,
        };
      }
    }
    if (filters.has('magnitude')) {
      const h = this.health(frame);
      const over = (s: TensorStats): boolean => s.posInf + s.negInf > 0 || maxAbsOf(s) > t.magnitude;
      if (h && (h.inf > 0 || (h.maxAbs ?? 0) > t.magnitude)) {
        const fed = node.inputs.some((n) => {
          if (!n || this.source.isWeight(n)) return false;
          const info = this.source.info(n);
          return info !== undefined && over(info.stats);
        });
        if (!fed) {
          const what = h.inf > 0 ? `an infinity (Inf×${formatNumber(h.inf)})` : `max |x| = ${formatNumber(h.maxAbs as number)}`;
          return { filter: 'magnitude', message: `op ${node.op} (${node.id}) produced ${what}, above ${formatNumber(t.magnitude)}, from inputs within it` };
        }
      }
    }
    return undefined;
  }

  /** The activation a frame's units are judged by: its op's, or for a module that of the op making its first output. */
  private activation(item: Item): { kind: ActivationKind } | undefined {
    const node = this.activationNode(item);
    const kind = node && activationOf(node.op, node.attrs);
    return kind ? { kind } : undefined;
  }

  private activationNode(item: Item): NodeDef | undefined {
    if (item.kind === 'node') return item;
    const out = item.outputs.find((n) => n !== '');
    return out ? this.source.producer(out) : undefined;
  }
}
