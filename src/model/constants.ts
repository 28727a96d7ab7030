import { markConstant } from '../engine/wasm/index';
import type { Model } from './ir';

/**
 * Tells the kernels which arrays are a model's weights: every run reads them again and nothing changes them, so
 * the WebAssembly kernels keep one copy of each in their memory instead of copying it in at every call.
 */
export function markWeights(model: Model): Model {
  for (const t of model.weights.values()) if (t.dtype === 'float32') markConstant(t.data);
  return model;
}
