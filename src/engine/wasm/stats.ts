import { isConstant, wasmKernels } from './index';

/** The partial results of one statistics pass (see wasm/stats.ts); `finish` in ../stats.ts makes the rest. */
export interface StatsParts {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly sumSq: number;
  readonly zeros: number;
  readonly nan: number;
  readonly posInf: number;
  readonly negInf: number;
}

/** Fewest elements for which copy + WebAssembly beats the JavaScript pass, and for a kept weight (no copy). */
const MIN_ELEMENTS = 2048;
const MIN_KEPT = 1024;
/** Elements per part before a pass splits over threads. */
const PER_PART = 1 << 20;

let everySize = false;

/** Tests: route every size to WebAssembly (false) or by the measured crossover (true). */
export function setStatsCrossover(measured: boolean): void {
  everySize = !measured;
}

/**
 * The partial statistics of float32 `data` around `shift` in WebAssembly, or null when it did nothing (no
 * WebAssembly, too small to gain, memory full): the caller runs the JavaScript pass, which stays the reference.
 * A weight is read where it is kept; other data is copied in.
 *
 * Crossover, measured on Node 20, one thread, ReLU-like data (best of repeated calls; JavaScript pass / copy +
 * WebAssembly / kept weight, µs): 1,024 elements 1.6 / 1.7 / 1.0; 2,048 3.1 / 2.1 / 1.7; 4,096 6.0 / 3.4 / 2.5;
 * 65,536 92 / 41 / 32; 401,408 577 / 256 / 200; 4,194,304 6,000 / 2,900 / 2,200 — about 1.45 ns an element in
 * JavaScript, 0.65 with the copy, 0.5 without. Splitting over 2 threads gained nothing measurable on a 2-core
 * machine (the copy stays on the calling thread, and the pass is bound by memory); it is kept for parts of a
 * million elements and more.
 */
export function wasmStats(data: Float32Array, shift: number): StatsParts | null {
  const n = data.length;
  const constant = isConstant(data);
  if (n === 0 || (!everySize && n < (constant ? MIN_KEPT : MIN_ELEMENTS))) return null;
  const rt = wasmKernels();
  if (!rt) return null;
  const parts = rt.partsFor(n, PER_PART);
  const kept = constant ? rt.constant(data) : 0;
  // One block: the data (unless kept) and then the parts' results, 64 bytes each.
  const dataBytes = kept ? 0 : Math.ceil(n / 16) * 64;
  const block = rt.alloc(dataBytes + parts * 64);
  try {
    if (!block) return null;
    const x = kept || block;
    if (!kept) rt.f32().set(data, block / 4);
    const out = block + dataBytes;
    rt.split('stats', [x, n, shift, out], parts);
    const r = new Float64Array(rt.memory.buffer, out, parts * 8);
    // Each part wrote min, max, sum, sum of squares, zeros, NaN, +Inf, −Inf: the extremes combine, the rest add.
    const total = [Infinity, -Infinity, 0, 0, 0, 0, 0, 0];
    for (let p = 0; p < parts * 8; p += 8) {
      total[0] = r[p] < total[0] ? r[p] : total[0];
      total[1] = r[p + 1] > total[1] ? r[p + 1] : total[1];
      for (let f = 2; f < 8; f++) total[f] += r[p + f];
    }
    const [min, max, sum, sumSq, zeros, nan, posInf, negInf] = total;
    return { min, max, sum, sumSq, zeros, nan, posInf, negInf };
  } finally {
    rt.release(block);
  }
}
