import { EngineError } from '../errors';
import type { Attrs, OpDef } from '../registry';
import type { Shape } from '../tensor';
import { castTarget, cast } from '../kernels/cast';
import { concat, split, splitSizes } from '../kernels/concat';
import { intAttr, intList, normalizeAxis, required } from '../kernels/opArgs';
import { expand, flatten, reshape, shapeOf, squeeze, unsqueeze } from '../kernels/reshape';
import { slice, sliceRange } from '../kernels/slice';
import { transpose } from '../kernels/transpose';
import { ShapeError, fmt, fromAttr, needShape, normAxis, sameAsFirst } from '../shapeRules';

export { cast, castTarget } from '../kernels/cast';
export { concat, split, splitSizes } from '../kernels/concat';
export { expand, flatten, reshape, reshapeTarget, shapeOf, squeeze, unsqueeze } from '../kernels/reshape';
export { slice, sliceRange } from '../kernels/slice';
export { transpose } from '../kernels/transpose';

type Shapes = readonly (Shape | undefined)[];

/** ONNX Reshape's target: 0 copies the input dimension (unless allowzero), one -1 takes what is left. */
function reshapeShape(x: Shape, target: readonly number[], allowzero: boolean): number[] {
  const total = x.reduce((a, d) => a * d, 1);
  const out = target.map((d, i) => (d === 0 && !allowzero ? x[i] : d));
  if (out.some((d) => d === undefined)) throw new ShapeError(`shape ${fmt(target)} copies a dimension that ${fmt(x)} does not have`);
  if (out.some((d) => !Number.isInteger(d) || d < -1)) throw new ShapeError(`shape ${fmt(target)} holds an invalid dimension`);
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError(`shape ${fmt(target)} has more than one -1`);
  const known = out.reduce((a, d) => (d === -1 ? a : a * d), 1);
  if (unknown === 1) {
    if (known === 0 || total % known !== 0) throw new ShapeError(`cannot reshape ${fmt(x)} (${total} elements) to ${fmt(target)}`);
    return out.map((d) => (d === -1 ? total / known : d));
  }
  if (known !== total) throw new ShapeError(`cannot reshape ${fmt(x)} (${total} elements) to ${fmt(target)} (${known} elements)`);
  return out;
}

function transposeShape(x: Shape, attrs: Attrs): Shape[] {
  const perm = intList('transpose', 'perm', undefined, attrs.perm) ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length || new Set(perm).size !== x.length || perm.some((p) => p < 0 || p >= x.length)) {
    throw new ShapeError(`perm ${fmt(perm)} is not a permutation of the ${x.length} axes of ${fmt(x)}`);
  }
  return [perm.map((p) => x[p])];
}

function concatShape(inputs: Shapes, attrs: Attrs): Shape[] {
  const shapes = inputs.map((_, i) => needShape('concat', inputs, i));
  const first = needShape('concat', shapes, 0);
  fromAttr('concat', 'axis', attrs.axis);
  const axis = normAxis(intAttr('concat', attrs, 'axis', 0), first.length);
  const out = [...first];
  for (const s of shapes.slice(1)) {
    if (s.length !== out.length || s.some((d, i) => i !== axis && d !== out[i])) {
      throw new ShapeError(`cannot concatenate ${fmt(first)} and ${fmt(s)} along axis ${axis}`);
    }
    out[axis] += s[axis];
  }
  return [out];
}

function splitShape(x: Shape, attrs: Attrs): Shape[] {
  const axis = normAxis(intAttr('split', attrs, 'axis', 0), x.length);
  const given = intList('split', 'split', undefined, attrs.split);
  if (given?.length) {
    if (given.some((p) => p < 0) || given.reduce((a, b) => a + b, 0) !== x[axis]) {
      throw new ShapeError(`split ${fmt(given)} does not add up to ${x[axis]}`);
    }
  }
  if (!given?.length) fromAttr('split', 'numOutputs', attrs.numOutputs);
  const sizes = given?.length ? given : splitSizes(x[axis], intAttr('split', attrs, 'numOutputs', 1));
  return sizes.map((p) => x.map((d, i) => (i === axis ? p : d)));
}

