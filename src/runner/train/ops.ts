import { gradRule } from '../../engine/grad/index';
import { computeLoss, isLossName } from '../../engine/grad/losses';
import { isOptimizerName, updateWeight } from '../../engine/grad/optimizers';
import { EngineError } from '../../engine/errors';
import { add } from '../../engine/kernels/binary';
import { defaultOps } from '../../engine/ops/index';
import { OpRegistry } from '../../engine/registry';
import type { Attrs, OpDef } from '../../engine/registry';
import { Tensor } from '../../engine/tensor';

/**
 * The ops of a training step, besides the model's own (src/runner/train/trainingModel.ts lays the step out with them):
 *
 * - `loss`: inputs are pairs (output, target); its one output is the sum over the pairs of the loss named by the
 *   attribute `loss`. A target of one rank less than its output (class indices) is made one-hot for the
 *   cross-entropies.
 * - `∂OP` for every op with a gradient rule: the vector-Jacobian product of one node. Inputs are the forward node's
 *   inputs, then its outputs, then ∂loss/∂output per output (`''` where an output does not reach the loss); the
 *   attribute `outputs` says how many outputs the forward node has, and `gradOf` maps each forward input to the
 *   gradient output it adds to (−1: none). Every other attribute is the forward node's own.
 * - `∂loss`: where the backward pass starts, ∂loss/∂output for each (output, target) pair.
 * - `update`: one optimizer step for one weight. Inputs: the weight, its gradient, then the optimizer's state (none
 *   for SGD, the velocity for momentum, the two moments for Adam); outputs: the new weight, the change, then the new
 *   state. Attributes: `optimizer`, `learningRate`, `step` (from 1).
 *
 * Every one is a pure function of its inputs and attributes, so the runner may evict and recompute what they make.
 */
export const GRAD_PREFIX = '∂';

function lossOf(attrs: Attrs): 'mse' | 'bce' | 'cce' | 'bce-logits' | 'cce-logits' {
  const name = String(attrs.loss);
  if (!isLossName(name)) throw new EngineError(`unknown loss '${name}'`, 'loss');
  return name;
}

/** A target as the loss reads it: class indices made one-hot when the loss is a cross-entropy over classes. */
function targetFor(loss: string, output: Tensor, target: Tensor): Tensor {
  if (target.rank !== output.rank - 1 || !loss.startsWith('cce')) return target;
  const classes = output.shape[output.rank - 1];
  const rows = target.size;
  if (rows * classes !== output.size) {
    throw new EngineError(`the target's shape [${target.shape.join(', ')}] does not fit the output's [${output.shape.join(', ')}]`, `loss ${loss}`);
  }
  const data = new Float32Array(output.size);
  for (let r = 0; r < rows; r++) {
    const c = Number(target.data[r]);
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new EngineError(`class ${c} of row ${r} is not one of the ${classes} classes`, `loss ${loss}`);
    data[r * classes + c] = 1;
  }
  return new Tensor('float32', output.shape, data);
}

function pairs(inputs: readonly (Tensor | undefined)[], op: string): [Tensor, Tensor][] {
  const out: [Tensor, Tensor][] = [];
  for (let i = 0; i + 1 < inputs.length; i += 2) {
    const [y, t] = [inputs[i], inputs[i + 1]];
    if (!y || !t) throw new EngineError('every output needs its target', op);
    out.push([y, t]);
  }
  return out;
}

const lossOp: OpDef = {
  name: 'loss',
  doc: 'The loss of a training step: the sum over (output, target) pairs of the loss the attribute names.',
  minInputs: 2,
  maxInputs: 64,
  run(inputs, attrs) {
    const loss = lossOf(attrs);
    let total = 0;
    for (const [y, t] of pairs(inputs, 'loss')) total += computeLoss(loss, y, targetFor(loss, y, t)).loss;
    return [Tensor.scalar(total)];
  },
};

