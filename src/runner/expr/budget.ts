import { ExpressionError } from './errors';

/**
 * Bounds the work of one evaluation: every tensor an expression builds charges its element count, so a
 * watch expression cannot stall the debugger however it is written. The default allows a few dozen
 * passes over a large activation.
 */
export class WorkBudget {
  private spent = 0;

  constructor(readonly maxElements = 200_000_000) {}

  charge(elements: number, col?: number): void {
    this.spent += elements;
    if (this.spent > this.maxElements) {
      throw new ExpressionError(`expression does too much work (more than ${this.maxElements} element operations)`, col);
    }
  }
}
