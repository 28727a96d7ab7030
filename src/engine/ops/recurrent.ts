import { EngineError } from '../errors';
import type { AttrValue, Attrs, OpDef } from '../registry';
import type { Shape, Tensor } from '../tensor';
import { enumAttr, floatAttr, intAttr, numberList, required } from '../kernels/opArgs';
import type { RecurrentOptions } from '../kernels/recurrent';
import { gru, lstm, rnn } from '../kernels/rnnCells';
import { ShapeError, fmt, needShape } from '../shapeRules';

export { gru, lstm, rnn } from '../kernels/rnnCells';
export type { RecurrentInputs, RecurrentOptions } from '../kernels/recurrent';

function stringList(op: string, name: string, v: AttrValue | undefined): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return [...(v as readonly string[])];
  throw new EngineError(`attribute '${name}' must be a list of activation names, got ${JSON.stringify(v)}`, op);
}

function options(op: string, attrs: Attrs): RecurrentOptions {
  return {
    hiddenSize: attrs.hiddenSize === undefined ? undefined : intAttr(op, attrs, 'hiddenSize', 0),
    direction: enumAttr(op, attrs, 'direction', ['forward', 'reverse', 'bidirectional'] as const, 'forward'),
    activations: stringList(op, 'activations', attrs.activations),
    activationAlpha: numberList(op, 'activationAlpha', undefined, attrs.activationAlpha),
    activationBeta: numberList(op, 'activationBeta', undefined, attrs.activationBeta),
    clip: attrs.clip === undefined || attrs.clip === null ? undefined : floatAttr(op, attrs, 'clip', 0),
    layout: intAttr(op, attrs, 'layout', 0),
    inputForget: intAttr(op, attrs, 'inputForget', 0) !== 0,
    linearBeforeReset: intAttr(op, attrs, 'linearBeforeReset', 0) !== 0,
  };
}

/** The inputs all three ops share, in ONNX order: X, W, R, B?, sequence_lens?, initial_h?. */
function common(op: string, inputs: readonly (Tensor | undefined)[]) {
  return {
    X: required(op, inputs, 0, 'X'), W: required(op, inputs, 1, 'W'), R: required(op, inputs, 2, 'R'),
    B: inputs[3], sequenceLens: inputs[4], initialH: inputs[5],
  };
}

/**
 * Outputs Y ([seq, dirs, batch, H], or [batch, seq, dirs, H] with layout 1) and Y_h (and LSTM's Y_c,
 * [dirs, batch, H] or [batch, dirs, H]); H is hiddenSize or the last dimension of R.
 */
function recurrentShape(op: string, states: number) {
  return (inputs: readonly (Shape | undefined)[], attrs: Attrs): Shape[] => {
    const x = needShape(op, inputs, 0);
    const r = needShape(op, inputs, 2);
    if (x.length !== 3) throw new ShapeError(`${op} needs X of rank 3, got ${fmt(x)}`);
    const layout = intAttr(op, attrs, 'layout', 0);
    const [seq, batch] = layout === 0 ? [x[0], x[1]] : [x[1], x[0]];
    const dirs = options(op, attrs).direction === 'bidirectional' ? 2 : 1;
    const h = attrs.hiddenSize === undefined ? r[r.length - 1] : intAttr(op, attrs, 'hiddenSize', 0);
    const y = layout === 0 ? [seq, dirs, batch, h] : [batch, seq, dirs, h];
    const state = layout === 0 ? [dirs, batch, h] : [batch, dirs, h];
    return [y, ...Array.from({ length: states }, () => [...state])];
  };
}

/** ONNX RNN, GRU and LSTM (opset 22 layouts and gate orders; docs/ops.md). */
export const recurrentOps: readonly OpDef[] = [
  {
    name: 'rnn',
    doc: 'Simple recurrent layer over a sequence: H = f(W·x + R·h + b); outputs Y and Y_h.',
    minInputs: 3,
    maxInputs: 6,
    run: (inputs, attrs) => rnn(common('rnn', inputs), options('rnn', attrs)),
    shape: recurrentShape('rnn', 1),
  },
  {
    name: 'gru',
    doc: 'Gated recurrent unit over a sequence (gates z, r, h); outputs Y and Y_h.',
    minInputs: 3,
    maxInputs: 6,
    run: (inputs, attrs) => gru(common('gru', inputs), options('gru', attrs)),
    shape: recurrentShape('gru', 1),
  },
  {
    name: 'lstm',
    doc: 'Long short-term memory over a sequence (gates i, o, f, c; optional peepholes); outputs Y, Y_h and Y_c.',
    minInputs: 3,
    maxInputs: 8,
    run: (inputs, attrs) => lstm({ ...common('lstm', inputs), initialC: inputs[6], P: inputs[7] }, options('lstm', attrs)),
    shape: recurrentShape('lstm', 2),
  },
];