function sliceShape(x: Shape, attrs: Attrs): Shape[] {
  const starts = fromAttr('slice', 'starts', intList('slice', 'starts', undefined, attrs.starts));
  const ends = fromAttr('slice', 'ends', intList('slice', 'ends', undefined, attrs.ends));
  const axes = intList('slice', 'axes', undefined, attrs.axes) ?? starts.map((_, i) => i);
  const steps = intList('slice', 'steps', undefined, attrs.steps) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new ShapeError('slice needs starts, ends, axes and steps of the same length');
  }
  const out = [...x];
  const seen = new Set<number>();
  axes.forEach((a, i) => {
    const ax = normAxis(a, x.length);
    if (seen.has(ax)) throw new ShapeError(`slice axes ${fmt(axes)} repeat axis ${ax}`);
    seen.add(ax);
    if (steps[i] === 0) throw new ShapeError('slice step 0');
    out[ax] = sliceRange(x[ax], starts[i], ends[i], steps[i]).count;
  });
  return [out];
}

function squeezeShape(x: Shape, attrs: Attrs): Shape[] {
  const given = intList('squeeze', 'axes', undefined, attrs.axes);
  const axes = new Set(given?.length ? given.map((a) => normAxis(a, x.length)) : x.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of axes) if (x[a] !== 1) throw new ShapeError(`cannot squeeze axis ${a} of ${fmt(x)}`);
  return [x.filter((_, i) => !axes.has(i))];
}

function unsqueezeShape(x: Shape, attrs: Attrs): Shape[] {
  const given = fromAttr('unsqueeze', 'axes', intList('unsqueeze', 'axes', undefined, attrs.axes));
  const rank = x.length + given.length;
  const axes = new Set(given.map((a) => normAxis(a, rank)));
  if (axes.size !== given.length) throw new ShapeError(`unsqueeze axes ${fmt(given)} repeat an axis`);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(axes.has(i) ? 1 : x[k++]);
  return [out];
}

function flattenShape(x: Shape, attrs: Attrs): Shape[] {
  const axis = intAttr('flatten', attrs, 'axis', 1);
  const a = axis < 0 ? axis + x.length : axis;
  if (a < 0 || a > x.length) throw new ShapeError(`flatten axis ${axis} is out of range for rank ${x.length}`);
  const prod = (s: Shape): number => s.reduce((p, d) => p * d, 1);
  return [[prod(x.slice(0, a)), prod(x.slice(a))]];
}

/** ONNX Shape's output: the length of shape[start:end], both clamped. */
function shapeShape(x: Shape, attrs: Attrs): Shape[] {
  const r = x.length;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const end = attrs.end === undefined || attrs.end === null ? r : intAttr('shape', attrs, 'end', r);
  return [[Math.max(0, clamp(end) - clamp(intAttr('shape', attrs, 'start', 0)))]];
}

