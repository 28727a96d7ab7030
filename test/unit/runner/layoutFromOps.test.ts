import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Item, ModuleDef, NodeDef } from '../../../src/model/ir';
import { FileModelSource } from '../../../src/node/fileSource';
import type { TensorSummary } from '../../../src/protocol/engine';
import { opLayout, tensorLayoutIn } from '../../../src/runner/frameScope';
import { EngineService, InProcessEngineClient } from '../../../src/service/engineService';
import { REPO } from '../debug/dapDriver';

const node = (op: string, attrs: Record<string, unknown> = {}, name = op): Item =>
  ({ kind: 'node', id: name, name, op, inputs: ['x'], outputs: ['y'], attrs } as unknown as NodeDef);
const module = (type: string, attrs: Record<string, unknown> = {}): Item =>
  ({ kind: 'module', id: type, name: type, type, inputs: ['x'], outputs: ['y'], attrs, weights: {}, body: [] } as unknown as ModuleDef);

describe('opLayout: the layout a frame\'s op or layer gives its tensors', () => {
  it('reads a declared data_format', () => {
    expect(opLayout(module('Conv2D', { data_format: 'channels_last' }), 'onnx', 'output', 4)).toBe('NHWC');
    expect(opLayout(module('Conv2D', { data_format: 'channels_first' }), 'keras', 'input', 4)).toBe('NCHW');
    expect(opLayout(node('tfSomething', { data_format: 'NHWC' }), 'onnx', 'input', 4)).toBe('NHWC');
    expect(opLayout(node('tfSomething', { dataFormat: 'NCHW' }), 'tfjs-graph', 'input', 4)).toBe('NCHW');
  });

  it('reads a layout transpose from both sides', () => {
    expect(opLayout(node('transpose', { perm: [0, 2, 3, 1] }), 'onnx', 'input', 4)).toBe('NCHW');
    expect(opLayout(node('transpose', { perm: [0, 2, 3, 1] }), 'onnx', 'output', 4)).toBe('NHWC');
    expect(opLayout(node('transpose', { perm: [0, 3, 1, 2] }), 'onnx', 'input', 4)).toBe('NHWC');
    expect(opLayout(node('transpose', { perm: [0, 3, 1, 2] }), 'keras', 'output', 4)).toBe('NCHW');
    // Any other transpose says nothing, even in a channels-last model.
    expect(opLayout(node('transpose', { perm: [0, 1, 3, 2] }), 'keras', 'output', 4)).toBeUndefined();
  });

  it('knows the channels-first engine ops inside a channels-last model, and TF\'s channels-last ops', () => {
    expect(opLayout(node('conv'), 'keras', 'output', 4)).toBe('NCHW');
    expect(opLayout(node('maxPool'), 'tfjs-graph', 'input', 4)).toBe('NCHW');
    expect(opLayout(node('batchNormalization'), 'tfjs-layers', 'input', 4)).toBe('NCHW');
    expect(opLayout(node('tfResize'), 'onnx', 'output', 4)).toBe('NHWC');
  });

  it('makes every other layer and op of a Keras or TF.js model channels last, and says nothing for other formats', () => {
    expect(opLayout(module('Conv2D'), 'keras', 'output', 4)).toBe('NHWC');
    expect(opLayout(node('relu'), 'tfjs-graph', 'input', 4)).toBe('NHWC');
    expect(opLayout(node('relu'), 'onnx', 'input', 4)).toBeUndefined();
    expect(opLayout(module('Sequential'), 'layerstep/1', 'input', 4)).toBeUndefined();
  });

  it('speaks only of rank-4 tensors', () => {
    expect(opLayout(node('conv'), 'onnx', 'output', 3)).toBeUndefined();
    expect(opLayout(module('Conv1D'), 'keras', 'output', 3)).toBeUndefined();
  });
});

describe('tensorLayoutIn: op first, else the shape', () => {
  it('prefers the op to the shape', () => {
    expect(tensorLayoutIn(module('Conv2D'), 'keras', 'output', [1, 8, 8, 16])).toEqual({ layout: 'NHWC', layoutFrom: 'op' });
    // The shape alone would say NHWC; the conv says NCHW.
    expect(tensorLayoutIn(node('conv'), 'keras', 'input', [1, 8, 8, 3])).toEqual({ layout: 'NCHW', layoutFrom: 'op' });
  });

  it('guesses from the shape when the op says nothing', () => {
    expect(tensorLayoutIn(node('add'), 'onnx', 'input', [1, 224, 224, 3])).toEqual({ layout: 'NHWC', layoutFrom: 'guess' });
    expect(tensorLayoutIn(node('add'), 'onnx', 'input', [1, 3, 224, 224])).toEqual({ layout: 'NCHW', layoutFrom: 'guess' });
    expect(tensorLayoutIn(node('add'), 'onnx', 'input', [64, 64, 3])).toEqual({ layout: 'NHWC', layoutFrom: 'guess' });
    expect(tensorLayoutIn(node('add'), 'onnx', 'input', [1, 128])).toBeUndefined();
  });
});

describe('layouts on the scopes of a real Keras model', () => {
  it('marks the channels-last activations of cnn.h5 as NHWC and the inside of its convolution as NCHW', async () => {
    const s = new EngineService({
      openSource: (path) => new FileModelSource(path, path),
      readFile: async (path) => new Uint8Array(await readFile(path)),
    });
    const client = new InProcessEngineClient(s);
    await client.request('open', { path: join(REPO, 'test/fixtures/keras/cnn.h5'), input: { kind: 'random', seed: 0 } });
    const seen = new Map<string, TensorSummary>();
    for (let i = 0; i < 12; i++) {
      const stop = await client.request('step', { kind: 'in' });
      const scopes = await client.request('scopes', { frameId: stop.stack[0].id });
      for (const t of [...scopes.inputs, ...scopes.outputs]) seen.set(`${stop.stack[0].name}:${t.name}`, t);
    }
    expect(seen.get('conv1:image')).toMatchObject({ shape: [1, 8, 8, 3], layout: 'NHWC', layoutFrom: 'op' });
    expect(seen.get('to_nchw:conv1/to_nchw:0')).toMatchObject({ shape: [1, 3, 8, 8], layout: 'NCHW', layoutFrom: 'op' });
    expect(seen.get('conv:conv1/conv:0')).toMatchObject({ shape: [1, 4, 8, 8], layout: 'NCHW', layoutFrom: 'op' });
    expect(seen.get('relu:conv1/relu:0')).toMatchObject({ shape: [1, 8, 8, 4], layout: 'NHWC', layoutFrom: 'op' });
  });
});
