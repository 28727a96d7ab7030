import { ModelError } from '../../model/errors';
import type { Model } from '../../model/ir';
import type { Loader, LoadOptions, ModelSource } from '../types';
import { FORMAT, readModel } from './document';
import { WeightFiles } from './files';
import { JsonDocument } from './json';

export { FORMAT } from './document';

/** Bytes of a model file we decode as text at most; a larger "model.json" is refused before decoding. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;

/**
 * The loader of Layerstep's own `layerstep/1` model.json (docs/model-format.md). It parses the file with
 * positions, reads the safetensors files it names, builds one module per layer and checks every shape.
 */
export const nativeLoader: Loader = {
  id: FORMAT,

  /** A JSON file that says `"format": "layerstep/1"`, or any `.json` that is not a TF.js model (so that it gets our errors). */
  match(name: string, head: Uint8Array): boolean {
    const text = new TextDecoder().decode(head);
    if (/"format"\s*:\s*"layerstep\//.test(text)) return true;
    return /\.json$/i.test(name) && !text.includes('"modelTopology"');
  },

  async open(source: ModelSource, options: LoadOptions): Promise<Model> {
    const bytes = await source.read();
    if (bytes.length > Math.min(options.maxBytes, MAX_JSON_BYTES)) {
      throw new ModelError(`${source.name} is ${bytes.length} bytes, too large for a model.json; keep weights in a .safetensors file beside it.`, source.name);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ModelError(`${source.name} is not UTF-8 text, so it is not a model.json.`, source.name);
    }
    const doc = new JsonDocument(text.replace(/^\uFEFF/, ' '), source.name);
    const files = await WeightFiles.load(doc, source, options);
    return readModel(doc, files, options);
  },
};
