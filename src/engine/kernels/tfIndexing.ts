import { EngineError } from '../errors';
import { allocate, stridesOf, Tensor } from '../tensor';
import type { DType } from '../tensor';
import { fmtShape } from './opArgs';

/**
 * Indexing kernels with TensorFlow semantics (tensorflow/core/util/strided_slice_op.cc, gather_nd_op.cc,
 * where_op.cc), channels-last data as TF keeps it. Integer results are int32, as TensorFlow.js gives them.
 */

export interface StridedSliceMasks {
  readonly beginMask: number;
  readonly endMask: number;
  readonly ellipsisMask: number;
  readonly newAxisMask: number;
  readonly shrinkAxisMask: number;
}

interface DenseSpec {
  begin: number;
  end: number;
  stride: number;
  beginOpen: boolean;
  endOpen: boolean;
  shrink: boolean;
}

/**
 * TF StridedSlice: `begin`, `end`, `strides` are vectors of one length (the sparse spec); the ellipsis bit
 * expands to the axes the spec leaves out, a new-axis bit inserts an axis of size 1, a shrink bit takes one
 * element and drops the axis, begin/end mask bits leave that bound open.
 */
export function stridedSlice<D extends DType>(x: Tensor<D>, begin: readonly number[], end: readonly number[], strides: readonly number[], m: StridedSliceMasks): Tensor<D> {
  const op = 'tfStridedSlice';
  const n = begin.length;
  if (end.length !== n || strides.length !== n) {
    throw new EngineError(`begin, end and strides must have one length, got ${n}, ${end.length} and ${strides.length}`, op);
  }
  // Expand the sparse spec to one entry per input axis (new axes recorded separately).
  let ellipsisSeen = false;
  let sparseAxes = 0;
  for (let i = 0; i < n; i++) if (!((m.ellipsisMask >> i) & 1) && !((m.newAxisMask >> i) & 1)) sparseAxes++;
  const dense: DenseSpec[] = [];
  const outShape: number[] = [];
  const finalDims: { axis: number | undefined; shrink: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    if ((m.ellipsisMask >> i) & 1) {
      if (ellipsisSeen) throw new EngineError('more than one ellipsis in the ellipsis mask', op);
      ellipsisSeen = true;
      const fill = x.rank - sparseAxes;
      if (fill < 0) throw new EngineError(`slices ${sparseAxes} axes of an input of rank ${x.rank}`, op);
      for (let k = 0; k < fill; k++) {
        finalDims.push({ axis: dense.length, shrink: false });
        dense.push({ begin: 0, end: 0, stride: 1, beginOpen: true, endOpen: true, shrink: false });
      }
      continue;
    }
    if ((m.newAxisMask >> i) & 1) {
      finalDims.push({ axis: undefined, shrink: false });
      continue;
    }
    const shrink = ((m.shrinkAxisMask >> i) & 1) === 1;
    finalDims.push({ axis: dense.length, shrink });
    dense.push({ begin: begin[i], end: end[i], stride: strides[i], beginOpen: ((m.beginMask >> i) & 1) === 1, endOpen: ((m.endMask >> i) & 1) === 1, shrink });
  }
  // Without an ellipsis, axes past the spec are taken whole.
  while (dense.length < x.rank) {
    finalDims.push({ axis: dense.length, shrink: false });
    dense.push({ begin: 0, end: 0, stride: 1, beginOpen: true, endOpen: true, shrink: false });
  }
  if (dense.length > x.rank) throw new EngineError(`slices ${dense.length} axes of an input of rank ${x.rank} ${fmtShape(x.shape)}`, op);
  const starts: number[] = [];
  const steps: number[] = [];
  const counts: number[] = [];
  dense.forEach((s, axis) => {
    const dim = x.shape[axis];
    if (s.stride === 0 || !Number.isInteger(s.stride)) throw new EngineError(`stride ${s.stride} on axis ${axis} is not a non-zero integer`, op);
    if (s.shrink) {
      const at = s.begin < 0 ? s.begin + dim : s.begin;
      if (at < 0 || at >= dim) throw new EngineError(`index ${s.begin} is out of range for axis ${axis} of size ${dim}`, op);
      starts.push(at);
      steps.push(1);
      counts.push(1);
      return;
    }
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    const pos = s.stride > 0;
    let b = s.beginOpen ? (pos ? 0 : dim - 1) : (s.begin < 0 ? s.begin + dim : s.begin);
    let e = s.endOpen ? (pos ? dim : -1) : (s.end < 0 ? s.end + dim : s.end);
    if (pos) {
      b = clamp(b, 0, dim);
      e = clamp(e, 0, dim);
    } else {
      b = clamp(b, -1, dim - 1);
      e = clamp(e, -1, dim - 1);
    }
    const count = Math.max(0, Math.ceil((e - b) / s.stride));
    starts.push(b);
    steps.push(s.stride);
    counts.push(count);
  });
  for (const f of finalDims) {
    if (f.axis === undefined) outShape.push(1);
    else if (!f.shrink) outShape.push(counts[f.axis]);
  }
  const size = counts.reduce((a, c) => a * c, 1);
  const out = allocate(x.dtype, size);
  const xs = stridesOf(x.shape);
  const idx = new Array<number>(counts.length).fill(0);
  for (let o = 0; o < size; o++) {
    let src = 0;
    for (let a = 0; a < counts.length; a++) src += (starts[a] + idx[a] * steps[a]) * xs[a];
    out[o] = x.data[src];
    for (let a = counts.length - 1; a >= 0; a--) {
      if (++idx[a] < counts[a]) break;
      idx[a] = 0;
    }
  }
  return new Tensor(x.dtype, outShape, out);
}

