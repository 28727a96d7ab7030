import { afterAll, expect } from 'vitest';
import { useWasmKernels } from '../../../../src/engine/wasm/index';
import { WasmKernels } from '../../../../src/engine/wasm/runtime';
import type { WasmFlavour } from '../../../../src/engine/wasm/runtime';
import { configureEngine, releaseEngineThreads } from '../../../../src/node/engineSetup';

/** The builds and thread counts every WebAssembly kernel is tested on. */
export const BUILDS: [WasmFlavour, number][] = [['simd', 1], ['relaxed', 1], ['relaxed', 2]];

/** A fresh runtime of `flavour` on `threads` threads, made the engine's (the previous worker threads stopped). */
export function freshKernels(flavour: WasmFlavour, threads: number): WasmKernels {
  releaseEngineThreads();
  const rt = new WasmKernels(flavour);
  useWasmKernels(rt);
  expect(configureEngine({ threads }).threads).toBe(threads);
  return rt;
}

/** After the file's tests: worker threads stopped, the engine back on the best build. */
export function restoreKernelsAfterAll(): void {
  afterAll(() => {
    releaseEngineThreads();
    useWasmKernels(undefined);
  });
}
