// The engine's WebAssembly kernels: one module, built twice by scripts/build-wasm.mjs (128-bit SIMD, and SIMD with
// relaxed-SIMD fused multiply-add). Every export works on byte addresses in one shared memory that the engine
// manages from JavaScript (src/engine/wasm/runtime.ts); the module allocates nothing itself. Exports that split
// across threads take `part` and `parts` last.

export { gemm, gemmScratchFloats, gemmStreamRows } from './gemm';
export { binary, unary } from './elementwise';
export { affine, layerNorm, softmaxRows } from './norm';
export { conv2d, convScratchFloats, depthwise2d } from './conv';
export { globalPool, pool2d } from './pool';
export { stats } from './stats';
