import { EngineError } from '../errors';
import { checkBias, checkGroup, checkImage, checkWeight } from '../kernels/conv';
import { readWindowOptions, slidingWindow, volume } from '../kernels/convGeometry';
import { col2im, im2col, windowRanges } from '../kernels/im2col';
import { intAttr, intList } from '../kernels/opArgs';
import { sgemmEx } from '../kernels/sgemm';
import { Tensor } from '../tensor';
import { normGradRules } from './norm';
import { gradOutput, poolGradRules } from './pool';
import type { GradContext, GradRule } from './types';

/**
 * Vector-Jacobian product of ONNX Conv as the engine runs it (src/engine/kernels/conv.ts): NCHW, 1 to 3 spatial
 * axes, groups (depthwise included), strides, dilations, explicit or automatic pads. Channels-last models reach
 * this op through transposes around it, which have their own rule, so one layout suffices here.
 *
 * With the column matrix col = im2col(x) of each batch item and group ([Cg·K × P]) the forward is
 * y_g = W_g · col + b, so ∂x is col2im(W_gᵀ · ∂y_g), ∂W_g = Σ_n ∂y_g · colᵀ and ∂b = Σ ∂y over batch and space.
 */
export function convGrad(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'conv';
  const [x, w, b] = ctx.inputs;
  if (!x || !w) throw new EngineError(`the gradient needs the inputs 'x' and 'w'`, op);
  checkImage(op, 'x', x);
  checkWeight(op, x, w, intList(op, 'kernelShape', undefined, ctx.attrs.kernelShape));
  const group = intAttr(op, ctx.attrs, 'group', 1);
  const [N, C] = x.shape;
  const M = w.shape[0];
  checkGroup(op, group, C, M, "the output channels of 'w'");
  checkBias(op, b, M);
  const Cg = C / group;
  const Mg = M / group;
  const win = slidingWindow(op, x.shape.slice(2), w.shape.slice(2), readWindowOptions(op, ctx.attrs));
  const outShape = [N, M, ...win.outSize.slice(3 - win.rank)];
  const dy = gradOutput(op, ctx, outShape);
  const K = Cg * volume(win.kernel);
  const P = volume(win.outSize);
  const inPlane = volume(win.inSize);
  const ranges = windowRanges(win);
  const rows = win.outSize[0] * win.outSize[1];
  const xd = x.data as Float32Array;
  const wd = w.data as Float32Array;
  const dx = new Float32Array(x.size);
  const dw = new Float32Array(w.size);
  const col = new Float32Array(K * P);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      const xOff = (n * C + g * Cg) * inPlane;
      const yOff = (n * M + g * Mg) * P;
      const wOff = g * Mg * K;
      // ∂W_g += ∂y_g [Mg × P] · colᵀ [P × K]
      im2col(xd, xOff, Cg, win, ranges, 0, rows, col);
      sgemmEx(Mg, K, P, 1, dy, yOff, false, col, 0, true, dw, wOff, true);
      // ∂col = W_gᵀ [K × Mg] · ∂y_g [Mg × P], scattered back onto the input positions it was read from.
      sgemmEx(K, P, Mg, 1, wd, wOff, true, dy, yOff, false, col, 0, false);
      col2im(col, Cg, win, ranges, dx, xOff);
    }
  }
  const grads: (Tensor | undefined)[] = [new Tensor('float32', x.shape, dx), new Tensor('float32', w.shape, dw)];
  if (ctx.inputs.length > 2) grads.push(b ? new Tensor('float32', b.shape, biasGrad(dy, N, M, P)) : undefined);
  return grads;
}

/** ∂b[m] = Σ over batch and output positions of ∂y[n, m, ...]. */
function biasGrad(dy: Float32Array, N: number, M: number, P: number): Float32Array {
  const db = new Float32Array(M);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let i = (n * M + m) * P, e = i + P; i < e; i++) s += dy[i];
      db[m] += s;
    }
  }
  return db;
}

/**
 * The rules of this file and its neighbours (pools, normalisations), keyed by engine op name; merged into the
 * full table by ./index.
 */
export const convGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['conv', convGrad],
  ...poolGradRules,
  ...normGradRules,
]);
