import { ModelError } from '../../model/errors';
import type { Model } from '../../model/ir';
import { layOut } from '../../model/specialize';
import { validateModel } from '../../model/validate';
import { JsonDocument } from '../native/json';
import { looksLikeGraphModel } from '../tfjsGraph/index';
import type { Loader, LoadOptions, ModelSource } from '../types';
import { readArtifacts } from './artifacts';
import { decodeEntry } from './decode';
import { readManifest } from './manifest';
import { buildModel, declaredInputInfo, FORMAT } from './model';
import { lazyGroups } from './shards';
import { WeightTable } from './weights';

export { FORMAT } from './model';

/** Bytes of a model.json we decode as text at most; its weights live in shards beside it. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;

/**
 * The loader of TensorFlow.js layers models (docs/tfjs.md): model.json with a Keras `modelTopology` and a
 * `weightsManifest` whose shards lie beside it. It reads and dequantizes the shards, then builds one module per
 * layer call, channels-last data kept as the model has it, recurrent layers unrolled into one module per step.
 */
export const tfjsLoader: Loader = {
  id: FORMAT,

  /** A `.json` file whose first bytes mention `modelTopology` or `weightsManifest` (and that is not one of ours). */
  match(name: string, head: Uint8Array): boolean {
    if (!/\.json$/i.test(name)) return false;
    const text = new TextDecoder().decode(head);
    if (/"format"\s*:\s*"layerstep\//.test(text) || looksLikeGraphModel(text)) return false;
    return text.includes('"modelTopology"') || text.includes('"weightsManifest"');
  },

  async open(source: ModelSource, options: LoadOptions): Promise<Model> {
    const bytes = await source.read();
    if (bytes.length > Math.min(options.maxBytes, MAX_JSON_BYTES)) {
      throw new ModelError(`${source.name} is ${bytes.length} bytes, too large for a TF.js model.json.`, source.name);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ModelError(`${source.name} is not UTF-8 text, so it is not a TF.js model.json.`, source.name);
    }
    const doc = new JsonDocument(text.replace(/^\uFEFF/, ' '), source.name);
    const artifacts = readArtifacts(doc);
    const groups = readManifest(doc, artifacts.manifest);
    // Shards are checked now and read at the first run: each group once, however many weights it holds.
    const reads = await lazyGroups(doc, source, groups, options);
    const table = new WeightTable(groups.flatMap((g, k) => g.entries.map((entry) => ({ entry, load: async () => decodeEntry(entry, await reads[k]()) }))));
    const declared = declaredInputInfo(doc, artifacts.spec);
    const model = layOut(declared, (shapes) => {
      const laid = buildModel(doc, artifacts.spec, table, artifacts.flavor, options, shapes);
      validateModel(laid);
      return laid;
    });
    return model;
  },
};