/** TF Slice: `size[i]` elements from `begin[i]` on each axis; -1 takes the rest. */
export function sliceBySize<D extends DType>(x: Tensor<D>, begin: readonly number[], size: readonly number[]): Tensor<D> {
  const op = 'tfSlice';
  if (begin.length !== x.rank || size.length !== x.rank) throw new EngineError(`begin and size must have ${x.rank} entries for an input ${fmtShape(x.shape)}, got ${begin.length} and ${size.length}`, op);
  const ends = size.map((s, i) => {
    const e = s === -1 ? x.shape[i] : begin[i] + s;
    if (begin[i] < 0 || e > x.shape[i] || e < begin[i]) throw new EngineError(`begin ${begin[i]} and size ${s} do not fit axis ${i} of size ${x.shape[i]}`, op);
    return e;
  });
  const m: StridedSliceMasks = { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 };
  return stridedSlice(x, begin, ends, begin.map(() => 1), m);
}

/** TF GatherNd: the last axis of `indices` indexes the leading axes of `params`. */
export function gatherNd<D extends DType>(params: Tensor<D>, indices: Tensor): Tensor<D> {
  const op = 'tfGatherNd';
  if (indices.rank < 1) throw new EngineError('indices must have rank 1 or more', op);
  const depth = indices.shape[indices.rank - 1];
  if (depth > params.rank) throw new EngineError(`indices index ${depth} axes of params ${fmtShape(params.shape)}`, op);
  const outer = indices.shape.slice(0, -1);
  const inner = params.shape.slice(depth);
  const slice = inner.reduce((a, d) => a * d, 1);
  const count = outer.reduce((a, d) => a * d, 1);
  const ps = stridesOf(params.shape);
  const out = allocate(params.dtype, count * slice);
  for (let i = 0; i < count; i++) {
    let src = 0;
    for (let k = 0; k < depth; k++) {
      const v = Number(indices.data[i * depth + k]);
      if (!Number.isInteger(v) || v < 0 || v >= params.shape[k]) throw new EngineError(`index ${v} is out of range for axis ${k} of size ${params.shape[k]}`, op);
      src += v * ps[k];
    }
    for (let j = 0; j < slice; j++) out[i * slice + j] = params.data[src + j];
  }
  return new Tensor(params.dtype, [...outer, ...inner], out);
}

/** TF Where with one input: the coordinates of the true (non-zero) elements, [count, rank] int32, in row-major order. */
export function whereIndices(x: Tensor): Tensor<'int32'> {
  const coords: number[] = [];
  const st = stridesOf(x.shape);
  for (let i = 0; i < x.size; i++) {
    if (!x.data[i]) continue;
    let r = i;
    for (const s of st) {
      coords.push(Math.floor(r / s));
      r %= s;
    }
  }
  return new Tensor('int32', [coords.length / Math.max(1, x.rank), x.rank], Int32Array.from(coords));
}
