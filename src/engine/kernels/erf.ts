/**
 * The error function and its complement in double precision (relative error below 1e-12 over the whole
 * line, far inside what float32 results need). Two classic expansions, chosen by |x|:
 *  - |x| < 2: the power series erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), whose terms are all
 *    positive, so nothing cancels (Abramowitz & Stegun 7.1.6);
 *  - |x| ≥ 2: Laplace's continued fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
 *    (A&S 7.1.14), evaluated bottom-up with a fixed depth that converges for x ≥ 2, which keeps the tail's
 *    relative accuracy where 1 − erf(x) would lose every digit.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);
const SERIES_LIMIT = 2;
/** Depth of the continued fraction: at x = 2 forty levels leave a relative error near 5e-14. */
const CF_DEPTH = 40;

/** erf(x) for 0 ≤ x < SERIES_LIMIT. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < 1e-16 * sum) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ SERIES_LIMIT. */
function erfcFraction(x: number): number {
  if (x > 27) return 0; // e^(−x²) underflows
  let t = x;
  for (let n = CF_DEPTH; n >= 1; n--) t = x + n / 2 / t;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / t;
}

/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. NaN in, NaN out. */
export function erfScalar(x: number): number {
  const a = Math.abs(x);
  if (!(a < SERIES_LIMIT)) {
    if (a !== a) return NaN;
    const r = 1 - erfcFraction(a);
    return x < 0 ? -r : r;
  }
  const r = erfSeries(a);
  return x < 0 ? -r : r;
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate in the tail where erf(x) rounds to 1. */
export function erfcScalar(x: number): number {
  if (x !== x) return NaN;
  if (x >= SERIES_LIMIT) return erfcFraction(x);
  if (x <= -SERIES_LIMIT) return 2 - erfcFraction(-x);
  return 1 - (x < 0 ? -erfSeries(-x) : erfSeries(x));
}
