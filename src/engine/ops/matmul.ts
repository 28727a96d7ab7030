import type { OpDef } from '../registry';
import { gemm, matmul } from '../kernels/matmul';
import { floatAttr, intAttr, required } from '../kernels/opArgs';

export { gemm, matmul } from '../kernels/matmul';
export type { GemmOptions } from '../kernels/matmul';
export { sgemm, sgemmEx } from '../kernels/sgemm';

/** Matrix products (ONNX MatMul-13 and Gemm-13 semantics, docs/ops.md). */
export const matmulOps: readonly OpDef[] = [
  {
    name: 'matmul',
    doc: 'NumPy matmul: batched, with broadcast batch dims; 1-D operands are promoted and the added axis dropped.',
    minInputs: 2,
    maxInputs: 2,
    run: (inputs) => [matmul(required('matmul', inputs, 0, 'a'), required('matmul', inputs, 1, 'b'))],
  },
  {
    name: 'gemm',
    doc: 'alpha · op(a) · op(b) + beta · c for 2-D a and b, optionally transposed; c broadcasts to the result.',
    minInputs: 2,
    maxInputs: 3,
    run: (inputs, attrs) => [gemm(required('gemm', inputs, 0, 'a'), required('gemm', inputs, 1, 'b'), inputs[2], {
      alpha: floatAttr('gemm', attrs, 'alpha', 1),
      beta: floatAttr('gemm', attrs, 'beta', 1),
      transA: intAttr('gemm', attrs, 'transA', 0) !== 0,
      transB: intAttr('gemm', attrs, 'transB', 0) !== 0,
    })],
  },
];
