import type { Window3 } from '../kernels/convGeometry';
import { isConstant, wasmKernels } from './index';
import type { WasmKernels } from './runtime';

/**
 * Below this many multiply-adds a convolution runs in TypeScript: copying the image in and the output out costs
 * more than it saves (measured: MNIST's first conv, 1→16 at 28², 113k multiply-adds, is 1.6× faster here).
 */
const MIN_WORK = 32768;
/** Floats of column matrix per band of conv2d: small enough that a band is still in cache when gemm packs it. */
const BAND_FLOATS = 1 << 16;
/** Floats read past the end of the image by the stride-2 vector loads (see wasm/window.ts, load4). */
const SLACK = 16;
/** Multiply-adds per thread before a depthwise call splits: its loop is light, so threads pay off sooner. */
const DEPTHWISE_PER_PART = 1 << 18;
/** Pixels are split between threads in multiples of this many (gemm's column tile). */
const PIXEL_UNIT = 8;

/** Where the operands live in the WebAssembly memory, and which of them this call copied in. */
interface Operands {
  readonly x: number;
  readonly w: number;
  readonly b: number;
  readonly y: number;
  readonly owned: number[];
}

function place(rt: WasmKernels, x: Float32Array, w: Float32Array, b: Float32Array | undefined, ySize: number): Operands | null {
  const owned: number[] = [];
  const kept = (data: Float32Array): number => {
    const ptr = isConstant(data) ? rt.constant(data) : 0;
    if (ptr) return ptr;
    const copy = rt.copyIn(data, 0, data.length);
    if (copy) owned.push(copy);
    return copy;
  };
  const wPtr = kept(w);
  const bPtr = b ? kept(b) : 0;
  const xPtr = rt.alloc((x.length + SLACK) * 4);
  if (xPtr) owned.push(xPtr);
  const yPtr = rt.alloc(ySize * 4);
  if (yPtr) owned.push(yPtr);
  if (!wPtr || (b && !bPtr) || !xPtr || !yPtr) {
    for (const p of owned) rt.release(p);
    return null;
  }
  rt.f32().set(x, xPtr / 4);
  return { x: xPtr, w: wPtr, b: bPtr, y: yPtr, owned };
}

/**
 * ONNX Conv over one or two spatial axes (the window's depth axis trivial) in WebAssembly, for N images
 * x [N, group·Cg, H, W], w [group·Mg, Cg, KH, KW], b [group·Mg]: the depthwise kernel for one input channel per
 * group, gemm straight on the input for a 1×1 conv without stride or padding, im2col + gemm in bands otherwise.
 * Returns the output [N, group·Mg, OH, OW], or null when it did nothing (no WebAssembly, a 3-D window, too small,
 * memory full): the caller runs the TypeScript kernel.
 */
export function wasmConv(
  x: Float32Array, w: Float32Array, b: Float32Array | undefined,
  N: number, group: number, Cg: number, Mg: number, win: Window3,
): Float32Array | null {
  const [D, H, W] = win.inSize;
  const [OD, OH, OW] = win.outSize;
  const [KD, KH, KW] = win.kernel;
  if (D !== 1 || OD !== 1 || KD !== 1 || win.padBegin[0] !== 0) return null;
  const [, sh, sw] = win.strides;
  const [, dh, dw] = win.dilations;
  const [, ph, pw] = win.padBegin;
  const M = group * Mg;
  const C = group * Cg;
  const P = OH * OW;
  const K = Cg * KH * KW;
  if (N * M * P * K < MIN_WORK || x.length !== N * C * H * W) return null;
  const rt = wasmKernels();
  if (!rt) return null;
  const ops = place(rt, x, w, b, N * M * P);
  if (!ops) return null;
  try {
    if (Cg === 1) {
      // One input channel per group (depthwise, or a single-channel image): the direct kernel, all images at once.
      const parts = Math.min(N * M, rt.partsFor(N * M * P * KH * KW, DEPTHWISE_PER_PART, KH * KW));
      rt.split('depthwise2d', [
        ops.x, N, H, W, ops.w, ops.b, ops.y, M, Mg, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw,
      ], parts);
    } else if (KH === 1 && KW === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0 && OH === H && OW === W) {
      const parts = rt.partsFor(Mg * P * Cg, undefined, Cg);
      const scratch = rt.scratch(parts * rt.call('gemmScratchFloats') * 4);
      if (!scratch) return null;
      if (b) {
        const y = rt.f32();
        for (let i = 0; i < N * M; i++) y.fill(b[i % M], ops.y / 4 + i * P, ops.y / 4 + (i + 1) * P);
      }
      for (let n = 0; n < N; n++) {
        for (let g = 0; g < group; g++) {
          rt.split('gemm', [
            Mg, P, Cg, 1, ops.w + g * Mg * Cg * 4, Cg, 1, ops.x + (n * C + g * Cg) * P * 4, P, 1,
            ops.y + (n * M + g * Mg) * P * 4, b ? 1 : 0, scratch,
          ], parts);
        }
      }
    } else {
      const band = Math.min(Math.ceil(P / PIXEL_UNIT), Math.max(1, Math.floor(BAND_FLOATS / K / PIXEL_UNIT))) * PIXEL_UNIT;
      const parts = Math.min(Math.max(N, Math.ceil(P / PIXEL_UNIT)), rt.partsFor(N * M * P * K, undefined, K));
      const scratch = rt.scratch(parts * rt.call('convScratchFloats', K, Mg, band) * 4);
      if (!scratch) return null;
      rt.split('conv2d', [
        ops.x, N, H, W, Cg, group, ops.w, ops.b, ops.y, Mg, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, band, scratch,
      ], parts);
    }
    const out = new Float32Array(N * M * P);
    rt.copyOut(ops.y, out, 0, N * M * P);
    return out;
  } finally {
    for (const p of ops.owned) rt.release(p);
  }
}
