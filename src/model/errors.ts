import type { SourceRange } from './ir';

/**
 * A model that cannot be loaded or does not hold together. The message is one sentence for the user and
 * already names the file, the line or layer, and what was expected.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    message: string,
    readonly file?: string,
    readonly source?: SourceRange,
  ) {
    super(message);
  }
}
