import type { Tensor, TensorData } from '../tensor';
import { bestFlavour, WasmKernels } from './runtime';
import type { WasmFlavour } from './runtime';

/**
 * Which kernels the engine runs: the WebAssembly ones when the runtime compiles them (made on first use), the
 * TypeScript ones otherwise or when switched off. The TypeScript kernels are the reference the others are tested
 * against, and what runs where WebAssembly SIMD is missing.
 */

let kernels: WasmKernels | null | undefined;
let enabled = true;
const constants = new WeakSet<object>();

/** The WebAssembly kernels, or null when they are off or cannot run here. */
export function wasmKernels(): WasmKernels | null {
  if (!enabled) return null;
  if (kernels === undefined) {
    const flavour = bestFlavour();
    try {
      kernels = flavour ? new WasmKernels(flavour) : null;
    } catch {
      kernels = null;
    }
  }
  return kernels;
}

/** Uses these kernels from now on (a build of the caller's choosing; undefined: the best build, made again). */
export function useWasmKernels(k: WasmKernels | null | undefined): void {
  if (kernels && kernels !== k) kernels.setThreads(null);
  kernels = k;
}

/** Switches the WebAssembly kernels on or off (tests compare both; the TypeScript kernels remain the reference). */
export function setWasmEnabled(on: boolean): void {
  enabled = on;
}

/** What runs: the build, or null for the TypeScript kernels. */
export function wasmFlavour(): WasmFlavour | null {
  return wasmKernels()?.flavour ?? null;
}

/**
 * Marks a tensor's data as a model's weight: read by every run and never changed, so kernels may keep a copy
 * of it next to their code (for as long as the array lives).
 */
export function markConstant(data: TensorData): void {
  constants.add(data);
}

/** Weights smaller than this stay where they are: a copy per call costs nothing. */
const MIN_MOVED = 256;

/**
 * Marks a model's weight as constant and moves its values into the WebAssembly memory, where kernels read them
 * without a copy; the JavaScript array it had is left to be collected, so a weight is held once.
 */
export function keepWeight(t: Tensor): void {
  if (t.dtype !== 'float32' || constants.has(t.data)) return;
  const rt = wasmKernels();
  const moved = rt && t.size >= MIN_MOVED ? rt.adopt(t.data as Float32Array) : null;
  if (moved) t.moveTo(moved);
  constants.add(t.data);
}

/**
 * A new float32 array for a weight that a loader is about to fill: in the WebAssembly memory when it can be had
 * (marked constant, as keepWeight would leave it), so that the weight is written once, where kernels read it,
 * rather than made in JavaScript and moved at the first run. Small or when the memory is full: a plain array.
 */
export function weightArray(count: number): Float32Array {
  const rt = count >= MIN_MOVED ? wasmKernels() : null;
  const view = rt?.adopt(null, count) ?? new Float32Array(count);
  constants.add(view);
  return view;
}

export function isConstant(data: TensorData): boolean {
  return constants.has(data);
}
