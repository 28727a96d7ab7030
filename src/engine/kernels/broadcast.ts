import { EngineError } from '../errors';
import { broadcastDims } from '../shapeRules';
import { Tensor, allocate, sizeOf, stridesOf } from '../tensor';
import type { DType, Shape, TensorData } from '../tensor';

/**
 * NumPy / ONNX multidirectional broadcasting over tensors; the shape rule itself is `broadcastDims`
 * (src/engine/shapeRules.ts), shared with the ops' shape rules and the expression evaluator.
 */

/**
 * The broadcast shape of `a` and `b`. Throws an EngineError naming `op` and the arguments
 * (`names`, default `a` and `b`) when the shapes are incompatible.
 */
export function broadcastShapes(a: Shape, b: Shape, op: string, names: readonly [string, string] = ['a', 'b']): number[] {
  return broadcastShapeN([a, b], op, names);
}

/** The broadcast shape of any number of shapes (e.g. `where`'s three inputs); `names` label them in errors. */
export function broadcastShapeN(shapes: readonly Shape[], op: string, names?: readonly string[]): number[] {
  const label = (k: number): string => `'${names?.[k] ?? `input ${k}`}' [${shapes[k].join(', ')}]`;
  return broadcastDims(shapes, (c) => new EngineError(
    `cannot broadcast ${label(c.first)} with ${label(c.second)}: axis ${c.axis} is ${c.firstSize} vs ${c.secondSize}`, op));
}

/** Whether `shape` broadcasts to `target` one way only (ONNX "unidirectional" broadcasting, e.g. Gemm's C). */
export function broadcastsTo(shape: Shape, target: Shape): boolean {
  if (shape.length > target.length) return false;
  const lead = target.length - shape.length;
  return shape.every((d, i) => d === 1 || d === target[lead + i]);
}

/**
 * A plan for walking an output of shape `outShape` together with inputs that broadcast to it.
 * Dimensions are merged where every operand is contiguous across them, so the common cases (same shape,
 * scalar, bias over the last axis or over channels) become one or two long runs.
 * `strides[j][d]` is operand j's element stride along merged dim d (0 where it is broadcast).
 */
export interface BroadcastPlan {
  readonly dims: readonly number[];
  readonly strides: readonly (readonly number[])[];
}

export function broadcastPlan(outShape: Shape, inputShapes: readonly Shape[]): BroadcastPlan {
  const rank = outShape.length;
  const full = inputShapes.map((s) => {
    const own = stridesOf(s);
    const lead = rank - s.length;
    return outShape.map((_, o) => (o < lead || s[o - lead] === 1 ? 0 : own[o - lead]));
  });
  const dims: number[] = [];
  const strides: number[][] = inputShapes.map(() => []);
  for (let o = 0; o < rank; o++) {
    const d = outShape[o];
    if (d === 1) continue; // a size-1 output dim contributes nothing to any offset
    const last = dims.length - 1;
    // Merge with the previous dim when each operand's stride there equals its stride here times d.
    if (last >= 0 && full.every((f, j) => strides[j][last] === f[o] * d)) {
      dims[last] *= d;
      full.forEach((f, j) => (strides[j][last] = f[o]));
    } else {
      dims.push(d);
      full.forEach((f, j) => strides[j].push(f[o]));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { dims, strides };
}

/**
 * Calls `visit(offsets, n)` for each innermost run of the plan: `offsets[j]` is operand j's starting element,
 * the output's start is the run index times `n`, and along the run operand j advances by `plan.strides[j][last]`.
 * The `offsets` array is reused between calls.
 */
export function forEachRun(plan: BroadcastPlan, visit: (offsets: number[], n: number) => void): void {
  const { dims, strides } = plan;
  const last = dims.length - 1;
  const n = dims[last];
  if (n === 0 || dims.some((d) => d === 0)) return;
  const ops = strides.length;
  const offsets = new Array<number>(ops).fill(0);
  const counter = new Array<number>(last).fill(0);
  for (;;) {
    visit(offsets, n);
    // Odometer over the outer dims.
    let d = last - 1;
    for (; d >= 0; d--) {
      for (let j = 0; j < ops; j++) offsets[j] += strides[j][d];
      if (++counter[d] < dims[d]) break;
      for (let j = 0; j < ops; j++) offsets[j] -= strides[j][d] * dims[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

/**
 * A binary kernel over one run: for i in 0..n, out[o + i] = f(a[ai + i·as], b[bi + i·bs]), with as and bs each
 * 0 or 1. Each op writes its own loop so the scalar function is inlined, not called per element.
 */
export type BinaryRun = (
  out: TensorData, o: number,
  a: TensorData, ai: number, as: number,
  b: TensorData, bi: number, bs: number,
  n: number,
) => void;

/** Applies `run` over `a` and `b` broadcast together, into a new tensor of dtype `outDtype`. */
export function binaryBroadcast<D extends DType>(
  a: Tensor, b: Tensor, outDtype: D, run: BinaryRun, op: string, names: readonly [string, string] = ['a', 'b'],
): Tensor<D> {
  const shape = broadcastShapes(a.shape, b.shape, op, names);
  const out = allocate(outDtype, sizeOf(shape));
  if (out.length === 0) return new Tensor(outDtype, shape, out);
  if (a.size === out.length && b.size === out.length) {
    run(out, 0, a.data, 0, 1, b.data, 0, 1, out.length);
  } else if (b.size === 1 && a.size === out.length) {
    run(out, 0, a.data, 0, 1, b.data, 0, 0, out.length);
  } else if (a.size === 1 && b.size === out.length) {
    run(out, 0, a.data, 0, 0, b.data, 0, 1, out.length);
  } else {
    const plan = broadcastPlan(shape, [a.shape, b.shape]);
    const as = plan.strides[0][plan.dims.length - 1];
    const bs = plan.strides[1][plan.dims.length - 1];
    let o = 0;
    forEachRun(plan, (off, n) => {
      run(out, o, a.data, off[0], as, b.data, off[1], bs, n);
      o += n;
    });
  }
  return new Tensor(outDtype, shape, out);
}

/** `t` materialised at `shape` (which it must broadcast to), in its own dtype. */
export function broadcastTo<D extends DType>(t: Tensor<D>, shape: Shape, op: string, name = 'x'): Tensor<D> {
  if (!broadcastsTo(t.shape, shape)) {
    throw new EngineError(`cannot broadcast '${name}' [${t.shape.join(', ')}] to [${shape.join(', ')}]`, op);
  }
  const out = allocate(t.dtype, sizeOf(shape));
  if (out.length === 0) return new Tensor(t.dtype, shape, out);
  const plan = broadcastPlan(shape, [t.shape]);
  const s = plan.strides[0][plan.dims.length - 1];
  const src = t.data;
  let o = 0;
  forEachRun(plan, (off, n) => {
    if (s === 1) out.set(src.subarray(off[0], off[0] + n), o);
    else out.fill(src[off[0]], o, o + n);
    o += n;
  });
  return new Tensor(t.dtype, shape, out);
}
