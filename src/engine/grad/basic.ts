import { binaryGradRules } from './elementwise';
import { matmulGradRules } from './matmul';
import { reduceGradRules } from './reduce';
import { shapeGradRules } from './shape';
import type { GradRule } from './types';
import { unaryGradRules } from './unary';

/**
 * The gradient rules for the dense, elementwise, activation, softmax, reduction and shape ops: everything but
 * convolution, pooling and normalization, which live in ./conv.
 */
export const basicGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ...matmulGradRules,
  ...binaryGradRules,
  ...unaryGradRules,
  ...reduceGradRules,
  ...shapeGradRules,
]);
