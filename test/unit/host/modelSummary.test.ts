import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outline } from '../../../src/service/engineService';
import { ONNX_SUMMARY_VIEW_TYPE } from '../../../src/host/ids';
import { summarizeModel } from '../../../src/host/modelSummary';
import { Tensor } from '../../../src/engine/tensor';
import { opsText, shapeText } from '../../../webview/summary/format';
import { encodeModel, load } from '../loaders/onnxHelpers';

/** What the `.onnx` summary editor shows, from a model the ONNX loader opened. */

const ROOT = join(__dirname, '..', '..', '..');

const w = (shape: number[]) => new Tensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5));

async function encoderLike() {
  const bytes = encodeModel({
    producer: 'pytorch',
    opset: 17,
    irVersion: 8,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 4] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 4] }],
    initializers: { 'enc.l0.w': w([4, 4]), 'enc.l0.b': w([4]), 'enc.l1.w': w([4, 4]) },
    nodes: [
      { op: 'MatMul', inputs: ['x', 'enc.l0.w'], outputs: ['a'], name: '/enc/l0/MatMul' },
      { op: 'Add', inputs: ['a', 'enc.l0.b'], outputs: ['b'], name: '/enc/l0/Add' },
      { op: 'Relu', inputs: ['b'], outputs: ['c'], name: '/enc/Relu' },
      { op: 'MatMul', inputs: ['c', 'enc.l1.w'], outputs: ['d'], name: '/enc/l1/MatMul' },
      { op: 'FancyNorm', domain: 'com.example', inputs: ['d'], outputs: ['y'], name: '/enc/l1/FancyNorm' },
    ],
  });
  return outline(await load(bytes));
}

describe('the ONNX model summary', () => {
  it('lists modules with op and parameter counts, own ops by type, and the file facts', async () => {
    const s = summarizeModel(await encoderLike(), '/models/enc.onnx');
    expect([s.fileName, s.format, s.params, s.ops]).toEqual(['enc.onnx', 'onnx', 36, 5]);
    expect(s.metadata).toEqual({ producer: 'pytorch', irVersion: 8, opsets: { '': 17 }, moduleTree: 'file' });
    expect(s.inputs.map((i) => [i.name, shapeText(i.shape)])).toEqual([['x', '[batch, 4]']]);
    const enc = s.root.children[0];
    expect([enc.id, enc.ops, enc.params, enc.ownOps]).toEqual(['enc', 5, 36, [['relu', 1]]]);
    const [l0, l1] = enc.children;
    expect([l0.name, l0.ops, l0.params, opsText(l0.ownOps)]).toEqual(['l0', 2, 20, 'matmul · add']);
    expect([l1.name, l1.ops, l1.params]).toEqual(['l1', 2, 16]);
  });

  it('lists every op the engine cannot run, with the node it is in', async () => {
    const s = summarizeModel(await encoderLike(), 'enc.onnx');
    expect(s.unsupported).toEqual([{ id: 'enc/l1/FancyNorm', op: 'com.example.FancyNorm' }]);
  });

  it('counts a weight two modules share once in the model total', async () => {
    const bytes = encodeModel({
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 3] }],
      initializers: { shared: w([3]) },
      nodes: [
        { op: 'Add', inputs: ['x', 'shared'], outputs: ['a'], name: '/p/Add' },
        { op: 'Add', inputs: ['a', 'shared'], outputs: ['y'], name: '/q/Add' },
      ],
    });
    const s = summarizeModel(outline(await load(bytes)), 'm.onnx');
    expect(s.params).toBe(3);
  });

  it('is contributed as the default editor of .onnx and Keras (.h5, .hdf5, .keras) files', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { customEditors: { viewType: string; selector: { filenamePattern: string }[]; priority: string }[] };
      activationEvents: string[];
    };
    expect(pkg.contributes.customEditors).toEqual([
      expect.objectContaining({ viewType: ONNX_SUMMARY_VIEW_TYPE, selector: ['*.onnx', '*.h5', '*.hdf5', '*.keras'].map((filenamePattern) => ({ filenamePattern })), priority: 'default' }),
    ]);
    expect(pkg.activationEvents).toContain(`onCustomEditor:${ONNX_SUMMARY_VIEW_TYPE}`);
  });
});
