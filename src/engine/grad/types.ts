import type { Attrs } from '../registry';
import type { Tensor } from '../tensor';

/**
 * What a rule gets: the node's inputs and outputs as the forward pass made them, its attributes, and
 * ∂loss/∂output per output (undefined: that output does not reach the loss). Rules see the forward outputs so
 * that ops like sigmoid, exp and softmax can reuse them instead of recomputing.
 */
export interface GradContext {
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Attrs;
  readonly gradOutputs: readonly (Tensor | undefined)[];
}

/**
 * A vector-Jacobian product for one op: ∂loss/∂input per input, float32, each the input's shape; undefined for
 * inputs that take no gradient (shapes, indices, integer tensors). A rule throws an `EngineError` naming the op
 * and the attribute value it does not support rather than return a wrong gradient.
 */
export type GradRule = (ctx: GradContext) => (Tensor | undefined)[];
