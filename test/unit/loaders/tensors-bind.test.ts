import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { ValueInfo } from '../../../src/model/ir';
import { UNNAMED, bindInputs, decodeTensorFile, encodeTensorFile } from '../../../src/loaders/tensors';

const x: ValueInfo = { name: 'x', dtype: 'float32', shape: ['batch', 4] };
const ids: ValueInfo = { name: 'ids', dtype: 'int64', shape: [1, null] };

describe('binding tensor files to model inputs', () => {
  it('gives one unnamed tensor to a single-input model', () => {
    const t = Tensor.zeros([3, 4]);
    const bound = bindInputs('in.npy', new Map([[UNNAMED, t]]), [x]);
    expect(bound.get('x')).toBe(t);
  });

  it('matches named tensors by input name; symbolic and unknown dims take any size', () => {
    const bound = bindInputs('in.json', new Map([['ids', Tensor.zeros([1, 9], 'int64')], ['x', Tensor.zeros([2, 4])]]), [x, ids]);
    expect([...bound.keys()]).toEqual(['x', 'ids']);
  });

  it('refuses a wrong shape or dtype, naming the input and both shapes', () => {
    expect(() => bindInputs('in.json', new Map([['x', Tensor.zeros([1, 5])]]), [x]))
      .toThrow("in.json: input 'x' expects shape [batch, 4], got [1, 5].");
    expect(() => bindInputs('in.json', new Map([['x', Tensor.zeros([4])]]), [x]))
      .toThrow("in.json: input 'x' expects shape [batch, 4], got [4].");
    expect(() => bindInputs('in.json', new Map([['x', Tensor.zeros([1, 4], 'int32')]]), [x]))
      .toThrow("in.json: input 'x' expects dtype float32 (shape [batch, 4]), got int32 (shape [1, 4]).");
  });

  it('refuses missing, unknown and ambiguous tensors', () => {
    expect(() => bindInputs('in.json', new Map([['x', Tensor.zeros([1, 4])]]), [x, ids]))
      .toThrow("in.json: has no tensor for input 'ids' (the model's inputs: 'x', 'ids').");
    expect(() => bindInputs('in.json', new Map([['y', Tensor.zeros([1, 4])]]), [x]))
      .toThrow("in.json: has a tensor 'y' but the model has no such input (its inputs: 'x').");
    expect(() => bindInputs('in.npy', new Map([[UNNAMED, Tensor.zeros([1, 4])]]), [x, ids]))
      .toThrow(/holds one unnamed tensor but the model has 2 inputs/);
  });

  it('chooses the codec by extension', () => {
    const t = Tensor.from([2], [1, 2]);
    const json = encodeTensorFile('OUT.JSON', new Map([['y', t]]));
    expect(decodeTensorFile('a.json', json).get('y')!.toArray()).toEqual([1, 2]);
    const npy = encodeTensorFile('out.npy', new Map([['y', t]]));
    expect(decodeTensorFile('a.npy', npy).get(UNNAMED)!.toArray()).toEqual([1, 2]);
    expect(() => encodeTensorFile('out.npy', new Map([['a', t], ['b', t]])))
      .toThrow("out.npy: a .npy file holds one tensor but the model has 2 outputs (a, b); write .json instead.");
    expect(() => decodeTensorFile('in.txt', json)).toThrow(/in\.txt: has an unknown extension/);
  });
});
