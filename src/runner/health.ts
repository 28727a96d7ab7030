import type { TensorStats } from '../engine/stats';
import type { Tensor } from '../engine/tensor';
import type { FrameHealth } from '../protocol/engine';

/**
 * Tensor health: how a frame's outputs look to someone hunting a training or export problem. Pure arithmetic
 * over one value at a time; src/runner/healthWatch.ts decides which values, caches, and stops on thresholds.
 *
 * - NaN and Inf: counted over every output (from the statistics recording already took: no pass of its own).
 * - Dead units, for a relu-like output (`relu`, and `clip` with a lower bound of exactly 0, which covers relu6): a
 *   unit is one channel or feature (see {@link unitAxis}); it is dead when it is exactly 0 at every position of
 *   every batch item. `zeros` is the share of zero elements, from the statistics.
 * - Saturated units, for a sigmoid output (`sigmoid`, `hardSigmoid`: y < 0.01 or y > 0.99) and a tanh output
 *   (|y| > 0.99): a unit is saturated when it is so at every position of every batch item; `saturatedElements`
 *   is the share of saturated elements.
 * - Scale: rms(output) / rms(first float input), both over finite values, from the statistics.
 *
 * A module's activation is that of the op that produces its first output (a dense layer with `relu` is
 * relu-like; a block ending in `add` is not).
 */

export type ActivationKind = 'relu' | 'sigmoid' | 'tanh';

/** Sigmoid outputs below this, or above 1 minus this, are saturated. */
export const SIGMOID_SATURATION = 0.01;
/** Tanh outputs with |y| above this are saturated. */
export const TANH_SATURATION = 0.99;

/** The activation an op applies, when health looks at its units; attributes decide for `clip`. */
export function activationOf(op: string, attrs: Readonly<Record<string, unknown>> = {}): ActivationKind | undefined {
  switch (op) {
    case 'relu': return 'relu';
    case 'clip': return attrs.min === 0 ? 'relu' : undefined;
    case 'sigmoid':
    case 'hardSigmoid': return 'sigmoid';
    case 'tanh': return 'tanh';
    default: return undefined;
  }
}

/**
 * The axis whose entries are a tensor's units: the last axis of a vector batch `[N, F]` and of a sequence
 * `[N, T, F]`; of a 4-D or 5-D activation, axis 1 (NCHW) unless `channelsLast` (NHWC, the last axis). A scalar
 * or a vector is one unit per element (axis 0).
 */
export function unitAxis(shape: readonly number[], channelsLast: boolean): number {
  if (shape.length <= 1) return 0;
  if (shape.length <= 3) return shape.length - 1;
  return channelsLast ? shape.length - 1 : 1;
}

/**
 * Per unit along `axis`: does `alive(v)` hold for some element? Returns how many units never do. One pass, no
 * copy: the data is read where it is, as blocks of `inner` elements per unit.
 */
export function unitsNever(t: Tensor, axis: number, alive: (v: number) => boolean): { units: number; never: number } {
  const shape = t.shape;
  const units = shape.length ? shape[axis] : 1;
  let inner = 1;
  for (let a = axis + 1; a < shape.length; a++) inner *= shape[a];
  const outer = units && inner ? t.size / (units * inner) : 0;
  const seen = new Uint8Array(units);
  const d = t.data as ArrayLike<number>;
  let found = 0;
  for (let o = 0, i = 0; o < outer && found < units; o++) {
    for (let u = 0; u < units; u++, i += inner) {
      if (seen[u]) continue;
      for (let k = i, end = i + inner; k < end; k++) {
        if (alive(d[k])) {
          seen[u] = 1;
          found++;
          break;
        }
      }
    }
  }
  return { units, never: units - found };
}

/** Share of dead units of a relu-like output: units that are exactly 0 everywhere. */
export function deadUnits(t: Tensor, axis: number): { units: number; dead: number } {
  const { units, never } = unitsNever(t, axis, (v) => v !== 0);
  return { units, dead: units ? never / units : 0 };
}

