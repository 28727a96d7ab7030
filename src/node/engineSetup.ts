import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { wasmKernels } from '../engine/wasm/index';
import type { WasmKernels } from '../engine/wasm/runtime';
import { KernelPool } from './kernelPool';

/** What the engine runs on: its threads, and which WebAssembly build (none: the TypeScript kernels). */
export interface EngineInfo {
  readonly threads: number;
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
}

export interface EngineOptions {
  /** Threads for big kernels, the caller's included; 0 or absent: every core (`os.availableParallelism()`). */
  readonly threads?: number;
}

let relaxedAsked = false;
let pool: KernelPool | null = null;
/** The kernels `pool` was made for (tests and embedders may swap them: see useWasmKernels). */
let poolKernels: WasmKernels | null = null;

/**
 * Node 20's V8 has relaxed SIMD behind a flag (later versions ship it): turn it on before the kernels are compiled,
 * so that the fused multiply-add build can be chosen. The flag only lets more WebAssembly modules validate.
 */
function allowRelaxedSimd(): void {
  if (relaxedAsked) return;
  relaxedAsked = true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // An embedder that refuses V8 flags keeps plain SIMD.
  }
}

// Before anything can compile the kernels (a model's weights move into their memory as it loads).
allowRelaxedSimd();

/** The thread count that `threads` asks for. */
export function resolveThreads(threads: number | undefined): number {
  if (threads === undefined || threads === 0) return Math.max(1, availableParallelism());
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`threads must be a positive integer, not ${threads}`);
  return threads;
}

/**
 * Sets the engine up for this thread: compiles the WebAssembly kernels (the best build the runtime supports) and
 * starts `threads − 1` worker threads for big kernels. May be called again to change the count.
 */
export function configureEngine(options: EngineOptions = {}): EngineInfo {
  const threads = resolveThreads(options.threads);
  allowRelaxedSimd();
  const rt = wasmKernels();
  if (rt && (poolKernels !== rt || rt.threadCount !== threads)) {
    pool = threads > 1 ? new KernelPool(rt.module, rt.memory, rt.exportNames, threads) : null;
    poolKernels = rt;
    rt.setThreads(pool);
  }
  return engineInfo();
}

/** Stops the worker threads (the kernels stay, on one thread). */
export function releaseEngineThreads(): void {
  wasmKernels()?.setThreads(null);
  pool = null;
  poolKernels = null;
}

export function engineInfo(): EngineInfo {
  const rt = wasmKernels();
  return { threads: rt?.threadCount ?? 1, simd: rt !== null, relaxedSimd: rt?.flavour === 'relaxed' };
}
