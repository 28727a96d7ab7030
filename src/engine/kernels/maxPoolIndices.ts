import { EngineError } from '../errors';
import { Tensor, allocate } from '../tensor';
import type { DType } from '../tensor';
import { checkImage } from './conv';
import { perAxis, slidingWindow } from './convGeometry';
import type { PoolOptions } from './pool';

/**
 * ONNX MaxPool-22 with its second output, Indices: for each window the largest input (padding never wins;
 * the first of equal values) and its position in the whole input tensor flattened, ignoring padding. With
 * `storageOrder` 1 the spatial position is counted column-major (the first spatial axis fastest), as the
 * spec's storage_order asks. Y keeps the input's dtype. One plain loop per window: this op is rare, the fast
 * pooling loops stay in ./pool.
 */
export function maxPoolWithIndices<D extends DType>(x: Tensor<D>, opts: PoolOptions & { storageOrder?: number }): [Tensor<D>, Tensor<'int64'>] {
  const op = 'maxPool';
  checkImage(op, 'x', x);
  const rank = x.rank - 2;
  if (!opts.kernelShape || opts.kernelShape.length === 0) throw new EngineError(`attribute 'kernelShape' is required`, op);
  const kernel = perAxis(op, 'kernelShape', opts.kernelShape, rank, 1, 1);
  const win = slidingWindow(op, x.shape.slice(2), kernel, opts, opts.ceilMode ?? false);
  const [D, H, W] = win.inSize;
  const [OD, OH, OW] = win.outSize;
  const [KD, KH, KW] = win.kernel;
  const [sd, sh, sw] = win.strides;
  const [dd, dh, dw] = win.dilations;
  const [pd, ph, pw] = win.padBegin;
  const planes = x.shape[0] * x.shape[1];
  const inPlane = D * H * W;
  const outPlane = OD * OH * OW;
  const y = allocate(x.dtype, planes * outPlane);
  const idx = new Float64Array(planes * outPlane);
  const colMajor = (opts.storageOrder ?? 0) === 1;
  // The spatial sizes of the op's own axes, outermost first, for the column-major index.
  const sizes = [D, H, W].slice(3 - rank);
  const position = (d: number, h: number, w: number): number => {
    if (!colMajor) return (d * H + h) * W + w;
    const pos = [d, h, w].slice(3 - rank);
    let index = 0;
    for (let i = rank - 1; i >= 0; i--) index = index * sizes[i] + pos[i];
    return index;
  };
  for (let p = 0, o = 0; p < planes; p++) {
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let kd = 0; kd < KD; kd++) {
            const d = od * sd - pd + kd * dd;
            if (d < 0 || d >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const h = oh * sh - ph + kh * dh;
              if (h < 0 || h >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const w = ow * sw - pw + kw * dw;
                if (w < 0 || w >= W) continue;
                const v = x.data[p * inPlane + (d * H + h) * W + w];
                if (v > best || at < 0) {
                  best = v;
                  at = position(d, h, w);
                }
              }
            }
          }
          y[o] = best;
          idx[o] = p * inPlane + Math.max(at, 0);
        }
      }
    }
  }
  const shape = [x.shape[0], x.shape[1], ...win.outSize.slice(3 - rank)];
  return [new Tensor(x.dtype, shape, y), new Tensor('int64', shape, idx)];
}
