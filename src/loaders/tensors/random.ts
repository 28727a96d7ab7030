import { mulberry32 } from '../../engine/random';
import { Tensor, sizeOf } from '../../engine/tensor';
import type { ValueInfo } from '../../model/ir';

/**
 * Reproducible random inputs: float32 uniform in [-1, 1), integers in {0, 1} (small enough to be a valid
 * index into any vocabulary), bools 0 or 1. Open dimensions (batch, sequence length) become 1.
 */
export function randomInputs(inputs: readonly ValueInfo[], seed: number): Map<string, Tensor> {
  const rand = mulberry32(seed);
  const out = new Map<string, Tensor>();
  for (const input of inputs) {
    const shape = input.shape.map((d) => (typeof d === 'number' ? d : 1));
    const t = Tensor.zeros(shape, input.dtype);
    const n = sizeOf(shape);
    for (let i = 0; i < n; i++) t.data[i] = input.dtype === 'float32' ? 2 * rand() - 1 : rand() < 0.5 ? 0 : 1;
    out.set(input.name, t);
  }
  return out;
}

export { mulberry32 };
