import { Tensor } from '../../../engine/tensor';
import { fmt } from '../../../model/shapes';
import type { ModuleBuilder, Value } from '../builder';
import type { ParamTable } from '../params';
import { activate } from './activation';
import type { LayerContext, LayerType } from './types';

/**
 * Recurrent layers, unrolled at load time: the layer module holds one child module per time step
 * (`step 0`, `step 1`, ...) whose nodes are the cell's ops, so stepping into a layer walks through time.
 * Gate order and formulas follow Keras (LSTM i, f, c, o; GRU z, r, h); the initial state is zeros.
 */

type Kind = 'simpleRnn' | 'lstm' | 'gru';
const GATES: Readonly<Record<Kind, number>> = { simpleRnn: 1, lstm: 4, gru: 3 };

const common: ParamTable = {
  units: { kind: 'integer', doc: 'Size of the hidden state.', min: 1, required: true },
  returnSequences: { kind: 'boolean', doc: 'Return the state at every step [B, T, units] instead of the last one [B, units].', default: false },
  useBias: { kind: 'boolean', doc: 'Whether the cell adds a bias.', default: true },
  activation: { kind: 'activation', doc: 'Activation of the state (and of the LSTM cell output).', default: 'tanh' },
};
const gated: ParamTable = {
  ...common,
  recurrentActivation: { kind: 'activation', doc: 'Activation of the gates.', default: 'sigmoid' },
};

export interface Cell {
  readonly kernel: Value;
  readonly recurrent: Value;
  readonly bias?: Value;
  /** GRU: whether the reset gate applies after the recurrent product. */
  readonly resetAfter: boolean;
  /** GRU with resetAfter: the input and recurrent rows of the [2, 3·units] bias. */
  readonly biasRows?: readonly [Value, Value];
  /** GRU without resetAfter: the z/r columns and the h columns of the recurrent kernel. */
  readonly recurrentParts?: readonly [Value, Value];
  readonly act: string;
  readonly ract: string;
}

/** x[:, t, :] as [B, F]. */
export function inputAt(s: ModuleBuilder, x: Value, t: number): Value {
  const xt = s.op('slice', [x], { starts: [t], ends: [t + 1], axes: [1], steps: [1] });
  return s.op('squeeze', [xt], { axes: [1] }, 'x_t');
}

export function rnnStep(s: ModuleBuilder, c: Cell, xt: Value, h: Value): Value {
  let z = s.op('add', [s.op('matmul', [xt, c.kernel]), s.op('matmul', [h, c.recurrent])]);
  if (c.bias) z = s.op('add', [z, c.bias]);
  return activate(s, z, c.act, 'h');
}

export function lstmStep(s: ModuleBuilder, c: Cell, xt: Value, h: Value, cell: Value): [Value, Value] {
  let z = s.op('add', [s.op('matmul', [xt, c.kernel]), s.op('matmul', [h, c.recurrent])]);
  if (c.bias) z = s.op('add', [z, c.bias]);
  const [zi, zf, zg, zo] = s.call('split', [z], { axis: -1, numOutputs: 4 }, 'gates');
  const i = activate(s, zi, c.ract, 'i');
  const f = activate(s, zf, c.ract, 'f');
  const g = activate(s, zg, c.act, 'g');
  const o = activate(s, zo, c.ract, 'o');
  const next = s.op('add', [s.op('mul', [f, cell], {}, 'forget'), s.op('mul', [i, g], {}, 'input')], {}, 'c');
  return [s.op('mul', [o, activate(s, next, c.act)], {}, 'h'), next];
}

export function gruStep(s: ModuleBuilder, c: Cell, xt: Value, h: Value): Value {
  let zx = s.op('matmul', [xt, c.kernel]);
  let z: Value;
  let candidate: Value;
  if (c.resetAfter) {
    // resetAfter (Keras' default, PyTorch's GRU): the reset gate scales h·U_h + b_h after the product.
    if (c.biasRows) zx = s.op('add', [zx, c.biasRows[0]]);
    let zh = s.op('matmul', [h, c.recurrent]);
    if (c.biasRows) zh = s.op('add', [zh, c.biasRows[1]]);
    const [xz, xr, xh] = s.call('split', [zx], { axis: -1, numOutputs: 3 }, 'x_gates');
    const [hz, hr, hh] = s.call('split', [zh], { axis: -1, numOutputs: 3 }, 'h_gates');
    z = activate(s, s.op('add', [xz, hz]), c.ract, 'z');
    const r = activate(s, s.op('add', [xr, hr]), c.ract, 'r');
    candidate = activate(s, s.op('add', [xh, s.op('mul', [r, hh])]), c.act, 'candidate');
  } else {
    if (c.bias) zx = s.op('add', [zx, c.bias]);
    const [xz, xr, xh] = s.call('split', [zx], { axis: -1, numOutputs: 3 }, 'x_gates');
    const [hz, hr] = s.call('split', [s.op('matmul', [h, c.recurrentParts![0]])], { axis: -1, numOutputs: 2 }, 'h_gates');
    z = activate(s, s.op('add', [xz, hz]), c.ract, 'z');
    const r = activate(s, s.op('add', [xr, hr]), c.ract, 'r');
    candidate = activate(s, s.op('add', [xh, s.op('matmul', [s.op('mul', [r, h]), c.recurrentParts![1]])]), c.act, 'candidate');
  }
  // z·h + (1 - z)·candidate, written as candidate + z·(h - candidate) so that it needs no constant.
  return s.op('add', [candidate, s.op('mul', [z, s.op('sub', [h, candidate])])], {}, 'h');
}

