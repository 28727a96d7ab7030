import { OpRegistry } from '../registry';
import { activationsOps } from './activations';
import { controlOps } from './control';
import { convOps } from './conv';
import { elementwiseOps } from './elementwise';
import { gatherOps } from './gather';
import { logicOps } from './logic';
import { matmulOps } from './matmul';
import { normOps } from './norm';
import { onnxMathOps } from './onnxMath';
import { onnxMiscOps } from './onnxMisc';
import { onnxNormOps } from './onnxNorm';
import { onnxReduceOps } from './onnxReduce';
import { padOps } from './pad';
import { poolOps } from './pool';
import { recurrentOps } from './recurrent';
import { reduceOps } from './reduce';
import { resizeOps } from './resize';
import { shapeOps } from './shape';
import { softmaxOps } from './softmax';
import { tfOps } from './tf';

/** A registry holding every op the engine implements. */
export function createDefaultOps(): OpRegistry {
  const reg = new OpRegistry();
  for (const group of [
    elementwiseOps, activationsOps, matmulOps, reduceOps, softmaxOps, tfOps,
    convOps, poolOps, normOps, shapeOps, gatherOps, resizeOps, padOps,
    logicOps, controlOps, onnxMiscOps, onnxMathOps, onnxReduceOps, onnxNormOps, recurrentOps,
  ]) {
    for (const def of group) reg.register(def);
  }
  return reg;
}

/** The shared default registry. */
export const defaultOps: OpRegistry = createDefaultOps();
