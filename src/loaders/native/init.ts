/**
 * Seeded, deterministic weight initialisers for `{ "init": ... }` weights, so a model with made-up weights
 * gives the same numbers on every machine. The generator is Mulberry32; normals come from Box–Muller.
 */
import { mulberry32 } from '../../engine/random';

export const INITIALIZERS = ['zeros', 'ones', 'constant', 'uniform', 'normal', 'glorotUniform'] as const;
export type Initializer = (typeof INITIALIZERS)[number];

export interface InitSettings {
  readonly init: Initializer;
  readonly seed: number;
  /** `constant`: the value (0). */
  readonly value?: number;
  /** `uniform`: bounds (-0.05, 0.05), as Keras' RandomUniform. */
  readonly min?: number;
  readonly max?: number;
  /** `normal`: mean (0) and standard deviation (0.05), as Keras' RandomNormal. */
  readonly mean?: number;
  readonly std?: number;
}

/** FNV-1a of a string: the default seed of a weight is the hash of its value name, so layers differ. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Fan-in and fan-out as Keras counts them: [in, out] for a matrix; [out, in, ...window] for a convolution
 * kernel (the receptive field multiplies both); n and n for a vector.
 */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const field = shape.slice(2).reduce((a, d) => a * d, 1);
  return [shape[1] * field, shape[0] * field];
}

/** Fills a new Float32Array of the shape's size. */
export function initialize(shape: readonly number[], s: InitSettings): Float32Array {
  const n = shape.reduce((a, d) => a * d, 1);
  const out = new Float32Array(n);
  const rand = mulberry32(s.seed);
  switch (s.init) {
    case 'zeros': break;
    case 'ones': out.fill(1); break;
    case 'constant': out.fill(s.value ?? 0); break;
    case 'uniform': {
      const lo = s.min ?? -0.05;
      const hi = s.max ?? 0.05;
      for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
      break;
    }
    case 'normal': {
      const mean = s.mean ?? 0;
      const std = s.std ?? 0.05;
      for (let i = 0; i < n; i++) {
        const u = 1 - rand();
        out[i] = mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
      }
      break;
    }
    case 'glorotUniform': {
      const [fanIn, fanOut] = fans(shape);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) out[i] = -limit + 2 * limit * rand();
      break;
    }
  }
  return out;
}
