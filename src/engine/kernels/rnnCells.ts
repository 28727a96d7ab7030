import type { Tensor } from '../tensor';
import { addMatVec, runRecurrent } from './recurrent';
import type { Cell, CellContext, RecurrentInputs, RecurrentOptions } from './recurrent';

/**
 * The cells of ONNX RNN, GRU and LSTM (opset 22), one time step each, following the equations of the spec.
 * Gate rows in W, R and B come in the spec's order: LSTM i, o, f, c; GRU z, r, h.
 */

/** Gate pre-activations: input bias + recurrent bias + W·x (+ R·h when `withR`), for `gates` stacked gates. */
function preActivations(ctx: CellContext, gates: number, x: Float64Array, h: Float64Array, withR: boolean): Float64Array {
  const { H, inSize } = ctx;
  const n = gates * H;
  const pre = new Float64Array(n);
  for (let k = 0; k < n; k++) pre[k] = ctx.bias[k] + (withR ? ctx.bias[n + k] : 0);
  addMatVec(pre, ctx.W, ctx.wOff, 0, n, inSize, x);
  if (withR) addMatVec(pre, ctx.R, ctx.rOff, 0, n, H, h);
  return pre;
}

/** Ht = f(W·x + R·h + Wb + Rb). */
const rnnCell: Cell = (ctx, x, h) => {
  const pre = preActivations(ctx, 1, x, h, true);
  const [f] = ctx.acts;
  for (let k = 0; k < ctx.H; k++) h[k] = f(ctx.clip(pre[k]));
};

/**
 * zt = f(Wz·x + Rz·h + Wbz + Rbz), rt = f(Wr·x + Rr·h + Wbr + Rbr),
 * ht = g(Wh·x + Rh·(rt ⊙ h) + Rbh + Wbh), or with linear_before_reset g(Wh·x + rt ⊙ (Rh·h + Rbh) + Wbh),
 * Ht = (1 − zt) ⊙ ht + zt ⊙ h.
 */
const gruCell: Cell = (ctx, x, h) => {
  const { H } = ctx;
  const [f, g] = ctx.acts;
  const xw = preActivations(ctx, 3, x, h, false);
  // z and r take the recurrent term and bias now; the h gate's depend on linear_before_reset.
  const zr = new Float64Array(2 * H);
  for (let k = 0; k < 2 * H; k++) zr[k] = xw[k] + ctx.bias[3 * H + k];
  addMatVec(zr, ctx.R, ctx.rOff, 0, 2 * H, H, h);
  const z = new Float64Array(H);
  const r = new Float64Array(H);
  for (let k = 0; k < H; k++) {
    z[k] = f(ctx.clip(zr[k]));
    r[k] = f(ctx.clip(zr[H + k]));
  }
  const rec = new Float64Array(H);
  if (ctx.opts.linearBeforeReset) {
    addMatVec(rec, ctx.R, ctx.rOff, 2 * H, H, H, h);
    for (let k = 0; k < H; k++) rec[k] = r[k] * (rec[k] + ctx.bias[5 * H + k]);
  } else {
    const rh = new Float64Array(H);
    for (let k = 0; k < H; k++) rh[k] = r[k] * h[k];
    addMatVec(rec, ctx.R, ctx.rOff, 2 * H, H, H, rh);
    for (let k = 0; k < H; k++) rec[k] += ctx.bias[5 * H + k];
  }
  for (let k = 0; k < H; k++) {
    const hh = g(ctx.clip(xw[2 * H + k] + rec[k]));
    h[k] = (1 - z[k]) * hh + z[k] * h[k];
  }
};

/**
 * it = f(Wi·x + Ri·h + Pi ⊙ c + Wbi + Rbi), ft = f(Wf·x + Rf·h + Pf ⊙ c + Wbf + Rbf) (or 1 − it with
 * input_forget), ct = g(Wc·x + Rc·h + Wbc + Rbc), Ct = ft ⊙ c + it ⊙ ct,
 * ot = f(Wo·x + Ro·h + Po ⊙ Ct + Wbo + Rbo), Ht = ot ⊙ h(Ct).
 */
const lstmCell: Cell = (ctx, x, h, c) => {
  const { H } = ctx;
  const [f, g, hAct] = ctx.acts;
  const pre = preActivations(ctx, 4, x, h, true);
  const P = ctx.peep;
  for (let k = 0; k < H; k++) {
    const i = f(ctx.clip(pre[k] + (P ? P[k] * c[k] : 0)));
    const fg = ctx.opts.inputForget ? 1 - i : f(ctx.clip(pre[2 * H + k] + (P ? P[2 * H + k] * c[k] : 0)));
    const cc = g(ctx.clip(pre[3 * H + k]));
    c[k] = fg * c[k] + i * cc;
    const o = f(ctx.clip(pre[H + k] + (P ? P[H + k] * c[k] : 0)));
    h[k] = o * hAct(c[k]);
  }
};

export function rnn(inputs: RecurrentInputs, opts: RecurrentOptions = {}): Tensor<'float32'>[] {
  return runRecurrent('rnn', rnnCell, inputs, opts);
}

export function gru(inputs: RecurrentInputs, opts: RecurrentOptions = {}): Tensor<'float32'>[] {
  return runRecurrent('gru', gruCell, inputs, opts);
}

export function lstm(inputs: RecurrentInputs, opts: RecurrentOptions = {}): Tensor<'float32'>[] {
  return runRecurrent('lstm', lstmCell, inputs, opts);
}
