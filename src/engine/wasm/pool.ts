import type { Window3 } from '../kernels/convGeometry';
import { wasmKernels } from './index';

/** Window pooling in WebAssembly: the maximum, the mean of real elements, the mean over the padded window. */
export type PoolKind = 'max' | 'mean' | 'meanIncludePad';

const KIND: Readonly<Record<PoolKind, number>> = { max: 0, mean: 1, meanIncludePad: 2 };

/**
 * Below this many window taps (output elements × kernel size) pooling runs in TypeScript: copying the planes in
 * and out costs more than the loop saves.
 */
const MIN_TAPS = 16384;
/** Below this many input elements a global pool runs in TypeScript. */
const MIN_GLOBAL = 16384;
/** Floats read past the end of the input by the stride-2 vector loads (see wasm/window.ts, load4). */
const SLACK = 16;
/** Taps per thread before a call splits over planes. */
const TAPS_PER_PART = 1 << 19;

/**
 * MaxPool or AveragePool over one or two spatial axes (the window's depth axis trivial) of `planes` planes, with
 * the TypeScript kernel's semantics (kernels/pool.ts). `padEnd` is the end padding of H and W, which only
 * `meanIncludePad` reads. Returns the output planes, or null when it did nothing (no WebAssembly, a 3-D window,
 * too small, memory full): the caller runs the TypeScript kernel.
 */
export function wasmPool(x: Float32Array, planes: number, win: Window3, padEnd: readonly [number, number], kind: PoolKind): Float32Array | null {
  const [D, H, W] = win.inSize;
  const [OD, OH, OW] = win.outSize;
  const [KD, KH, KW] = win.kernel;
  if (D !== 1 || OD !== 1 || KD !== 1 || win.padBegin[0] !== 0 || x.length !== planes * H * W) return null;
  const taps = planes * OH * OW * KH * KW;
  if (taps < MIN_TAPS) return null;
  const rt = wasmKernels();
  if (!rt) return null;
  const xPtr = rt.alloc((x.length + SLACK) * 4);
  const yPtr = rt.alloc(planes * OH * OW * 4);
  try {
    if (!xPtr || !yPtr) return null;
    rt.f32().set(x, xPtr / 4);
    rt.split('pool2d', [
      xPtr, planes, H, W, yPtr, OH, OW, KH, KW, win.strides[1], win.strides[2], win.dilations[1], win.dilations[2],
      win.padBegin[1], win.padBegin[2], padEnd[0], padEnd[1], KIND[kind],
    ], Math.min(planes, rt.partsFor(taps, TAPS_PER_PART, taps / (planes * OH * OW))));
    const out = new Float32Array(planes * OH * OW);
    rt.copyOut(yPtr, out, 0, out.length);
    return out;
  } finally {
    rt.release(xPtr);
    rt.release(yPtr);
  }
}

/**
 * GlobalMaxPool or GlobalAveragePool of `planes` planes of `size` elements (the mean summed in float64).
 * Returns one value per plane, or null when it did nothing: the caller runs the TypeScript kernel.
 */
export function wasmGlobalPool(x: Float32Array, planes: number, size: number, kind: 'max' | 'mean'): Float32Array | null {
  if (planes * size < MIN_GLOBAL || size === 0 || x.length !== planes * size) return null;
  const rt = wasmKernels();
  if (!rt) return null;
  const xPtr = rt.copyIn(x, 0, x.length);
  const yPtr = rt.alloc(planes * 4);
  try {
    if (!xPtr || !yPtr) return null;
    rt.split('globalPool', [xPtr, planes, size, yPtr, KIND[kind]], Math.min(planes, rt.partsFor(planes * size, TAPS_PER_PART)));
    const out = new Float32Array(planes);
    rt.copyOut(yPtr, out, 0, planes);
    return out;
  } finally {
    rt.release(xPtr);
    rt.release(yPtr);
  }
}
