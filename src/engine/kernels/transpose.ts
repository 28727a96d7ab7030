import { EngineError } from '../errors';
import { allocate, stridesOf, Tensor } from '../tensor';
import type { DType, TensorData } from '../tensor';
import { fmtShape } from './opArgs';

/**
 * ONNX Transpose-21: output axis i is input axis `perm[i]`; without `perm` the axes are reversed.
 *
 * Before copying, axes of size 1 are dropped and input axes that stay neighbours in the output are merged,
 * so NCHW→NHWC becomes a batch of 2-D transposes ([N, C, H·W] with perm [0, 2, 1]); the innermost two
 * output axes are then copied in cache-sized tiles.
 */
export function transpose<D extends DType>(x: Tensor<D>, perm?: readonly number[]): Tensor<D> {
  const rank = x.rank;
  const p = perm ?? x.shape.map((_, i) => rank - 1 - i);
  checkPerm(p, rank);
  const outShape = p.map((a) => x.shape[a]);
  const out = allocate(x.dtype, x.size);
  if (x.size > 0) {
    const { dims, order } = simplify(x.shape, p);
    permuteInto(x.data, dims, order, out);
  }
  return new Tensor(x.dtype, outShape, out);
}

function checkPerm(perm: readonly number[], rank: number): void {
  const seen = new Set<number>();
  for (const a of perm) {
    if (Number.isInteger(a) && a >= 0 && a < rank) seen.add(a);
  }
  if (perm.length !== rank || seen.size !== rank) {
    throw new EngineError(`'perm' ${fmtShape(perm)} is not a permutation of the ${rank} axes of the input`, 'transpose');
  }
}

/** Drops size-1 axes and merges runs of input axes that remain adjacent and in order in the output. */
function simplify(shape: readonly number[], perm: readonly number[]): { dims: number[]; order: number[] } {
  const kept = perm.filter((a) => shape[a] !== 1);
  // Renumber the kept axes 0..k-1 in input order.
  const sorted = [...kept].sort((a, b) => a - b);
  const rank = new Map(sorted.map((a, i) => [a, i]));
  const q = kept.map((a) => rank.get(a) as number);
  const keptDims = sorted.map((a) => shape[a]);
  // Group output positions whose input axes are consecutive.
  const groups: number[][] = [];
  for (const a of q) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === a) last.push(a);
    else groups.push([a]);
  }
  // Each group becomes one axis; number groups by their first input axis.
  const firsts = groups.map((g) => g[0]).sort((a, b) => a - b);
  const dims = firsts.map((f) => groups.find((g) => g[0] === f)!.reduce((n, a) => n * keptDims[a], 1));
  const order = groups.map((g) => firsts.indexOf(g[0]));
  return { dims, order };
}

const TILE = 32;

/** Writes `src` (row-major over `dims`) permuted by `order` into `dst`. */
function permuteInto(src: TensorData, dims: readonly number[], order: readonly number[], dst: TensorData): void {
  const m = dims.length;
  if (m <= 1) {
    dst.set(src as ArrayLike<number>);
    return;
  }
  const inStrides = stridesOf(dims);
  const oDims = order.map((a) => dims[a]);
  const oStr = order.map((a) => inStrides[a]);
  const rows = oDims[m - 2];
  const cols = oDims[m - 1];
  const rs = oStr[m - 2];
  const cs = oStr[m - 1];
  const outer = m - 2;
  const idx = new Array<number>(outer).fill(0);
  let base = 0;
  let o = 0;
  const block = rows * cols;
  const count = src.length / block;
  for (let b = 0; b < count; b++) {
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, cols);
        for (let i = i0; i < i1; i++) {
          let s = base + i * rs + j0 * cs;
          let d = o + i * cols + j0;
          for (let j = j0; j < j1; j++, s += cs) dst[d++] = src[s];
        }
      }
    }
    o += block;
    // Odometer over the outer output axes.
    for (let k = outer - 1; k >= 0; k--) {
      base += oStr[k];
      if (++idx[k] < oDims[k]) break;
      base -= oStr[k] * oDims[k];
      idx[k] = 0;
    }
  }
}
