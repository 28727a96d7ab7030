import type { Shape } from './tensor';

/**
 * The shape arithmetic that kernels and the ops' static shape rules (`OpDef.shape`) share, so that the tree
 * has one broadcast rule, one sliding-window size rule and one same-padding rule. Shape rules throw
 * {@link ShapeError} with a sentence about the shapes (no trailing period); callers add the file, line and layer.
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

/** `[2, 3]` for messages. */
export const fmt = (s: Shape): string => `[${s.join(', ')}]`;

/** Where two shapes fail to broadcast: operand indices, the axis counted from the end (-1 = last), and both sizes. */
export interface BroadcastClash {
  readonly first: number;
  readonly second: number;
  readonly axis: number;
  readonly firstSize: number;
  readonly secondSize: number;
}

/**
 * NumPy / ONNX multidirectional broadcasting (https://github.com/onnx/onnx/blob/main/docs/Broadcasting.md) of
 * any number of shapes: aligned on their last axis, two sizes agree when equal or when one is 1. On a clash,
 * throws what `clash` makes of it (`first` is the operand that set the size, `second` the one that disagrees),
 * so each caller words the error for its own layer.
 */
export function broadcastDims(shapes: readonly Shape[], clash: (c: BroadcastClash) => Error): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  const owner = new Array<number>(rank).fill(-1);
  shapes.forEach((s, which) => {
    const lead = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      const o = lead + i;
      if (d === 1) continue;
      if (out[o] === 1) {
        out[o] = d;
        owner[o] = which;
      } else if (out[o] !== d) {
        throw clash({ first: owner[o], second: which, axis: o - rank, firstSize: out[o], secondSize: d });
      }
    }
  });
  return out;
}

/** The broadcast shape of two shapes, for shape rules. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  return broadcastDims([a, b], () => new ShapeError(`shapes ${fmt(a)} and ${fmt(b)} do not broadcast`));
}

/** The broadcast shape of any number of shapes, for shape rules. */
export function broadcastAll(shapes: readonly Shape[]): number[] {
  return broadcastDims(shapes, (c) => new ShapeError(`shapes ${fmt(shapes[c.first])} and ${fmt(shapes[c.second])} do not broadcast`));
}

/** NumPy matmul: batched, batch dims broadcast, 1-D operands promoted and their added axis dropped. */
export function matmulShape(a: Shape, b: Shape): number[] {
  if (a.length === 0 || b.length === 0) throw new ShapeError('matmul needs operands of rank 1 or more');
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k1 = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  if (k1 !== k2) throw new ShapeError(`matmul of ${fmt(a)} by ${fmt(b)}: inner dimensions ${k1} and ${k2} differ`);
  const out = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}

/** An axis in [-rank, rank) as a non-negative index. */
export function normAxis(axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new ShapeError(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * How many windows of `extent` (= (kernel − 1) · dilation + 1) slide over an axis of `size` padded by `padBegin`
 * and `padEnd` with `stride` (ONNX Conv, MaxPool, AveragePool). `ceil` (the pools' ceilMode) rounds up, but a
 * window that would start in the end padding is dropped, as in onnxruntime and PyTorch. Below 1 when no window fits.
 */
export function windowCount(size: number, extent: number, stride: number, padBegin: number, padEnd: number, ceil = false): number {
  const room = size + padBegin + padEnd - extent;
  if (room < 0) return 0;
  let n = (ceil ? Math.ceil(room / stride) : Math.floor(room / stride)) + 1;
  if (ceil && n > 1 && (n - 1) * stride >= size + padBegin) n--;
  return n;
}

/**
 * Explicit pads [begin, end] that give TF/Keras `same` padding, out = ceil(size / stride): the odd unit of padding
 * at the end (`upper`, ONNX SAME_UPPER, TF/Keras) or at the beginning (ONNX SAME_LOWER).
 */
export function samePads(size: number, kernel: number, stride: number, dilation: number, upper = true): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  const small = Math.floor(total / 2);
  return upper ? [small, total - small] : [total - small, small];
}

/** Input `i` of a shape rule, which the op requires. */
export function needShape(op: string, inputs: readonly (Shape | undefined)[], i: number): Shape {
  const s = inputs[i];
  if (!s) throw new ShapeError(`${op} needs input ${i}`);
  return s;
}

/** A value a shape rule needs from an attribute (a constant input must be passed as the attribute of its name). */
export function fromAttr<T>(op: string, name: string, value: T | undefined): T {
  if (value === undefined) throw new ShapeError(`${op} needs '${name}' as an attribute: its output shape depends on it`);
  return value;
}

/** The shape rule of an op whose one output has the shape of its first input (elementwise maps, casts, normalisations). */
export const sameAsFirst = (op: string) => (inputs: readonly (Shape | undefined)[]): number[][] => [[...needShape(op, inputs, 0)]];

/** The shape rule of an elementwise op whose inputs broadcast together. */
export const broadcasting = (op: string) => (inputs: readonly (Shape | undefined)[]): number[][] =>
  [broadcastAll(inputs.map((_, i) => needShape(op, inputs, i)))];
