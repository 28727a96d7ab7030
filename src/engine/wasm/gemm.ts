import { isConstant, wasmKernels } from './index';

/** Below this many multiply-adds a call costs more than the product: the TypeScript kernel runs. */
const MIN_WORK = 4096;

/**
 * C[m×n] (+)= alpha · op(A) · op(B) in WebAssembly, with the layouts of `sgemmEx` (kernels/sgemm.ts). Weights
 * (see markConstant) are read from their kept copy; other operands are copied in, C is copied out. Returns false
 * when it did nothing (no WebAssembly, too small, memory full): the caller runs the TypeScript kernel.
 */
export function wasmGemm(
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOff: number, transA: boolean,
  b: Float32Array, bOff: number, transB: boolean,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): boolean {
  if (m * n * k < MIN_WORK || k <= 0) return false;
  const rt = wasmKernels();
  if (!rt) return false;
  const aLen = m * k;
  const bLen = k * n;
  const aKept = isConstant(a) ? rt.constant(a) : 0;
  const bKept = isConstant(b) ? rt.constant(b) : 0;
  const aPtr = aKept ? aKept + aOff * 4 : rt.copyIn(a, aOff, aLen);
  const bPtr = bKept ? bKept + bOff * 4 : rt.copyIn(b, bOff, bLen);
  const cPtr = rt.alloc(m * n * 4);
  try {
    if (!aPtr || !bPtr || !cPtr) return false;
    if (accumulate) rt.f32().set(c.subarray(cOff, cOff + m * n), cPtr / 4);
    const parts = rt.partsFor(m * n * k, undefined, k);
    const scratch = rt.scratch(parts * rt.call('gemmScratchFloats') * 4);
    if (!scratch) return false;
    rt.split('gemm', [
      m, n, k, alpha,
      aPtr, transA ? 1 : k, transA ? m : 1,
      bPtr, transB ? 1 : n, transB ? k : 1,
      cPtr, accumulate ? 1 : 0, scratch,
    ], parts);
    rt.copyOut(cPtr, c, cOff, m * n);
    return true;
  } finally {
    if (!aKept) rt.release(aPtr);
    if (!bKept) rt.release(bPtr);
    rt.release(cPtr);
  }
}
