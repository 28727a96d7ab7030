import { ModelError } from '../../model/errors';
import type { Model } from '../../model/ir';
import { layOut } from '../../model/specialize';
import { validateModel } from '../../model/validate';
import type { JsonDocument } from '../native/json';
import { describe } from '../native/json';
import type { Loader, LoadOptions, ModelSource } from '../types';
import { flavorOf } from '../tfjs/flavor';
import type { LayerSpec } from '../tfjs/graph';
import { readLayerSpec } from '../tfjs/graph';
import { MODEL_CLASSES } from '../tfjs/layers/index';
import { buildModel, declaredInputInfo } from '../tfjs/model';
import type { WeightTable } from '../tfjs/weights';
import { baseName, partDocument } from './document';
import { H5File, isHdf5 } from './hdf5';
import { legacyWeights } from './legacy';
import { kerasV3Weights } from './v3';
import { isZip, readZip } from './zip';

export const KERAS_FORMAT = 'keras';

const EXTENSIONS = /\.(h5|hdf5|keras)$/i;

/**
 * The loader of Keras files (docs/keras.md): Keras 2 HDF5 (`.h5`: the `model_config` attribute and the
 * `model_weights` group) and Keras 3 archives (`.keras`: a zip of `config.json`, `metadata.json` and
 * `model.weights.h5`). The config is the same Keras model a TF.js model.json holds, so the model is built by
 * the TF.js loader's layer set; only where the weights come from differs.
 */
export const kerasLoader: Loader = {
  id: KERAS_FORMAT,

  /** `.h5`, `.hdf5`, `.keras` by name, or any file that starts with the HDF5 signature. */
  match(name: string, head: Uint8Array): boolean {
    return EXTENSIONS.test(name) || isHdf5(head);
  },

  async open(source: ModelSource, options: LoadOptions): Promise<Model> {
    const bytes = await source.read();
    const name = baseName(source.name);
    if (bytes.length > options.maxBytes) {
      throw new ModelError(`${name} is ${bytes.length} bytes, more than the ${options.maxBytes} bytes a model may load (maxBytes).`, source.name);
    }
    if (isZip(bytes)) return openArchive(bytes, source.name, options);
    if (isHdf5(bytes)) return openHdf5(bytes, source.name, options);
    return fail(source.name, `is neither an HDF5 file (Keras 2 .h5) nor a zip archive (Keras 3 .keras)${bytes.length < 8 ? `: it holds only ${bytes.length} bytes` : ''}`);
  },
};

function fail(file: string, message: string): never {
  throw new ModelError(`${baseName(file)} ${message}.`, file);
}

/** A Keras 2 HDF5 file: `model_config` and `keras_version` at the root, the weights in `model_weights`. */
function openHdf5(bytes: Uint8Array, file: string, options: LoadOptions): Model {
  const h5 = new H5File(bytes, file, baseName(file));
  const config = h5.text(h5.root, 'model_config', '');
  if (config === undefined) {
    throw h5.fail(`holds no 'model_config' attribute, so it holds weights only (model.save_weights); Layerstep opens a model saved with model.save`);
  }
  const doc = partDocument(config, file, 'model_config');
  const spec = modelSpec(doc);
  const version = h5.text(h5.root, 'keras_version', '') ?? '2';
  return build(doc, spec, legacyWeights(h5, doc, options), version, options);
}

/** A Keras 3 archive: `config.json`, `metadata.json` (for the Keras version) and `model.weights.h5`. */
function openArchive(bytes: Uint8Array, file: string, options: LoadOptions): Model {
  const entries = readZip(bytes, file, ['config.json', 'model.weights.h5'], ['metadata.json'], options.maxBytes);
  const doc = partDocument(utf8(entries.get('config.json')!, file, 'config.json'), file, 'config.json');
  const spec = modelSpec(doc);
  let version = '3';
  const meta = entries.get('metadata.json');
  if (meta) {
    const parsed: unknown = JSON.parse(partDocument(utf8(meta, file, 'metadata.json'), file, 'metadata.json').text);
    const kv = (parsed as { keras_version?: unknown } | null)?.keras_version;
    if (typeof kv === 'string') version = kv;
  }
  const h5 = new H5File(entries.get('model.weights.h5')!, file, `${baseName(file)} (model.weights.h5)`);
  return build(doc, spec, kerasV3Weights(h5, doc, options), version, options);
}

function utf8(bytes: Uint8Array, file: string, part: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(file, `holds a ${part} that is not UTF-8 text`);
  }
}

/** The Keras model the config describes: a Sequential or functional model. */
function modelSpec(doc: JsonDocument): LayerSpec {
  const root = doc.root;
  if (root.type !== 'object') throw doc.error(root, `the model config is ${describe(root)}; expected a Keras model { "class_name", "config" }.`);
  const spec = readLayerSpec(doc, root, () => 'model');
  if (!MODEL_CLASSES.includes(spec.className)) {
    throw doc.error(root, `the model is a ${spec.className}; Layerstep opens Keras models of class ${MODEL_CLASSES.join(', ')} (a subclassed model has no config to read).`);
  }
  if (!spec.config) throw doc.error(root, `model '${spec.name}' has no "config".`);
  return spec;
}

/** Lays the model out as the TF.js loader does: for the declared sizes, and again for a run's where the file leaves them open. */
function build(doc: JsonDocument, spec: LayerSpec, table: WeightTable, kerasVersion: string, options: LoadOptions): Model {
  const flavor = flavorOf(kerasVersion, undefined);
  return layOut(declaredInputInfo(doc, spec), (shapes) => {
    const laid: Model = { ...buildModel(doc, spec, table, flavor, options, shapes), format: KERAS_FORMAT };
    validateModel(laid);
    return laid;
  });
}
