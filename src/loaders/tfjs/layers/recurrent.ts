import { Tensor } from '../../../engine/tensor';
import type { ModelError } from '../../../model/errors';
import { fmt } from '../../../model/shapes';
import type { ModuleBuilder, Value } from '../../native/builder';
import type { Cell } from '../../native/layers/recurrent';
import { gruStep, inputAt, lstmStep, rnnStep } from '../../native/layers/recurrent';
import { cellActivation } from '../activations';
import type { LayerConfig } from '../config';
import type { Flavor } from '../flavor';
import type { LayerWeights } from '../weights';
import type { KerasLayer } from './types';

/**
 * SimpleRNN, LSTM and GRU, unrolled at load time over the input's fixed number of steps: the layer module
 * holds one child module per time step (`step 0`, `step 1`, ...) calling the cell's ops, so stepping into the
 * layer walks through time and shows the state evolve. The cells are the native loader's (Keras gate order:
 * LSTM i, f, c, o; GRU z, r, h; both GRU `reset_after` variants); the initial state is zeros.
 */

export type RnnKind = 'simpleRnn' | 'lstm' | 'gru';

export const RNN_KINDS: Readonly<Record<string, RnnKind>> = { SimpleRNN: 'simpleRnn', LSTM: 'lstm', GRU: 'gru' };
const GATES: Readonly<Record<RnnKind, number>> = { simpleRnn: 1, lstm: 4, gru: 3 };
const CELL_TYPES: Readonly<Record<RnnKind, string>> = { simpleRnn: 'SimpleRNNCell', lstm: 'LSTMCell', gru: 'GRUCell' };

/** What unrolling needs: the layer's module, config and weights. */
export interface RnnContext {
  readonly m: ModuleBuilder;
  readonly cfg: LayerConfig;
  readonly weights: LayerWeights;
  readonly flavor: Flavor;
  fail(message: string): ModelError;
}

export interface UnrollOptions {
  /** Overrides the config's `go_backwards` (Bidirectional's backward half). */
  readonly goBackwards?: boolean;
  /** Reverse the output sequence (Bidirectional's backward half: back into input time order). */
  readonly reverseSequence?: boolean;
}

function cellAct(ctx: RnnContext, key: string, fallback: string): string {
  const name = ctx.cfg.activation(key, fallback);
  const native = cellActivation(name, ctx.flavor);
  if (!native) throw ctx.fail(`uses the activation '${name}' as its ${key}, which Layerstep's recurrent cells do not support.`);
  return native;
}

/** Emits one recurrent layer over x [batch, steps, features] into `ctx.m`; returns its output. */
export function unroll(ctx: RnnContext, kind: RnnKind, x: Value, options: UnrollOptions = {}): Value {
  const { m, cfg, weights, flavor, fail } = ctx;
  const units = cfg.integer('units', undefined, 1);
  const act = cellAct(ctx, 'activation', 'tanh');
  const ract = kind === 'simpleRnn' ? 'linear' : cellAct(ctx, 'recurrent_activation', flavor.tfjs ? 'hard_sigmoid' : 'sigmoid');
  const useBias = cfg.boolean('use_bias', true);
  const returnSequences = cfg.boolean('return_sequences', false);
  if (cfg.boolean('return_state', false)) throw fail('returns its states (return_state: true); Layerstep supports recurrent layers that return their output only.');
  if (cfg.boolean('time_major', false)) throw fail('is time-major; Layerstep supports batch-major input [batch, steps, features] only.');
  const goBackwards = options.goBackwards ?? cfg.boolean('go_backwards', false);
  cfg.boolean('stateful', false); // A stateful layer's state is not in the file: every run starts from zeros.
  const resetAfter = kind === 'gru' ? cfg.boolean('reset_after', !flavor.tfjs) : false;
  if (x.shape.length !== 3) throw fail(`expects an input [batch, steps, features] but ${x.from} gives ${fmt(x.shape)}.`);
  const [batch, steps, features] = x.shape;
  if (steps < 1) throw fail(`needs at least one time step but ${x.from} gives ${fmt(x.shape)}.`);

  const g = GATES[kind];
  const kernel = weights.use(m, 'kernel', [features, g * units]);
  const recurrent = weights.use(m, 'recurrent_kernel', [units, g * units]);
  const bias = useBias ? weights.use(m, 'bias', resetAfter ? [2, g * units] : [g * units]) : undefined;
  let biasRows: [Value, Value] | undefined;
  let recurrentParts: [Value, Value] | undefined;
  if (bias && resetAfter) {
    // Rows [1, 3·units] for the input and the recurrent products; they broadcast over the batch.
    const [b0, b1] = m.call('split', [bias], { axis: 0, numOutputs: 2 }, 'bias_rows');
    biasRows = [b0, b1];
  }
  if (kind === 'gru' && !resetAfter) {
    const zr = m.op('slice', [recurrent], { starts: [0], ends: [2 * units], axes: [1], steps: [1] }, 'recurrent_kernel_zr');
    const hh = m.op('slice', [recurrent], { starts: [2 * units], ends: [3 * units], axes: [1], steps: [1] }, 'recurrent_kernel_h');
    recurrentParts = [zr, hh];
  }
  const cell: Cell = { kernel, recurrent, bias: resetAfter ? undefined : bias, resetAfter, biasRows, recurrentParts, act, ract };

  let h = m.constant('initial_h', Tensor.zeros([batch, units]));
  let c = kind === 'lstm' ? m.constant('initial_c', Tensor.zeros([batch, units])) : undefined;
  const sequence = new Array<Value>(steps);
  for (let k = 0; k < steps; k++) {
    const t = goBackwards ? steps - 1 - k : k;
    const s = m.child(`step ${t}`, CELL_TYPES[kind], m.node, m.label);
    const xt = inputAt(s, x, t);
    if (kind === 'lstm') [h, c] = lstmStep(s, cell, xt, h, c!);
    else h = kind === 'gru' ? gruStep(s, cell, xt, h) : rnnStep(s, cell, xt, h);
    const outs = c ? [h, c] : [h];
    if (returnSequences) {
      const ht = s.op('unsqueeze', [h], { axes: [1] }, 'h_t');
      sequence[options.reverseSequence ? steps - 1 - k : k] = ht;
      outs.push(ht);
    }
    s.finish(outs);
  }
  return returnSequences ? m.op('concat', sequence, { axis: 1 }, 'sequence') : h;
}

function recurrentLayer(className: string, doc: string): KerasLayer {
  const kind = RNN_KINDS[className];
  return { className, doc, inputs: 'one', build: (call, [x]) => unroll(call, kind, x) };
}

export const recurrentLayers: readonly KerasLayer[] = [
  recurrentLayer('SimpleRNN', 'h = activation(x_t · kernel + h · recurrent_kernel + bias), one module per time step.'),
  recurrentLayer('LSTM', 'Long short-term memory (gates i, f, c, o), one module per time step.'),
  recurrentLayer('GRU', 'Gated recurrent unit (gates z, r, h; reset_after true or false), one module per time step.'),
];
