import { EngineError } from '../errors';
import { Tensor } from '../tensor';
import type { TensorData } from '../tensor';
import { fmtShape } from './opArgs';
import { recurrentActivations } from './rnnActivations';
import type { Scalar } from './rnnActivations';

/**
 * ONNX RNN, GRU and LSTM (opset 22; layouts and gate orders as the spec defines them):
 * - X is [seq, batch, input] (layout 0) or [batch, seq, input] (layout 1);
 * - W is [dirs, G·H, input], R is [dirs, G·H, H], B is [dirs, 2·G·H] (input biases, then recurrent ones),
 *   with the G gates stacked in the spec's order: LSTM i, o, f, c; GRU z, r, h; RNN one gate;
 * - outputs Y [seq, dirs, batch, H] (layout 1: [batch, seq, dirs, H]) and Y_h (and Y_c for LSTM)
 *   [dirs, batch, H] (layout 1: [batch, dirs, H]).
 * With `sequence_lens`, batch entry b runs for its own length: steps past it give zeros in Y and the last
 * state is the one at its end; the reverse direction starts at its last valid step. Arithmetic is in doubles.
 */

export type RecurrentKind = 'rnn' | 'gru' | 'lstm';
export type Direction = 'forward' | 'reverse' | 'bidirectional';

export interface RecurrentOptions {
  readonly hiddenSize?: number;
  readonly direction?: Direction;
  /** Activation names, per direction (f, g, h for LSTM; f, g for GRU; f for RNN), the second direction's after the first's. */
  readonly activations?: readonly string[];
  readonly activationAlpha?: readonly number[];
  readonly activationBeta?: readonly number[];
  /** Clips the inputs of the activations to [-clip, clip]. */
  readonly clip?: number;
  readonly layout?: number;
  /** LSTM: couple the input and forget gates (f = 1 − i). */
  readonly inputForget?: boolean;
  /** GRU: apply the reset gate after the recurrent product (as cuDNN and PyTorch do). */
  readonly linearBeforeReset?: boolean;
}

export interface RecurrentInputs {
  readonly X: Tensor;
  readonly W: Tensor;
  readonly R: Tensor;
  readonly B?: Tensor;
  readonly sequenceLens?: Tensor;
  readonly initialH?: Tensor;
  /** LSTM only. */
  readonly initialC?: Tensor;
  /** LSTM peepholes [dirs, 3·H] (i, o, f). */
  readonly P?: Tensor;
}

const GATES: Readonly<Record<RecurrentKind, number>> = { rnn: 1, gru: 3, lstm: 4 };
const DEFAULT_ACTS: Readonly<Record<RecurrentKind, readonly string[]>> = {
  rnn: ['Tanh'], gru: ['Sigmoid', 'Tanh'], lstm: ['Sigmoid', 'Tanh', 'Tanh'],
};

/** Everything a cell needs for one direction: the weights at their offsets and the activations. */
export interface CellContext {
  readonly H: number;
  readonly inSize: number;
  readonly W: TensorData;
  readonly wOff: number;
  readonly R: TensorData;
  readonly rOff: number;
  /** Input biases then recurrent biases (2·G·H), zeros when B is absent. */
  readonly bias: Float64Array;
  readonly peep?: Float64Array;
  readonly acts: readonly Scalar[];
  readonly clip: (v: number) => number;
  readonly opts: RecurrentOptions;
}

/** One time step of one batch entry: reads x, h (and c), writes the next h (and c) in place. */
export type Cell = (ctx: CellContext, x: Float64Array, h: Float64Array, c: Float64Array) => void;

