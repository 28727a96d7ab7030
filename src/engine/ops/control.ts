import { EngineError } from '../errors';
import type { OpDef } from '../registry';
import { normAxis, ShapeError } from '../shapeRules';
import type { Shape } from '../tensor';
import { Tensor, sizeOf } from '../tensor';

/**
 * The two ops control flow made at run time needs (src/runner/control.ts): a constant (an iteration's number, a
 * scan slice's index) and stacking the per-iteration values of a loop's scan outputs.
 */

function stackShape(shapes: readonly Shape[], axis: number): number[] {
  const first = shapes[0];
  for (const s of shapes) {
    if (s.length !== first.length || s.some((d, i) => d !== first[i])) {
      throw new ShapeError(`cannot stack values of shapes [${first.join(', ')}] and [${s.join(', ')}]; every iteration must give the same shape`);
    }
  }
  const a = normAxis(axis, first.length + 1);
  return [...first.slice(0, a), shapes.length, ...first.slice(a)];
}

export const controlOps: readonly OpDef[] = [
  {
    name: 'constant',
    doc: 'The tensor in attribute value.',
    minInputs: 0,
    maxInputs: 0,
    run: (_inputs, attrs) => {
      const v = attrs.value;
      if (!(v instanceof Tensor)) throw new EngineError('needs a tensor in attribute value', 'constant');
      return [v];
    },
    shape: (_inputs, attrs) => {
      const v = attrs.value;
      if (!(v instanceof Tensor)) throw new ShapeError('constant needs a tensor in attribute value');
      return [[...v.shape]];
    },
  },
  {
    name: 'stack',
    doc: 'Stacks inputs of one shape along a new axis (default 0).',
    minInputs: 1,
    maxInputs: Infinity,
    run: (inputs, attrs) => {
      const xs = inputs.map((t, i) => {
        if (!t) throw new EngineError(`input ${i} is missing`, 'stack');
        return t;
      });
      const axis = typeof attrs.axis === 'number' ? attrs.axis : 0;
      let shape: number[];
      try {
        shape = stackShape(xs.map((t) => t.shape), axis);
      } catch (e) {
        throw new EngineError((e as Error).message, 'stack');
      }
      const a = normAxis(axis, xs[0].rank + 1);
      const out = Tensor.zeros(shape, xs[0].dtype);
      const outer = sizeOf(xs[0].shape.slice(0, a));
      const inner = sizeOf(xs[0].shape.slice(a));
      xs.forEach((t, k) => {
        for (let o = 0; o < outer; o++) {
          out.data.set(t.data.subarray(o * inner, (o + 1) * inner), (o * xs.length + k) * inner);
        }
      });
      return [out];
    },
    shape: (inputs, attrs) => {
      const shapes = inputs.map((s, i) => {
        if (!s) throw new ShapeError(`stack needs input ${i}`);
        return s;
      });
      return [stackShape(shapes, typeof attrs.axis === 'number' ? attrs.axis : 0)];
    },
  },
];
