import { EngineError } from '../errors';
import { Tensor } from '../tensor';
import { biasFilled, checkBias, checkGroup, checkImage, checkWeight } from './conv';
import type { TransposeWindowOptions } from './convGeometry';
import { transposeWindow, volume } from './convGeometry';
import { col2im, windowRanges } from './im2col';
import { fmtShape } from './opArgs';
import { sgemm } from './sgemm';

export interface ConvTransposeOptions extends TransposeWindowOptions {
  /** Spatial kernel shape; when given it must match w. */
  readonly kernelShape?: readonly number[];
  readonly group?: number;
}

/**
 * ONNX ConvTranspose (opset 22), the gradient of Conv with respect to its input: x [N, C, ...], w [C, M/group, ...k],
 * y [N, M, ...]. Each input position scatters x·w into the output window it maps to. Computed per batch item and
 * group as col = w_gᵀ · x_g (sgemm) followed by {@link col2im}.
 */
export function convTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, opts: ConvTransposeOptions = {}): Tensor<'float32'> {
  const op = 'convTranspose';
  checkImage(op, 'x', x);
  checkWeight(op, x, w, opts.kernelShape);
  const group = opts.group ?? 1;
  const [N, C] = x.shape;
  if (w.shape[0] !== C) {
    throw new EngineError(`input 'w' must have ${C} input channels (dimension 0) like 'x' ${fmtShape(x.shape)}, got ${fmtShape(w.shape)}`, op);
  }
  const Mg = w.shape[1];
  const M = Mg * group;
  checkGroup(op, group, C, M, 'the output channels');
  checkBias(op, b, M);
  const win = transposeWindow(op, x.shape.slice(2), w.shape.slice(2), opts);
  const Cg = C / group;
  const K = volume(win.kernel);
  const Pin = volume(win.outSize);
  const Pout = volume(win.inSize);
  const rows = Mg * K;
  const wd = w.data as Float32Array;
  const xd = x.data as Float32Array;
  // wT[g] is w_g transposed: [Mg·K × Cg], so that col[Mg·K × Pin] = wT[g] · x_g[Cg × Pin].
  const wT = new Float32Array(group * rows * Cg);
  for (let g = 0; g < group; g++) {
    const base = g * Cg * rows;
    for (let c = 0; c < Cg; c++) {
      for (let r = 0; r < rows; r++) wT[base + r * Cg + c] = wd[base + c * rows + r];
    }
  }
  const ranges = windowRanges(win);
  const col = new Float32Array(rows * Pin);
  const y = biasFilled(N * M * Pout, b, M, Pout);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      sgemm(rows, Pin, Cg, wT, g * rows * Cg, xd, (n * C + g * Cg) * Pin, col, 0, false);
      col2im(col, Mg, win, ranges, y, (n * M + g * Mg) * Pout);
    }
  }
  return new Tensor('float32', [N, M, ...win.inSize.slice(3 - win.rank)], y);
}
