import type { JsonDocument } from '../native/json';
import type { LoadOptions } from '../types';
import type { ManifestEntry } from '../tfjs/manifest';
import { WeightTable } from '../tfjs/weights';
import type { H5Array, H5File } from './hdf5';

/** One stored weight under the name the shared layer set looks it up by: `<layer>/<role>` with any scopes (`lstm/cell/kernel`). */
export interface NamedArray {
  readonly name: string;
  readonly array: H5Array;
}

/**
 * The weights of a Keras file as the TF.js loader's {@link WeightTable}, so the shared layer set finds them by
 * layer and role as it finds a model.json's. Their data is read at the first run; the sizes they claim are
 * checked now against `maxBytes`.
 */
export function weightTable(h5: H5File, doc: JsonDocument, weights: readonly NamedArray[], options: LoadOptions): WeightTable {
  const claimed = weights.reduce((a, w) => a + w.array.bytes, 0);
  if (claimed > options.maxBytes) {
    throw h5.fail(`its weights take ${claimed} bytes to load, more than the ${options.maxBytes} bytes a model may load (maxBytes)`);
  }
  return new WeightTable(weights.map(({ name, array }) => {
    const entry: ManifestEntry = {
      name, shape: array.shape, dtype: 'float32', storage: 'float32', scale: 1, min: 0,
      offset: 0, byteLength: array.bytes, group: 0, node: doc.root,
    };
    return { entry, load: () => Promise.resolve(array.load()) };
  }), 'the file');
}
