import type { OpDef } from '../registry';
import { broadcastsTo } from '../kernels/broadcast';
import { gemm, matmul } from '../kernels/matmul';
import { floatAttr, intAttr, required } from '../kernels/opArgs';
import { ShapeError, fmt, matmulShape, needShape } from '../shapeRules';

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
    shape: (inputs) => [matmulShape(needShape('matmul', inputs, 0), needShape('matmul', inputs, 1))],
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
    shape: (inputs, attrs) => {
      const [a, b, c] = [needShape('gemm', inputs, 0), needShape('gemm', inputs, 1), inputs[2]];
      if (a.length !== 2 || b.length !== 2) throw new ShapeError(`gemm needs 2-D operands, got ${fmt(a)} and ${fmt(b)}`);
      const transA = intAttr('gemm', attrs, 'transA', 0) !== 0;
      const transB = intAttr('gemm', attrs, 'transB', 0) !== 0;
      const [m, ka] = transA ? [a[1], a[0]] : [a[0], a[1]];
      const [kb, n] = transB ? [b[1], b[0]] : [b[0], b[1]];
      if (ka !== kb) throw new ShapeError(`gemm inner dimensions ${ka} and ${kb} differ`);
      // c broadcasts one way only: to [m, n], never beyond it.
      if (c && !broadcastsTo(c, [m, n])) throw new ShapeError(`gemm's c ${fmt(c)} does not broadcast to ${fmt([m, n])}`);
      return [[m, n]];
    },
  },
];