/** Ops that move, join, cut or relabel elements without arithmetic (ONNX semantics, docs/ops.md). */
export const shapeOps: readonly OpDef[] = [
  {
    name: 'flatten',
    doc: 'Reshapes to 2-D [prod(dims before axis), prod(dims from axis)].',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [flatten(required('flatten', inputs, 0, 'x'), intAttr('flatten', attrs, 'axis', 1))],
    shape: (inputs, attrs) => flattenShape(needShape('flatten', inputs, 0), attrs),
  },
  {
    name: 'reshape',
    doc: 'Gives the data a new shape: 0 copies the input dimension, -1 is inferred.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const shape = intList('reshape', 'shape', inputs[1], attrs.shape);
      if (shape === undefined) throw new EngineError(`needs 'shape' as input 1 or as an attribute`, 'reshape');
      return [reshape(required('reshape', inputs, 0, 'data'), shape, intAttr('reshape', attrs, 'allowzero', 0) !== 0)];
    },
    shape: (inputs, attrs) => [reshapeShape(needShape('reshape', inputs, 0),
      fromAttr('reshape', 'shape', intList('reshape', 'shape', undefined, attrs.shape)), intAttr('reshape', attrs, 'allowzero', 0) !== 0)],
  },
  {
    name: 'transpose',
    doc: 'Permutes the axes (default: reversed).',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [transpose(required('transpose', inputs, 0, 'data'), intList('transpose', 'perm', undefined, attrs.perm))],
    shape: (inputs, attrs) => transposeShape(needShape('transpose', inputs, 0), attrs),
  },
  {
    name: 'concat',
    doc: 'Joins its inputs along an axis.',
    minInputs: 1,
    maxInputs: Number.POSITIVE_INFINITY,
    run: (inputs, attrs) => {
      const xs = inputs.map((_, i) => required('concat', inputs, i, `inputs[${i}]`));
      if (attrs.axis === undefined) throw new EngineError(`attribute 'axis' is required`, 'concat');
      return [concat(xs, intAttr('concat', attrs, 'axis', 0))];
    },
    shape: concatShape,
  },
  {
    name: 'split',
    doc: 'Cuts the input along an axis into pieces of the given sizes, or into numOutputs near-equal pieces.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const x = required('split', inputs, 0, 'input');
      const axis = normalizeAxis('split', intAttr('split', attrs, 'axis', 0), x.rank);
      let sizes = intList('split', 'split', inputs[1], attrs.split);
      if (sizes === undefined || sizes.length === 0) {
        // ONNX before opset 18 splits into as many outputs as the node has; the loader passes that as numOutputs.
        if (attrs.numOutputs === undefined) {
          throw new EngineError(`needs 'split' sizes or 'numOutputs'`, 'split');
        }
        sizes = splitSizes(x.shape[axis], intAttr('split', attrs, 'numOutputs', 1));
      }
      return split(x, axis, sizes);
    },
    shape: (inputs, attrs) => splitShape(needShape('split', inputs, 0), attrs),
  },
  {
    name: 'slice',
    doc: 'Takes start:end:step along some axes; negative values count from the end, ends are clamped.',
    minInputs: 1,
    maxInputs: 5,
    run: (inputs, attrs) => {
      const starts = intList('slice', 'starts', inputs[1], attrs.starts);
      const ends = intList('slice', 'ends', inputs[2], attrs.ends);
      if (starts === undefined || ends === undefined) {
        throw new EngineError(`needs 'starts' and 'ends' as inputs 1 and 2 or as attributes`, 'slice');
      }
      const axes = intList('slice', 'axes', inputs[3], attrs.axes);
      const steps = intList('slice', 'steps', inputs[4], attrs.steps);
      return [slice(required('slice', inputs, 0, 'data'), starts, ends, axes, steps)];
    },
    shape: (inputs, attrs) => sliceShape(needShape('slice', inputs, 0), attrs),
  },
  {
    name: 'squeeze',
    doc: 'Removes axes of size 1 (the listed ones, or all).',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      // An empty axes list means "not given", as in onnxruntime: squeeze every axis of size 1.
      const axes = intList('squeeze', 'axes', inputs[1], attrs.axes);
      return [squeeze(required('squeeze', inputs, 0, 'data'), axes?.length ? axes : undefined)];
    },
    shape: (inputs, attrs) => squeezeShape(needShape('squeeze', inputs, 0), attrs),
  },
  {
    name: 'unsqueeze',
    doc: 'Inserts axes of size 1 at the listed output positions.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const axes = intList('unsqueeze', 'axes', inputs[1], attrs.axes);
      if (axes === undefined) throw new EngineError(`needs 'axes' as input 1 or as an attribute`, 'unsqueeze');
      return [unsqueeze(required('unsqueeze', inputs, 0, 'data'), axes)];
    },
    shape: (inputs, attrs) => unsqueezeShape(needShape('unsqueeze', inputs, 0), attrs),
  },
  {
    name: 'shape',
    doc: 'The input shape as an int64 vector, optionally shape[start:end].',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => {
      const end = attrs.end === undefined || attrs.end === null ? undefined : intAttr('shape', attrs, 'end', 0);
      return [shapeOf(required('shape', inputs, 0, 'data'), intAttr('shape', attrs, 'start', 0), end)];
    },
    shape: (inputs, attrs) => shapeShape(needShape('shape', inputs, 0), attrs),
  },
  {
    name: 'cast',
    doc: 'Converts to another dtype (float32, int32, int64, bool).',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => {
      if (attrs.to === undefined) throw new EngineError(`attribute 'to' is required`, 'cast');
      return [cast(required('cast', inputs, 0, 'input'), castTarget(attrs.to))];
    },
    shape: sameAsFirst('cast'),
  },
  {
    name: 'expand',
    doc: 'Broadcasts the input to a shape by NumPy rules.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const shape = intList('expand', 'shape', inputs[1], attrs.shape);
      if (shape === undefined) throw new EngineError(`needs 'shape' as input 1 or as an attribute`, 'expand');
      return [expand(required('expand', inputs, 0, 'input'), shape)];
    },
  },
];