function recurrent(kind: Kind, doc: string): LayerType {
  const params: ParamTable = kind === 'simpleRnn' ? common
    : kind === 'lstm' ? gated
    : { ...gated, resetAfter: { kind: 'boolean', doc: 'Apply the reset gate after the recurrent product (Keras default, PyTorch); bias is then [2, 3·units].', default: true } };
  const g = GATES[kind];
  return {
    type: kind,
    doc,
    params,
    weights: {
      kernel: `[features, ${g > 1 ? `${g}·` : ''}units]`,
      recurrentKernel: `[units, ${g > 1 ? `${g}·` : ''}units]`,
      bias: kind === 'gru' ? '[2, 3·units] with resetAfter, else [3·units]' : `[${g > 1 ? `${g}·` : ''}units]`,
    },
    build: (ctx, x) => buildRecurrent(ctx, x, kind),
  };
}

function buildRecurrent(ctx: LayerContext, x: Value, kind: Kind): Value {
  const { p, m, fail } = ctx;
  const units = p.integer('units');
  const returnSequences = p.boolean('returnSequences');
  const useBias = p.boolean('useBias');
  const act = p.activation();
  const ract = kind === 'simpleRnn' ? 'linear' : p.activation('recurrentActivation');
  const resetAfter = kind === 'gru' ? p.boolean('resetAfter') : false;
  if (x.shape.length !== 3) throw fail(`expects an input [batch, time, features] but ${x.from} gives ${fmt(x.shape)}.`);
  const [batch, steps, features] = x.shape;
  if (steps < 1) throw fail(`needs at least one time step but ${x.from} gives ${fmt(x.shape)}.`);
  const g = GATES[kind];
  const declared = m.declaredShape('kernel');
  if (declared?.length === 2 && declared[0] !== features) {
    throw fail(`expects an input whose last dimension is ${declared[0]} (its kernel is ${fmt(declared)}) but ${x.from} gives ${fmt(x.shape)}.`);
  }
  const kernel = m.weight('kernel', [features, g * units]);
  const recurrentKernel = m.weight('recurrentKernel', [units, g * units]);
  let bias: Value | undefined;
  let biasRows: [Value, Value] | undefined;
  let recurrentParts: [Value, Value] | undefined;
  if (useBias) bias = m.weight('bias', resetAfter ? [2, g * units] : [g * units]);
  if (bias && resetAfter) {
    const [b0, b1] = m.call('split', [bias], { axis: 0, numOutputs: 2 }, 'bias_rows');
    biasRows = [b0, b1];
  }
  if (kind === 'gru' && !resetAfter) {
    const zr = m.op('slice', [recurrentKernel], { starts: [0], ends: [2 * units], axes: [1], steps: [1] }, 'recurrentKernel_zr');
    const hh = m.op('slice', [recurrentKernel], { starts: [2 * units], ends: [3 * units], axes: [1], steps: [1] }, 'recurrentKernel_h');
    recurrentParts = [zr, hh];
  }
  const cell: Cell = { kernel, recurrent: recurrentKernel, bias: resetAfter ? undefined : bias, resetAfter, biasRows, recurrentParts, act, ract };
  let h = m.constant('initialState', Tensor.zeros([batch, units]));
  let c = kind === 'lstm' ? m.constant('initialCell', Tensor.zeros([batch, units])) : undefined;
  const sequence: Value[] = [];
  for (let t = 0; t < steps; t++) {
    const s = m.child(`step ${t}`, `${kind}Cell`, m.node, m.label);
    const xt = inputAt(s, x, t);
    if (kind === 'lstm') [h, c] = lstmStep(s, cell, xt, h, c!);
    else h = kind === 'gru' ? gruStep(s, cell, xt, h) : rnnStep(s, cell, xt, h);
    const outs = c ? [h, c] : [h];
    if (returnSequences) sequence.push(s.op('unsqueeze', [h], { axes: [1] }, 'h_t'));
    s.finish(returnSequences ? [...outs, sequence[sequence.length - 1]] : outs);
  }
  return returnSequences ? m.op('concat', sequence, { axis: 1 }, 'sequence') : h;
}

export const recurrentLayers: readonly LayerType[] = [
  recurrent('simpleRnn', 'Fully connected RNN: h = activation(x_t · kernel + h · recurrentKernel + bias), unrolled over time.'),
  recurrent('lstm', 'Long short-term memory (Keras gate order i, f, c, o), unrolled over time.'),
  recurrent('gru', 'Gated recurrent unit (Keras gate order z, r, h), unrolled over time.'),
];
