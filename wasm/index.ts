// The engine's WebAssembly kernels: one module, built twice by scripts/build-wasm.mjs (128-bit SIMD, and SIMD with
// relaxed-SIMD fused multiply-add). Every export works on byte addresses in one shared memory that the engine
// manages from JavaScript (src/engine/wasm/runtime.ts); the module allocates nothing itself. Exports that split
// across threads take `part` and `parts` last.

export { gemm, gemmScratchFloats, gemmStreamRows } from './gemm';
