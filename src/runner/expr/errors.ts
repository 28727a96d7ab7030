/**
 * A tensor expression that cannot be parsed or evaluated. The message is for the user of the Debug Console
 * or a breakpoint condition; `column` (1-based) points into the expression text when it is known.
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    readonly reason: string,
    readonly column?: number,
  ) {
    super(column === undefined ? reason : `column ${column}: ${reason}`);
  }
}
