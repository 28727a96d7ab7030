import { gemm, matmul } from '../kernels/matmul';
import { floatAttr, intAttr } from '../kernels/opArgs';
import { transpose } from '../kernels/transpose';
import type { Tensor } from '../tensor';
import type { GradRule } from './types';
import { asFloat32, build, differentiable, gradOut, input, sumTo } from './util';

/**
 * Gradient rules for the matrix products. Both reuse the forward kernels: for y = a·b, ∂a = g·bᵀ and ∂b = aᵀ·g,
 * with batch dims that were broadcast summed back.
 */

/** `t` with its last two axes swapped. */
function swapLast(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 1] = t.rank - 2;
  perm[t.rank - 2] = t.rank - 1;
  return transpose(t, perm);
}

/**
 * matmul (NumPy / ONNX MatMul): a 1-D a is treated as [1, K] and a 1-D b as [K, 1], as the forward op does; the
 * incoming gradient gets the dropped axes back before the products, and each gradient leaves with its
 * operand's own shape.
 */
const matmulRule: GradRule = (ctx) => {
  const a = input(ctx, 0, 'matmul');
  const b = input(ctx, 1, 'matmul');
  const wantA = differentiable(a);
  const wantB = differentiable(b);
  if (!wantA && !wantB) return [undefined, undefined];
  const a2 = asFloat32(a.rank === 1 ? a.reshape([1, a.shape[0]]) : a);
  const b2 = asFloat32(b.rank === 1 ? b.reshape([b.shape[0], 1]) : b);
  const g = gradOut(ctx);
  const m = a2.shape[a2.rank - 2];
  const n = b2.shape[b2.rank - 1];
  const g2 = g.reshape([...g.shape.slice(0, g.rank - (a.rank === 1 ? 0 : 1) - (b.rank === 1 ? 0 : 1)), m, n]);
  const ga = wantA ? sumTo(matmul(g2, swapLast(b2)) as Tensor<'float32'>, a2.shape).reshape(a.shape) : undefined;
  const gb = wantB ? sumTo(matmul(swapLast(a2), g2) as Tensor<'float32'>, b2.shape).reshape(b.shape) : undefined;
  return [ga, gb];
};

/**
 * gemm: y = alpha·op(a)·op(b) + beta·c. ∂op(a) = alpha·g·op(b)ᵀ and ∂op(b) = alpha·op(a)ᵀ·g, transposed back when
 * the operand was stored transposed; ∂c = beta·g summed to c's shape.
 */
const gemmRule: GradRule = (ctx) => {
  const a = input(ctx, 0, 'gemm');
  const b = input(ctx, 1, 'gemm');
  const c = ctx.inputs[2];
  const alpha = floatAttr('gemm', ctx.attrs, 'alpha', 1);
  const beta = floatAttr('gemm', ctx.attrs, 'beta', 1);
  const transA = intAttr('gemm', ctx.attrs, 'transA', 0) !== 0;
  const transB = intAttr('gemm', ctx.attrs, 'transB', 0) !== 0;
  const g = gradOut(ctx);
  const ga = !differentiable(a) ? undefined : transA
    ? gemm(b, g, undefined, { alpha, transA: transB, transB: true })
    : gemm(g, b, undefined, { alpha, transB: !transB });
  const gb = !differentiable(b) ? undefined : transB
    ? gemm(g, a, undefined, { alpha, transA: true, transB: transA })
    : gemm(a, g, undefined, { alpha, transA: !transA });
  let gc: Tensor | undefined;
  if (differentiable(c)) {
    const s = sumTo(g, c.shape).data;
    gc = build(c.shape, (i) => s[i] * beta);
  }
  return [ga, gb, gc];
};

/** Rules for matmul and gemm, keyed by engine op name. */
export const matmulGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['matmul', matmulRule],
  ['gemm', gemmRule],
]);
