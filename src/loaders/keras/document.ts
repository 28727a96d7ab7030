import { ModelError } from '../../model/errors';
import { JsonDocument } from '../native/json';
import type { JsonNode } from '../native/json';

/** The file's last path segment. */
export function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

/**
 * A Keras model config held inside a Keras file (the `model_config` attribute of an .h5, `config.json` of a
 * .keras archive). Keras writes it on one line, so a line number would say nothing: errors name the file and
 * the part, `model.h5 (model_config): layer 'dense' ...`, and carry no source range.
 */
class PartDocument extends JsonDocument {
  constructor(text: string, file: string, readonly part: string) {
    super(text, file);
  }

  override error(_node: JsonNode | undefined, message: string): ModelError {
    return new ModelError(`${baseName(this.file)} (${this.part}): ${message}`, this.file);
  }
}

/** Parses an embedded config; malformed JSON is one sentence naming the file and the part. */
export function partDocument(text: string, file: string, part: string): JsonDocument {
  try {
    JSON.parse(text);
    return new PartDocument(text, file, part);
  } catch (e) {
    const why = e instanceof ModelError ? 'it is malformed' : (e as Error).message.replace(/\.$/, '');
    throw new ModelError(`${baseName(file)}: its ${part} is not valid JSON (${why}), so the Keras model cannot be read.`, file);
  }
}