const saturatedTest = (kind: 'sigmoid' | 'tanh'): ((v: number) => boolean) => (kind === 'sigmoid'
  ? (v) => v < SIGMOID_SATURATION || v > 1 - SIGMOID_SATURATION
  : (v) => v > TANH_SATURATION || v < -TANH_SATURATION);

/** Shares of saturated units (saturated everywhere) and of saturated elements of a sigmoid or tanh output. */
export function saturation(t: Tensor, axis: number, kind: 'sigmoid' | 'tanh'): { units: number; saturated: number; elements: number } {
  const sat = saturatedTest(kind);
  // A unit is "alive" (not saturated) when one of its elements is not saturated; NaN is neither.
  const { units, never } = unitsNever(t, axis, (v) => !sat(v) && v === v);
  const d = t.data as ArrayLike<number>;
  let n = 0;
  for (let i = 0; i < d.length; i++) n += Number(sat(d[i]));
  return { units, saturated: units ? never / units : 0, elements: t.size ? n / t.size : 0 };
}

/** Root mean square of the finite values, from their statistics (σ² + μ²); NaN when there are none. */
export function rmsOf(s: TensorStats): number {
  return Math.sqrt(s.std * s.std + s.mean * s.mean);
}

/** Largest |finite value| (infinities are counted apart), NaN when no value is finite. */
export function maxAbsOf(s: TensorStats): number {
  return Math.max(Math.abs(s.min), Math.abs(s.max));
}

/** What health is made of for one value: its statistics, and its data when units are to be counted. */
export interface HealthInput {
  readonly stats: TensorStats;
  readonly tensor?: Tensor;
}

/**
 * The health of a frame: `outputs` in order (the first one's units are counted, when `activation` says how),
 * `input` the statistics of its first float input (for the scale). `tensor` of the first output is needed only
 * when `activation` is given.
 */
export function frameHealth(outputs: readonly HealthInput[], input: TensorStats | undefined, activation: ActivationKind | undefined, channelsLast: boolean): FrameHealth {
  let nan = 0;
  let inf = 0;
  let maxAbs = 0;
  let finite = false;
  for (const o of outputs) {
    nan += o.stats.nan;
    inf += o.stats.posInf + o.stats.negInf;
    const m = maxAbsOf(o.stats);
    if (!Number.isNaN(m)) {
      finite = true;
      maxAbs = Math.max(maxAbs, m);
    }
  }
  const first = outputs[0];
  const health: { -readonly [K in keyof FrameHealth]: FrameHealth[K] } = { nan, inf, maxAbs: finite ? maxAbs : null };
  if (first && input) {
    const inRms = rmsOf(input);
    const outRms = rmsOf(first.stats);
    if (inRms > 0 && Number.isFinite(outRms)) health.scale = outRms / inRms;
  }
  const t = first?.tensor;
  if (activation && t && t.size > 0 && t.dtype === 'float32') {
    const axis = unitAxis(t.shape, channelsLast);
    health.activation = activation;
    if (activation === 'relu') {
      const d = deadUnits(t, axis);
      health.units = d.units;
      health.dead = d.dead;
      health.zeros = first.stats.zeros;
    } else {
      const s = saturation(t, axis, activation);
      health.units = s.units;
      health.saturated = s.saturated;
      health.saturatedElements = s.elements;
    }
  }
  return health;
}

/** Formats whose layers hand activations on channels-last (Keras' default, and TensorFlow's graphs). */
const CHANNELS_LAST_FORMATS: ReadonlySet<string> = new Set(['keras', 'tfjs-layers', 'tfjs-graph']);
/** Ops that run channels-first even inside a channels-last model (between its `to_nchw` and `to_nhwc` transposes). */
const CHANNELS_FIRST_OPS: ReadonlySet<string> = new Set(['conv', 'convTranspose', 'maxPool', 'averagePool', 'globalAveragePool', 'globalMaxPool']);

/** Whether an op's 4-D output in a model of `format` keeps its channels last. */
export function channelsLastAt(format: string, op: string): boolean {
  return CHANNELS_LAST_FORMATS.has(format) && !CHANNELS_FIRST_OPS.has(op);
}
