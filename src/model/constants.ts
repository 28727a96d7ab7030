import { keepWeight } from '../engine/wasm/index';
import type { Model } from './ir';

/**
 * Tells the kernels which arrays are a model's weights: every run reads them again and nothing changes them, so
 * their values move into the WebAssembly kernels' memory, read there at every call and held once.
 */
export function markWeights(model: Model): Model {
  for (const t of model.weights.values()) keepWeight(t);
  return model;
}
