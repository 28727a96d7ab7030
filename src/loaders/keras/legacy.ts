import type { LoadOptions } from '../types';
import type { WeightTable } from '../tfjs/weights';
import type { JsonDocument } from '../native/json';
import { Dataset } from './hdf5';
import type { Group, H5File } from './hdf5';
import type { NamedArray } from './weights';
import { weightTable } from './weights';

/**
 * The weights of a Keras 2 HDF5 file (`model.save('m.h5')`, tf.keras `save_weights_to_hdf5_group`): the group
 * `model_weights` (or the root, in files written by `save_weights`) lists its layers in the attribute
 * `layer_names`; each layer's group lists its weights in `weight_names` (`dense/kernel:0`), each a dataset at
 * that path inside the layer's group. A weight is named `<layer>/<weight name>` for the layer set, whose lookup
 * takes the weight's role from the last segment. `optimizer_weights` is never read.
 */
export function legacyWeights(h5: H5File, doc: JsonDocument, options: LoadOptions): WeightTable {
  const group = h5.group(h5.root, 'model_weights', '') ?? h5.root;
  const at = group === h5.root ? '' : 'model_weights';
  const layers = h5.names(group, 'layer_names', at);
  if (!layers) throw h5.fail(`${at ? "group 'model_weights'" : 'the root group'} has no 'layer_names' attribute, so the file holds no Keras weights`);
  const out: NamedArray[] = [];
  for (const layer of layers) {
    const lpath = at ? `${at}/${layer}` : layer;
    const g: Group | undefined = h5.group(group, layer, at);
    if (!g) throw h5.fail(`'layer_names' lists layer '${layer}', but there is no group '${lpath}'`);
    const names = h5.names(g, 'weight_names', lpath) ?? [];
    for (const name of names) {
      const path = `${lpath}/${name}`;
      h5.visit(path);
      const ds = h5.attempt(`dataset '${path}'`, () => g.get(name));
      if (!(ds instanceof Dataset)) throw h5.fail(`layer '${layer}' lists weight '${name}' in its 'weight_names', but '${path}' is not a dataset`);
      out.push({ name: name.startsWith(`${layer}/`) ? name : `${layer}/${name}`, array: h5.array(ds, path) });
    }
  }
  return weightTable(h5, doc, out, options);
}