const lossGradOp: OpDef = {
  name: `${GRAD_PREFIX}loss`,
  doc: 'Where the backward pass starts: ∂loss/∂output of every (output, target) pair.',
  minInputs: 2,
  maxInputs: 64,
  run(inputs, attrs) {
    const loss = lossOf(attrs);
    return pairs(inputs, `${GRAD_PREFIX}loss`).map(([y, t]) => computeLoss(loss, y, targetFor(loss, y, t)).grad);
  },
};

const updateOp: OpDef = {
  name: 'update',
  doc: 'One optimizer step for one weight: the new weight, the change, and the optimizer\'s new state.',
  minInputs: 2,
  maxInputs: 4,
  run(inputs, attrs) {
    const name = String(attrs.optimizer);
    if (!isOptimizerName(name)) throw new EngineError(`unknown optimizer '${name}'`, 'update');
    const [w, g, first, second] = inputs as (Tensor | undefined)[];
    if (!w || !g) throw new EngineError('needs a weight and its gradient', 'update');
    if (w.size !== g.size) throw new EngineError(`the gradient has ${g.size} elements but the weight ${w.size}`, 'update');
    const f32 = (t: Tensor | undefined): Float32Array | undefined => (t ? Float32Array.from(t.data as ArrayLike<number>) : undefined);
    const u = updateWeight(name, Number(attrs.learningRate), Number(attrs.step), w.data, g.data, { first: f32(first), second: f32(second) });
    const next = new Tensor('float32', w.shape, u.next);
    const change = new Float32Array(w.size);
    for (let i = 0; i < change.length; i++) change[i] = u.next[i] - Number(w.data[i]);
    const out = [next, new Tensor('float32', w.shape, change)];
    if (u.state.first) out.push(new Tensor('float32', w.shape, u.state.first));
    if (u.state.second) out.push(new Tensor('float32', w.shape, u.state.second));
    return out;
  },
};

/** The vector-Jacobian product op of a forward op that has a gradient rule. */
function gradOp(forward: string): OpDef {
  const name = `${GRAD_PREFIX}${forward}`;
  return {
    name,
    doc: `The gradient of ${forward}: ∂loss/∂input from ∂loss/∂output.`,
    minInputs: 0,
    maxInputs: Infinity,
    run(inputs, attrs) {
      const rule = gradRule(forward)!;
      const k = Number(attrs.outputs);
      const gradOf = attrs.gradOf as readonly number[];
      const n = inputs.length - 2 * k;
      if (!Number.isInteger(k) || k < 1 || n < 0 || gradOf.length !== n) throw new EngineError('is laid out wrongly', name);
      const { outputs: _k, gradOf: _g, ...own } = attrs;
      const outputs = inputs.slice(n, n + k) as Tensor[];
      const grads = rule({ inputs: inputs.slice(0, n), outputs, attrs: own, gradOutputs: inputs.slice(n + k) });
      const count = Math.max(-1, ...gradOf) + 1;
      const out: (Tensor | undefined)[] = new Array(count).fill(undefined);
      gradOf.forEach((slot, i) => {
        if (slot < 0) return;
        // A rule gives none for an input that takes no gradient at these values (an integer tensor): zero.
        const g = grads[i] ?? Tensor.zeros((inputs[i] as Tensor).shape);
        out[slot] = out[slot] ? add(out[slot]!, g) : g;
      });
      return out as Tensor[];
    },
  };
}

let registry: OpRegistry | undefined;

/** The model's ops and the training step's, in one registry (made once). */
export function trainingOps(): OpRegistry {
  if (registry) return registry;
  const r = new OpRegistry();
  for (const name of defaultOps.names()) r.register(defaultOps.get(name));
  for (const name of defaultOps.names()) if (gradRule(name)) r.register(gradOp(name));
  r.register(lossOp);
  r.register(lossGradOp);
  r.register(updateOp);
  return (registry = r);
}
