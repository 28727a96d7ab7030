import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { Item } from '../../../src/model/ir';
import { applyEdit, prepareEdit } from '../../../src/runner/edits';
import { frameEvalScope, frameTargets } from '../../../src/runner/frameScope';
import type { ScopeSource } from '../../../src/runner/frameScope';
import { chooseLayout } from '../../../src/protocol/tensorLayout';
import type { EditAction, EditUnit } from '../../../webview/editText';
import { assignmentText, channelOrder, editUnit, parseFactor, quote, tensorRef, unitAt } from '../../../webview/editText';

/**
 * The panel's edit texts: the strings are checked by hand, and what they do is checked by running them through
 * the debugger's own assignment code on a tensor and comparing with the same change made in TensorFlow.js.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const unitOf = (shape: number[], order: 'first' | 'last' = 'first'): EditUnit => {
  const u = editUnit(shape, chooseLayout(shape, 'output'), order);
  if (!u) throw new Error(`no unit for [${shape}]`);
  return u;
};

describe('edit units', () => {
  it('are channels on axis 1 of NCHW maps and on the last axis of NHWC ones', () => {
    expect(unitOf([1, 8, 5, 5])).toEqual({ noun: 'channel', axis: 1, count: 8 });
    expect(unitOf([1, 5, 6, 8], 'last')).toEqual({ noun: 'channel', axis: 3, count: 8 });
  });

  it('are neurons along the one long axis of a vector', () => {
    expect(unitOf([1, 10])).toEqual({ noun: 'neuron', axis: 1, count: 10 });
    expect(unitOf([10])).toEqual({ noun: 'neuron', axis: 0, count: 10 });
    expect(unitOf([1, 1, 7])).toEqual({ noun: 'neuron', axis: 2, count: 7 });
  });

  it('are absent for matrices, scalars and empty tensors', () => {
    expect(editUnit([3, 4], chooseLayout([3, 4], 'output'), 'first')).toBeUndefined();
    expect(editUnit([1], chooseLayout([1], 'output'), 'first')).toBeUndefined();
    expect(editUnit([0, 3], chooseLayout([0, 3], 'output'), 'first')).toBeUndefined();
  });

  it('find the unit of the element under the pointer', () => {
    // [1, 4, 3, 3] NCHW: element (0, 2, 1, 0) is flat 2·9 + 1·3 = 21.
    expect(unitAt(unitOf([1, 4, 3, 3]), 21, [1, 4, 3, 3])).toBe(2);
    // [1, 3, 3, 4] NHWC: element (0, 1, 2, 3) is flat 1·12 + 2·4 + 3 = 23.
    expect(unitAt(unitOf([1, 3, 3, 4], 'last'), 23, [1, 3, 3, 4])).toBe(3);
    expect(unitAt(unitOf([1, 10]), 7, [1, 10])).toBe(7);
  });
});

describe('channel order', () => {
  const mod = (name: string, type = 'Conv2D') => ({ kind: 'module' as const, name, type });
  const node = (name: string, type: string) => ({ kind: 'node' as const, name, type });

  it('is channels-first for ONNX and Layerstep models, channels-last for Keras and TensorFlow layers', () => {
    expect(channelOrder('onnx', mod('conv1'))).toBe('first');
    expect(channelOrder('layerstep/1', mod('conv1'))).toBe('first');
    expect(channelOrder('keras', mod('conv2d'))).toBe('last');
    expect(channelOrder('tfjs-layers', node('relu', 'relu'))).toBe('last');
    expect(channelOrder('tfjs-graph', node('Relu', 'relu'))).toBe('last');
  });

  it('is channels-first for the ops a channels-last layer runs between its transposes', () => {
    expect(channelOrder('keras', node('conv', 'conv'))).toBe('first');
    expect(channelOrder('keras', node('to_nchw', 'transpose'))).toBe('first');
    expect(channelOrder('keras', node('maxPool', 'maxPool'))).toBe('first');
    expect(channelOrder('keras', node('to_nhwc', 'transpose'))).toBe('last');
  });

  it('follows a data_format attribute first', () => {
    expect(channelOrder('keras', mod('conv2d'), { data_format: 'channels_first' })).toBe('first');
    expect(channelOrder('onnx', mod('conv'), { data_format: 'NHWC' })).toBe('last');
    expect(channelOrder('tfjs-graph', node('Conv2D', 'conv2d'), { data_format: 'NCHW' })).toBe('first');
  });
});

describe('assignment text', () => {
  const zero: EditAction = { kind: 'zero' };
  const half: EditAction = { kind: 'scale', factor: 0.5 };

  it('indexes the channel axis of NCHW with one slice, and writes every slice before NHWC channels', () => {
    expect(assignmentText('output', 4, unitOf([1, 8, 5, 5]), 5, zero)).toBe('output[:, 5] = 0');
    expect(assignmentText('output', 4, unitOf([1, 5, 6, 8], 'last'), 5, zero)).toBe('output[:, :, :, 5] = 0');
    expect(assignmentText('output', 4, unitOf([1, 5, 6, 8], 'last'), 7, { kind: 'scale', factor: 2 })).toBe('output[:, :, :, 7] *= 2');
  });

  it('indexes a neuron of a vector', () => {
    expect(assignmentText('output', 2, unitOf([1, 10]), 3, half)).toBe('output[:, 3] *= 0.5');
    expect(assignmentText('output', 1, unitOf([10]), 9, zero)).toBe('output[9] = 0');
    expect(assignmentText('output', 2, unitOf([1, 10]), 0, { kind: 'scale', factor: -1e-7 })).toBe('output[:, 0] *= -1e-7');
  });

  it('names the first output and input by their short names, the others by their quoted names', () => {
    expect(tensorRef('outputs', 0, 'conv/out:0')).toBe('output');
    expect(tensorRef('inputs', 0, 'x')).toBe('input');
    expect(tensorRef('outputs', 1, 'split:1')).toBe("outputs['split:1']");
    expect(tensorRef('inputs', 2, 'mask')).toBe("inputs['mask']");
    expect(quote("it's a\\b")).toBe("'it\\'s a\\\\b'");
    expect(assignmentText(tensorRef('outputs', 1, 'split:1'), 4, unitOf([1, 8, 5, 5]), 2, zero)).toBe("outputs['split:1'][:, 2] = 0");
  });

  it('refuses a unit out of range and a factor that is not a finite number', () => {
    expect(() => assignmentText('output', 2, unitOf([1, 10]), 10, zero)).toThrow(RangeError);
    expect(() => assignmentText('output', 2, unitOf([1, 10]), -1, zero)).toThrow(RangeError);
    expect(() => assignmentText('output', 2, unitOf([1, 10]), 1, { kind: 'scale', factor: NaN })).toThrow(RangeError);
  });

  it('reads typed factors', () => {
    expect(parseFactor(' 0.5 ')).toBe(0.5);
    expect(parseFactor('2')).toBe(2);
    expect(parseFactor('-1')).toBe(-1);
    expect(parseFactor('.25')).toBe(0.25);
    expect(parseFactor('1e-3')).toBe(0.001);
    for (const bad of ['', 'abc', '1/2', '0x10', 'Infinity', 'NaN', '1e999', '2 3']) expect(parseFactor(bad)).toBeUndefined();
  });
});

/**
 * A node frame with outputs `out:0` and `side'1` (a name that needs quoting), whose values are `values`, read
 * by the debugger's own frame scope: the texts go through the same resolver and evaluator as a typed edit.
 */
