/**
 * C[m×n] (+)= A[m×k] · B[k×n], all row-major float32, each given as an array and an element offset.
 * The one inner product loop that matmul, gemm, dense and convolution (through im2col) share.
 */
export function sgemm(
  m: number, n: number, k: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n;
    for (let p = 0; p < k; p++) {
      const av = a[aOff + i * k + p];
      if (av === 0) continue;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
    }
  }
}
