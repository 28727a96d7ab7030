import { ModelError } from '../../model/errors';

/**
 * The bytes a model's tensors may take (LoadOptions.maxBytes). Every tensor is charged before its memory is
 * allocated, so a file that claims huge shapes is refused before it can exhaust memory.
 */
export class ByteBudget {
  private used = 0;

  constructor(
    readonly max: number,
    readonly file: string,
  ) {}

  /** Charges `bytes` for `what` (`initializer 'fc.weight'`); throws once the total passes the budget. */
  take(bytes: number, what: string): void {
    this.check(bytes, what);
    this.used += bytes;
  }

  /** Throws unless `bytes` more would fit, without charging them. */
  check(bytes: number, what: string): void {
    if (!Number.isFinite(bytes) || bytes < 0 || this.used + bytes > this.max) {
      throw new ModelError(
        `${this.file}: ${what} needs ${bytes} bytes, which takes the model past the ${this.max} bytes allowed (maxBytes).`, this.file);
    }
  }
}
