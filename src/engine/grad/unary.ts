import { erfcScalar } from '../kernels/erf';
import { enumAttr, floatAttr } from '../kernels/opArgs';
import type { Attrs } from '../registry';
import type { GradContext, GradRule } from './types';
import { build, differentiable, gradOut, input } from './util';

/**
 * Gradient rules for elementwise functions of one tensor and the activations. Each is the incoming gradient
 * times the derivative at that element, written from the input x, the forward output y, or both, whichever
 * keeps the formula exact and cheap (sigmoid and tanh reuse y; relu and gelu read x).
 */

/** dy/dx at one element from x, y and the node's attributes. */
type Derivative = (x: number, y: number, attrs: Attrs) => number;

function unaryRule(op: string, derivative: Derivative, check?: (attrs: Attrs) => void): GradRule {
  return (ctx: GradContext) => {
    const x = input(ctx, 0, op);
    check?.(ctx.attrs);
    if (!differentiable(x)) return [undefined];
    const g = gradOut(ctx).data;
    const y = ctx.outputs[0].data;
    const xv = x.data;
    const { attrs } = ctx;
    return [build(x.shape, (i) => g[i] * derivative(xv[i], y[i], attrs))];
  };
}

const sigmoidOf = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Exact GELU: Φ(x) + x·φ(x), with Φ(x) = ½·erfc(−x/√2) so the negative tail keeps its digits. */
function geluExact(x: number): number {
  return 0.5 * erfcScalar(-x * Math.SQRT1_2) + (x * Math.exp(-0.5 * x * x)) / SQRT_2PI;
}

/** tanh-approximated GELU: ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²) with t = tanh(√(2/π)(x + 0.044715x³)). */
function geluTanh(x: number): number {
  const t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
}

const geluApprox = (attrs: Attrs): 'none' | 'tanh' => enumAttr('gelu', attrs, 'approximate', ['none', 'tanh'] as const, 'none');

/** silu (swish) with beta: σ(βx) + βx·σ(βx)(1 − σ(βx)). */
function siluDerivative(x: number, _y: number, attrs: Attrs): number {
  const beta = floatAttr('silu', attrs, 'beta', 1);
  const s = sigmoidOf(beta * x);
  return s + beta * x * s * (1 - s);
}

/** Rules for unary math functions and activations, keyed by engine op name. */
export const unaryGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['identity', unaryRule('identity', () => 1)],
  ['neg', unaryRule('neg', () => -1)],
  ['exp', unaryRule('exp', (_x, y) => y)],
  ['log', unaryRule('log', (x) => 1 / x)],
  ['sqrt', unaryRule('sqrt', (_x, y) => 0.5 / y)],
  // Like tfjs: sign(x), so 0 at 0.
  ['abs', unaryRule('abs', (x) => Math.sign(x))],
  ['reciprocal', unaryRule('reciprocal', (_x, y) => -y * y)],
  // The kink at 0 takes the left slope (0 for relu, alpha for leakyRelu), as tfjs does.
  ['relu', unaryRule('relu', (x) => (x > 0 ? 1 : 0))],
  ['leakyRelu', unaryRule('leakyRelu', (x, _y, a) => (x > 0 ? 1 : floatAttr('leakyRelu', a, 'alpha', 0.01)))],
  ['elu', unaryRule('elu', (x, y, a) => (x > 0 ? 1 : y + floatAttr('elu', a, 'alpha', 1)))],
  ['gelu', unaryRule('gelu', (x, _y, a) => (geluApprox(a) === 'tanh' ? geluTanh(x) : geluExact(x)), (a) => {
    geluApprox(a);
  })],
  ['sigmoid', unaryRule('sigmoid', (_x, y) => y * (1 - y))],
  ['tanh', unaryRule('tanh', (_x, y) => 1 - y * y)],
  ['softplus', unaryRule('softplus', (x) => sigmoidOf(x))],
  ['silu', unaryRule('silu', siluDerivative)],
]);