function expectShape(op: string, name: string, t: Tensor | undefined, shape: readonly number[]): void {
  if (t && (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
    throw new EngineError(`input '${name}' must be ${fmtShape(shape)}, got ${fmtShape(t.shape)}`, op);
  }
}

/** Runs the recurrence with `cell`; returns [Y, Y_h] (and Y_c for LSTM). */
export function runRecurrent(kind: RecurrentKind, cell: Cell, inp: RecurrentInputs, opts: RecurrentOptions): Tensor<'float32'>[] {
  const op = kind;
  const { X, W, R } = inp;
  const layout = opts.layout ?? 0;
  if (X.rank !== 3) throw new EngineError(`input 'X' must be rank 3, got ${fmtShape(X.shape)}`, op);
  const [seq, batch, inSize] = layout === 0 ? X.shape : [X.shape[1], X.shape[0], X.shape[2]];
  const direction = opts.direction ?? 'forward';
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const G = GATES[kind];
  const H = opts.hiddenSize ?? R.shape[R.rank - 1];
  expectShape(op, 'W', W, [dirs, G * H, inSize]);
  expectShape(op, 'R', R, [dirs, G * H, H]);
  expectShape(op, 'B', inp.B, [dirs, 2 * G * H]);
  expectShape(op, 'sequence_lens', inp.sequenceLens, [batch]);
  const stateShape = layout === 0 ? [dirs, batch, H] : [batch, dirs, H];
  expectShape(op, 'initial_h', inp.initialH, stateShape);
  expectShape(op, 'initial_c', inp.initialC, stateShape);
  expectShape(op, 'P', inp.P, [dirs, 3 * H]);
  const perDir = DEFAULT_ACTS[kind].length;
  const names = opts.activations?.length ? opts.activations : [...DEFAULT_ACTS[kind], ...(dirs === 2 ? DEFAULT_ACTS[kind] : [])];
  if (names.length !== perDir * dirs) {
    throw new EngineError(`'activations' must name ${perDir * dirs} functions for ${dirs} direction(s), got ${names.length}`, op);
  }
  const acts = recurrentActivations(op, names, opts.activationAlpha, opts.activationBeta);
  const limit = opts.clip;
  const clip = limit === undefined ? (v: number) => v : (v: number) => Math.max(-limit, Math.min(limit, v));

  const Y = new Float32Array(seq * dirs * batch * H);
  const Yh = new Float32Array(dirs * batch * H);
  const Yc = new Float32Array(dirs * batch * H);
  const xAt = (t: number, b: number): number => (layout === 0 ? (t * batch + b) * inSize : (b * seq + t) * inSize);
  const yAt = (t: number, d: number, b: number): number => (layout === 0 ? ((t * dirs + d) * batch + b) * H : ((b * seq + t) * dirs + d) * H);
  const stateAt = (d: number, b: number): number => (layout === 0 ? (d * batch + b) * H : (b * dirs + d) * H);
  const x = new Float64Array(inSize);
  const h = new Float64Array(H);
  const c = new Float64Array(H);
  for (let d = 0; d < dirs; d++) {
    const reverse = direction === 'reverse' || d === 1;
    const bias = new Float64Array(2 * G * H);
    if (inp.B) for (let i = 0; i < bias.length; i++) bias[i] = inp.B.data[d * 2 * G * H + i];
    const peep = inp.P ? Float64Array.from(inp.P.data.subarray(d * 3 * H, (d + 1) * 3 * H)) : undefined;
    const ctx: CellContext = {
      H, inSize, W: W.data, wOff: d * G * H * inSize, R: R.data, rOff: d * G * H * H, bias, peep,
      acts: acts.slice(d * perDir, (d + 1) * perDir), clip, opts,
    };
    for (let b = 0; b < batch; b++) {
      const len = inp.sequenceLens ? inp.sequenceLens.data[b] : seq;
      if (!Number.isInteger(len) || len < 0 || len > seq) {
        throw new EngineError(`'sequence_lens' entry ${b} is ${len}, outside 0 to ${seq}`, op);
      }
      const s0 = stateAt(d, b);
      for (let k = 0; k < H; k++) {
        h[k] = inp.initialH ? inp.initialH.data[s0 + k] : 0;
        c[k] = inp.initialC ? inp.initialC.data[s0 + k] : 0;
      }
      for (let s = 0; s < len; s++) {
        const t = reverse ? len - 1 - s : s;
        const xo = xAt(t, b);
        for (let i = 0; i < inSize; i++) x[i] = X.data[xo + i];
        cell(ctx, x, h, c);
        Y.set(h, yAt(t, d, b));
      }
      Yh.set(h, s0);
      Yc.set(c, s0);
    }
  }
  const yShape = layout === 0 ? [seq, dirs, batch, H] : [batch, seq, dirs, H];
  const outs = [new Tensor('float32', yShape, Y), new Tensor('float32', stateShape, Yh)];
  if (kind === 'lstm') outs.push(new Tensor('float32', stateShape, Yc));
  return outs;
}

/**
 * out[r] = Σ_j M[off + (row0 + r)·cols + j] · v[j] for r in [0, rows): a slice of gate rows of W or R times a
 * vector, added to what out holds.
 */
export function addMatVec(out: Float64Array, M: TensorData, off: number, row0: number, rows: number, cols: number, v: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = off + (row0 + r) * cols;
    for (let j = 0; j < cols; j++) s += M[base + j] * v[j];
    out[r] += s;
  }
}
