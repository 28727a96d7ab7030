import { mulberry32 } from '../../engine/random';
import { Tensor, sizeOf } from '../../engine/tensor';
import type { ValueInfo } from '../../model/ir';

/**
 * Reproducible random inputs: float32 uniform in [-1, 1), integers in {0, 1} (small enough to be a valid
 * index into any vocabulary), bools 0 or 1. `shapes` gives each input's full shape (src/service/inputs.ts
 * `randomShapes` checks it); without it, open dimensions become 1.
 */
export function randomInputs(inputs: readonly ValueInfo[], seed: number, shapes?: ReadonlyMap<string, readonly number[]>): Map<string, Tensor> {
  const rand = mulberry32(seed);
  const out = new Map<string, Tensor>();
  for (const input of inputs) {
    const shape = shapes?.get(input.name) ?? input.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
    const t = Tensor.zeros(shape, input.dtype);
    const n = sizeOf(shape);
    for (let i = 0; i < n; i++) t.data[i] = input.dtype === 'float32' ? 2 * rand() - 1 : rand() < 0.5 ? 0 : 1;
    out.set(input.name, t);
  }
  return out;
}

export { mulberry32 };
