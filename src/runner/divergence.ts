import type { Tensor } from '../engine/tensor';
import { RunnerError } from './errors';

/**
 * How two runs of a model are told apart value by value: `layerstep diff`, `trace --dump` and the debugger's
 * second thread (each frame's divergence from its counterpart) share these, so that a value the CLI calls
 * diverged is the one the debugger marks.
 */

/**
 * An element of `a` agrees with the element of `b` when |a − b| ≤ atol + rtol·|b|: the rule of NumPy's `isclose`,
 * with `b` the reference side (the counterpart), so the relative part scales with what is expected.
 */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/**
 * Loose enough for float32 kernels that sum in another order or with fused multiply-adds (differences of a few
 * ulps grow to about 1e-5 over a deep model), tight enough that a changed weight or input element shows.
 */
export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-3 };

/** What {@link compareTensors} found. Numbers are NaN when they cannot be computed (see there). */
export interface Comparison {
  /** max |a − b| over the elements. */
  readonly maxAbs: number;
  /** max |a − b| / |b| over the elements whose `b` is not 0; 0 when every `b` is 0. */
  readonly maxRel: number;
  /** a·b / (|a| |b|); 1 when both are all zeros, 0 when only one is. */
  readonly cosine: number;
  /** Some element is beyond the tolerance, or the shapes differ. */
  readonly diverged: boolean;
}

/** The parts of a tensor a comparison reads: any dtype, its elements as numbers. */
export type Comparable = Pick<Tensor, 'shape' | 'data'>;

/**
 * Compares `a` (the run looked at) with `b` (its counterpart, the reference), in one pass in float64.
 *
 * - Tensors of different shapes diverge, and their numbers are NaN: no element pairs up with another.
 * - NaN agrees only with NaN at the same element, and an infinity only with the same infinity; such agreeing
 *   elements count as a difference of 0. A NaN against a number makes maxAbs and maxRel NaN; an infinity against
 *   anything else makes them Infinity.
 * - The cosine is taken over the elements where both are finite, so agreeing infinities (attention masks of
 *   -Infinity) do not blank it out.
 */
export function compareTensors(a: Comparable, b: Comparable, tolerance: Tolerance = DEFAULT_TOLERANCE): Comparison {
  if (!sameShape(a.shape, b.shape)) return { maxAbs: NaN, maxRel: NaN, cosine: NaN, diverged: true };
  const { atol, rtol } = tolerance;
  const x = a.data;
  const y = b.data;
  let maxAbs = 0;
  let maxRel = 0;
  let nanAgainstNumber = false;
  let diverged = false;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < x.length; i++) {
    const p = x[i];
    const q = y[i];
    if (Number.isFinite(p) && Number.isFinite(q)) {
      const diff = Math.abs(p - q);
      const mag = Math.abs(q);
      if (diff > atol + rtol * mag) diverged = true;
      if (diff > maxAbs) maxAbs = diff;
      if (mag !== 0 && diff / mag > maxRel) maxRel = diff / mag;
      dot += p * q;
      normA += p * p;
      normB += q * q;
    } else if (Number.isNaN(p) || Number.isNaN(q)) {
      if (Number.isNaN(p) && Number.isNaN(q)) continue;
      diverged = true;
      nanAgainstNumber = true;
    } else if (p !== q) {
      // One side is infinite (and the other is not the same infinity).
      diverged = true;
      maxAbs = Infinity;
      maxRel = Infinity;
    }
  }
  if (nanAgainstNumber) {
    maxAbs = NaN;
    maxRel = NaN;
  }
  return { maxAbs, maxRel, cosine: cosineOf(dot, normA, normB), diverged };
}

function cosineOf(dot: number, normA: number, normB: number): number {
  if (normA === 0 && normB === 0) return 1;
  if (normA === 0 || normB === 0) return 0;
  // One square root of the product (float32 elements cannot overflow it) keeps equal tensors at exactly 1;
  // rounding can still carry other pairs a hair past ±1.
  return Math.max(-1, Math.min(1, dot / Math.sqrt(normA * normB)));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Reads a tolerance written `ATOL,RTOL` (`1e-4,1e-3`, `0,0.01`): two non-negative finite numbers. Throws a
 * RunnerError whose message is one sentence quoting the text, for the CLI to show as a usage error.
 */
export function parseTolerance(text: string): Tolerance {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 2 && parts.every((p) => NUMBER.test(p))) {
    const [atol, rtol] = parts.map(Number);
    if (Number.isFinite(atol) && Number.isFinite(rtol)) return { atol, rtol };
  }
  throw new RunnerError(`tolerance '${text}' must be ATOL,RTOL: two numbers, 0 or more, separated by a comma (e.g. 1e-4,1e-3).`);
}

/**
 * The file a value is dumped to (`trace --dump`) and looked up in (`diff --reference`): every character outside
 * `[A-Za-z0-9._-]` becomes `_`, then `.npy`. Names such as ONNX's `/encoder/attn/MatMul_output_0` or ours
 * `hidden/matmul:0` thus stay one file in one folder, on every file system, and a script can name the file
 * from the value as the debugger shows it (`re.sub(r'[^A-Za-z0-9._-]', '_', name)` in Python).
 */
export function dumpFileName(valueName: string): string {
  return `${valueName.replace(/[^A-Za-z0-9._-]/gu, '_')}.npy`;
}

/**
 * The first two names, in the order given, that {@link dumpFileName} maps to the same file; undefined when every
 * file is distinct. A dump cannot hold both, and a reference folder cannot tell which one its file is.
 */
export function dumpFileCollision(names: Iterable<string>): { readonly first: string; readonly second: string; readonly file: string } | undefined {
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = dumpFileName(name);
    const first = seen.get(file);
    if (first !== undefined && first !== name) return { first, second: name, file };
    seen.set(file, name);
  }
  return undefined;
}
