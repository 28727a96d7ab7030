import { EngineError } from '../errors';
import { broadcastTo } from '../kernels/broadcast';
import { reduce } from '../kernels/reduce';
import { Tensor } from '../tensor';
import type { Shape } from '../tensor';
import type { GradContext } from './types';

/**
 * Helpers shared by the gradient rules: the incoming gradient, float32 conversion, and summing a gradient back
 * over the axes that NumPy broadcasting stretched.
 */

/** ∂loss/∂output `k`, or zeros of that output's shape when it does not reach the loss. */
export function gradOut(ctx: GradContext, k = 0): Tensor<'float32'> {
  const g = ctx.gradOutputs[k];
  const shape = ctx.outputs[k].shape;
  if (g === undefined) return Tensor.zeros(shape, 'float32');
  return asFloat32(g);
}

/** `t` as float32 (itself when it already is). */
export function asFloat32(t: Tensor): Tensor<'float32'> {
  if (t.dtype === 'float32') return t as Tensor<'float32'>;
  return new Tensor('float32', t.shape, Float32Array.from(t.data as ArrayLike<number>));
}

/** Whether an input takes a gradient: present and float32 (integer and bool tensors are indices, shapes or masks). */
export function differentiable(t: Tensor | undefined): t is Tensor {
  return t !== undefined && t.dtype === 'float32';
}

/** The input `i` the op requires; a rule called without it is a programming error in the caller. */
export function input(ctx: GradContext, i: number, op: string): Tensor {
  const t = ctx.inputs[i];
  if (t === undefined) throw new EngineError(`gradient needs input ${i}, which the node leaves out`, op);
  return t;
}

/**
 * `g` (of a broadcast result's shape) summed back to `shape`, the shape of an operand that was broadcast to it:
 * over the leading axes the operand lacks and over the axes where it has size 1.
 */
export function sumTo(g: Tensor<'float32'>, shape: Shape): Tensor<'float32'> {
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return g.reshape(shape);
  return (reduce('sum', g, axes, true) as Tensor<'float32'>).reshape(shape);
}

/** `t` materialised at the broadcast `shape`, as float32. */
export function expandTo(t: Tensor, shape: Shape, op: string): Tensor<'float32'> {
  return broadcastTo(asFloat32(t), shape, op);
}

/** A new float32 tensor of `shape` whose element i is f(i). */
export function build(shape: Shape, f: (i: number) => number): Tensor<'float32'> {
  const out = Tensor.zeros(shape, 'float32');
  const d = out.data;
  for (let i = 0; i < d.length; i++) d[i] = f(i);
  return out;
}