function applyInFrame(text: string, values: Record<string, Tensor>): Tensor {
  const item = { kind: 'node', id: 'n', name: 'n', op: 'relu', inputs: ['x'], outputs: Object.keys(values), attrs: {} } as unknown as Item;
  const src: ScopeSource = {
    isWeight: () => false,
    weight: () => undefined,
    value: (n) => values[n],
    visible: (n) => n in values || n === 'x',
    isInput: (n) => n === 'x',
  };
  const edit = prepareEdit(text, frameTargets(item, true, src), frameEvalScope(item, true, src, () => undefined));
  return applyEdit(values[edit.target.name], edit);
}

/** `x` with unit `index` along `axis` multiplied by `factor`, in TensorFlow.js: x · (1 + (factor − 1)·onehot). */
function oracle(x: Tensor, axis: number, index: number, factor: number): number[] {
  const shape = x.shape.map((_, i) => (i === axis ? x.shape[axis] : 1));
  const hot = tf.reshape(tf.oneHot(tf.tensor1d([index], 'int32'), x.shape[axis]), shape);
  const scale = tf.add(1, tf.mul(factor - 1, hot));
  return Array.from(tf.mul(tf.tensor(Array.from(x.data), [...x.shape]), scale).dataSync());
}

function random(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed;
  return Tensor.from(shape, Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  }));
}

describe('assignment text, applied', () => {
  const cases: { what: string; shape: number[]; order: 'first' | 'last'; position: number; index: number; action: EditAction }[] = [
    { what: 'NCHW channel, zeroed', shape: [1, 4, 3, 3], order: 'first', position: 0, index: 2, action: { kind: 'zero' } },
    { what: 'NHWC channel, scaled', shape: [1, 3, 2, 5], order: 'last', position: 0, index: 4, action: { kind: 'scale', factor: 0.5 } },
    { what: 'NHWC channel of a second output, zeroed', shape: [2, 3, 3, 4], order: 'last', position: 1, index: 1, action: { kind: 'zero' } },
    { what: '[1, N] neuron, scaled', shape: [1, 10], order: 'first', position: 0, index: 7, action: { kind: 'scale', factor: 2 } },
    { what: '[N] neuron of a second output, scaled', shape: [6], order: 'first', position: 1, index: 0, action: { kind: 'scale', factor: -3 } },
  ];
  for (const c of cases) {
    it(`changes exactly the ${c.what}`, () => {
      const names = ['out:0', "side'1"];
      const values = { [names[0]]: random(c.shape, 7), [names[1]]: random(c.shape, 11) };
      const target = values[names[c.position]];
      const unit = unitOf(c.shape, c.order);
      const text = assignmentText(tensorRef('outputs', c.position, names[c.position]), c.shape.length, unit, c.index, c.action);
      const got = Array.from(applyInFrame(text, values).data);
      const want = oracle(target, unit.axis, c.index, c.action.kind === 'zero' ? 0 : c.action.factor);
      expect(got).toHaveLength(want.length);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    });
  }
});
