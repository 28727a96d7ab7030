import { broadcastShapes } from '../kernels/broadcast';
import type { GradContext, GradRule } from './types';
import { build, differentiable, expandTo, gradOut, input, sumTo } from './util';

/**
 * Gradient rules for the broadcasting arithmetic ops (add, sub, mul, div, pow). Each operand's gradient is
 * computed at the broadcast shape and then summed back to the operand's own shape.
 */

/** ∂out/∂a and ∂out/∂b at one element, given a, b, the output y and the incoming gradient g. */
type Partials = (a: number, b: number, y: number, g: number) => readonly [number, number];

function binaryRule(op: string, partials: Partials): GradRule {
  return (ctx: GradContext) => {
    const a = input(ctx, 0, op);
    const b = input(ctx, 1, op);
    const wantA = differentiable(a);
    const wantB = differentiable(b);
    if (!wantA && !wantB) return [undefined, undefined];
    const shape = broadcastShapes(a.shape, b.shape, op);
    const g = gradOut(ctx).data;
    const av = expandTo(a, shape, op).data;
    const bv = expandTo(b, shape, op).data;
    const y = expandTo(ctx.outputs[0], shape, op).data;
    const ga = build(shape, () => 0);
    const gb = build(shape, () => 0);
    for (let i = 0; i < g.length; i++) {
      const [da, db] = partials(av[i], bv[i], y[i], g[i]);
      ga.data[i] = da;
      gb.data[i] = db;
    }
    return [wantA ? sumTo(ga, a.shape) : undefined, wantB ? sumTo(gb, b.shape) : undefined];
  };
}

/**
 * pow: the base's gradient b·a^(b−1), and the exponent's a^b·ln a where a > 0 and 0 elsewhere (where ln a is
 * undefined), as tfjs defines it.
 */
const powPartials: Partials = (a, b, y, g) => [g * b * Math.pow(a, b - 1), a > 0 ? g * y * Math.log(a) : 0];

/** Rules for the binary arithmetic ops, keyed by engine op name. */
export const binaryGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['add', binaryRule('add', (_a, _b, _y, g) => [g, g])],
  ['sub', binaryRule('sub', (_a, _b, _y, g) => [g, -g])],
  ['mul', binaryRule('mul', (a, b, _y, g) => [g * b, g * a])],
  ['div', binaryRule('div', (a, b, _y, g) => [g / b, (-g * a) / (b * b)])],
  ['pow', binaryRule('pow', powPartials)],
]);

