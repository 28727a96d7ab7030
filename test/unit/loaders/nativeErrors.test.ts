import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { ModelError } from '../../../src/model/errors';
import { openModel } from '../../../src/loaders/registry';
import { encodeSafetensors } from '../../../src/loaders/safetensors';
import { lineOf, load, loadError, modelOf } from './nativeHelpers';
import { MemorySource } from './memorySource';
import { loadPendingWeights } from '../../../src/model/lazyWeights';

const init = { init: 'glorotUniform' };
const zeros = { init: 'zeros' };
const dense = (name: string, units: number, extra: Record<string, unknown> = {}) => ({ name, type: 'dense', units, weights: { kernel: init, bias: zeros }, ...extra });

async function errorOf(text: string, siblings: Record<string, Uint8Array | string> = {}, maxBytes?: number): Promise<ModelError> {
  try {
    await openModel(new MemorySource('model.json', text, siblings), maxBytes ? { maxBytes } : {});
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error('the model loaded');
}

describe('native loader: refusing broken models', () => {
  it('reports malformed JSON with line and column', async () => {
    const e = await errorOf('{\n  "format": "layerstep/1",\n  "inputs": [{ "name": "x" "shape": [1] }]\n}');
    expect(e.message).toBe('model.json line 3, column 28: the JSON is malformed: a comma is expected.');
    expect(e.source).toMatchObject({ startLine: 3, startColumn: 28 });
  });

  it('reports truncated JSON at its end', async () => {
    const e = await errorOf('{\n  "format": "layerstep/1",\n  "layers": [\n    { "type": "relu"');
    expect(e.message).toMatch(/^model\.json line 4, column \d+: the JSON is malformed: .*\(the file ends too early: is it truncated\?\)\.$/);
  });

  it('says what a model needs when the JSON is not a model', async () => {
    expect((await errorOf('{ "name": "package", "version": "1.0.0" }')).message).toBe(
      'model.json is not a Layerstep model (it has no "format"): a model is a JSON object with "format": "layerstep/1", "inputs" (one input with a name and a shape) and "layers" (an array of layer objects).');
    expect((await errorOf('[1, 2, 3]')).message).toMatch(/^model\.json is not a Layerstep model \(it holds an array\): a model is/);
    expect((await errorOf('{ "format": "layerstep/9", "inputs": [], "layers": [] }')).message)
      .toBe('model.json line 1: "format" is the string "layerstep/9", which this version does not read; it reads "layerstep/1".');
    expect(await loadError({ format: 'layerstep/1', inputs: [{ name: 'x', shape: [1, 2] }] })).toMatch(/not a Layerstep model \(it has no "layers"\)/);
    expect(await loadError({ format: 'layerstep/1', inputs: [{ name: 'x', shape: [1, 2] }], layers: [] })).toMatch(/"layers" is an array; a model needs a non-empty array of layers/);
    expect(await loadError({ format: 'layerstep/1', inputs: [{ name: 'a', shape: [1] }, { name: 'b', shape: [1] }], layers: [{ type: 'relu' }] }))
      .toMatch(/"inputs" is an array of 2; this version takes exactly one input/);
  });

  it('lists the known layer types for an unknown one', async () => {
    const model = modelOf([{ name: 'c', type: 'conv3d' }]);
    const msg = await loadError(model);
    expect(msg.startsWith(`model.json line ${lineOf(model, '"conv3d"')}: `)).toBe(true);
    expect(msg).toMatch(/^model\.json line \d+: layer 'c' has unknown type 'conv3d'; known types are dense, embedding, activation, relu, .*conv2d.*lstm.*residual, parallel\.$/);
  });

  it('names both layers and both shapes when shapes do not chain', async () => {
    const text = [
      '{',
      '  "format": "layerstep/1",',
      '  "inputs": [{ "name": "x", "shape": [1, 784] }],',
      '  "layers": [',
      '    {',
      '      "name": "dense_1", "type": "dense", "units": 64,',
      '      "weights": { "kernel": { "init": "zeros" }, "bias": { "init": "zeros" } }',
      '    },',
      '    {',
      '      "name": "relu", "type": "relu"',
      '    },',
      '    {',
      '      "name": "extra", "type": "identity" },',
      '    { "name": "dense_2", "type": "dense", "units": 10,',
      '      "weights": { "kernel": { "shape": [128, 10], "init": "zeros" }, "bias": { "init": "zeros" } } }',
      '  ]',
      '}',
    ].join('\n');
    const e = await errorOf(text);
    expect(e.message).toBe("model.json line 14: layer 'dense_2' expects an input whose last dimension is 128 (its kernel is [128, 10]) but layer 'extra' gives [1, 64].");
    expect(e.source?.startLine).toBe(14);
  });

  it('names the shapes when convolution channels or a residual sum do not match', async () => {
    expect(await loadError(modelOf([
      { name: 'c1', type: 'conv2d', filters: 8, kernelSize: 3, weights: { kernel: init, bias: zeros } },
      { name: 'c2', type: 'conv2d', filters: 4, kernelSize: 3, weights: { kernel: { shape: [4, 16, 3, 3], init: 'zeros' }, bias: zeros } },
    ], { name: 'img', shape: [1, 3, 8, 8] }))).toMatch(/layer 'c2' expects an input with 16 channels \(its kernel is \[4, 16, 3, 3\]\) but layer 'c1' gives \[1, 8, 6, 6\]\.$/);
    expect(await loadError(modelOf([{ name: 'b', type: 'residual', layers: [dense('fc', 3)] }])))
      .toMatch(/layer 'b' adds its layers' output \[1, 3\] \(from layer 'b\/fc'\) to its input \[1, 4\] \(from the input 'x'; add a "shortcut" to change its shape\), but the two shapes must be equal\.$/);
    expect(await loadError(modelOf([{ name: 'c', type: 'conv2d', filters: 2, kernelSize: 3, weights: { kernel: init, bias: zeros } }])))
      .toMatch(/layer 'c' expects an input of shape \[N, C, H, W\] \(rank 4, channels first\) but the input 'x' gives \[1, 4\]\.$/);
    expect(await loadError(modelOf([{ name: 'r', type: 'reshape', shape: [1, 3] }])))
      .toMatch(/layer 'r' cannot run its reshape op 'reshape' on \[1, 4\] from the input 'x': cannot reshape \[1, 4\] \(4 elements\) to \[1, 3\] \(3 elements\)\.$/);
  });

  it('refuses a weight array of the wrong length', async () => {
    expect(await loadError(modelOf([{ name: 'hidden', type: 'dense', units: 8, weights: { kernel: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], bias: zeros } }])))
      .toMatch(/^model\.json line \d+: layer 'hidden' weight 'kernel' has 10 values but its shape \[4, 8\] needs 32\.$/);
    expect(await loadError(modelOf([{ name: 'h', type: 'dense', units: 2, weights: { kernel: { shape: [4, 2], data: [1, 2] }, bias: zeros } }])))
      .toMatch(/layer 'h' weight 'kernel' has 2 values but its shape \[4, 2\] needs 8\./);
    expect(await loadError(modelOf([{ name: 'h', type: 'dense', units: 2, weights: { kernel: [[1, 2], [3]], bias: zeros } }])))
      .toMatch(/layer 'h' weight 'kernel' is a ragged nested array/);
    expect(await loadError(modelOf([{ name: 'h', type: 'dense', units: 2, weights: { kernel: [[1, 2], [3, 4]], bias: zeros } }])))
      .toMatch(/layer 'h' expects an input whose last dimension is 2 \(its kernel is \[2, 2\]\) but the input 'x' gives \[1, 4\]\./);
    expect(await loadError(modelOf([{ name: 'h', type: 'dense', units: 2, weights: { kernel: init, bias: [[1, 2]] } }])))
      .toMatch(/layer 'h' weight 'bias' has shape \[1, 2\] but the layer expects \[2\]\./);
  });

  it('says which role and shape a missing weight should have', async () => {
    expect(await loadError(modelOf([{ name: 'out', type: 'dense', units: 10, weights: { kernel: init } }])))
      .toMatch(/^model\.json line \d+: layer 'out' is missing its weight 'bias' of shape \[10\]: give it under "weights" as a number array, \{ "shape", "data" \}, \{ "key" \} into a \.safetensors file, or \{ "init" \}\.$/);
    const w = encodeSafetensors({ 'out.kernel': Tensor.zeros([4, 10]) });
    expect(await loadError(modelOf([{ name: 'out', type: 'dense', units: 10 }], undefined, { weightsFile: 'w.safetensors' }), { 'w.safetensors': w }))
      .toMatch(/layer 'out' is missing its weight 'bias' of shape \[10\]: .* or store it in w\.safetensors under 'out\.bias'\.$/);
  });

  it('refuses duplicate layer names, naming both lines', async () => {
    const model = modelOf([{ name: 'a', type: 'relu' }, { name: 'a', type: 'tanh' }]);
    const first = lineOf(model, '"name": "a"') - 1;
    const second = lineOf(model, '"name": "a"', first + 1) - 1;
    expect(await loadError(model)).toBe(`model.json line ${second}: layer name 'a' is used twice in model 'test' (first at line ${first}); names must be unique within their parent.`);
    expect(await loadError(modelOf([{ name: 'b', type: 'residual', layers: [{ name: 'shortcut', type: 'relu' }], shortcut: [{ type: 'relu' }] }])))
      .toMatch(/layer name 'shortcut' is taken by layer 'b' itself/);
  });

  it('refuses unknown properties, misspelt weight roles and settings of the wrong kind', async () => {
    expect(await loadError(modelOf([{ name: 'd', type: 'dense', unit: 3 }])))
      .toMatch(/layer 'd' has an unknown property 'unit'; a dense layer takes name, type, description, weights, units, activation, useBias\.$/);
    expect(await loadError(modelOf([{ name: 'd', type: 'dense', units: 2, weights: { kernal: init, kernel: init, bias: zeros } }])))
      .toMatch(/layer 'd' lists weight 'kernal', which a dense layer with these settings does not use \(it takes kernel, bias\)\.$/);
    expect(await loadError(modelOf([{ name: 'd', type: 'dense', units: 2, useBias: false, weights: { kernel: init, bias: zeros } }])))
      .toMatch(/lists weight 'bias', which a dense layer with these settings does not use/);
    expect(await loadError(modelOf([{ name: 'd', type: 'dense', units: '3' }])))
      .toMatch(/layer 'd' has 'units' set to the string "3"; expected an integer of at least 1\.$/);
    expect(await loadError(modelOf([{ name: 'd', type: 'dense', units: 3, activation: 'rleu' }])))
      .toMatch(/layer 'd' has 'activation' set to the string "rleu"; expected one of 'linear', 'relu'/);
    expect(await loadError(modelOf([{ name: 'd', type: 'dense' }]))).toMatch(/layer 'd' needs 'units' \(an integer of at least 1\)\.$/);
    expect(await loadError(modelOf([{ type: 'relu' }], { name: 'x', shape: [1, 4] }, { outputs: ['y'] }))).toMatch(/a model has no property 'outputs'/);
  });

  it('refuses a weights file that is missing or shorter than its header declares', async () => {
    const model = modelOf([{ name: 'd', type: 'dense', units: 2 }], undefined, { weightsFile: 'weights.safetensors' });
    expect(await loadError(model)).toMatch(/^model\.json line \d+: weights file 'weights\.safetensors' does not exist in the model's folder\.$/);
    const full = encodeSafetensors({ 'd.kernel': Tensor.zeros([4, 2]), 'd.bias': Tensor.zeros([2]) });
    expect(await loadError(model, { 'weights.safetensors': full.subarray(0, full.length - 4) }))
      .toMatch(/weights file weights\.safetensors holds key '.*' at bytes \d+ to \d+ of its data, but the data is only \d+ bytes long \(truncated\?\)\.$/);
    expect(await loadError(model, { 'weights.safetensors': full.subarray(0, 20) })).toMatch(/weights file weights\.safetensors declares a header of \d+ bytes but the file holds only 12/);
    expect(await loadError(modelOf([{ name: 'd', type: 'dense', units: 2, weights: { kernel: { file: 'weights.safetensors', key: 'nope' }, bias: zeros } }]), { 'weights.safetensors': full }))
      .toMatch(/layer 'd' weight 'kernel' refers to key 'nope', which weights\.safetensors does not hold \(it holds d\.kernel, d\.bias\)\.$/);
  });

  it('refuses weight paths outside the model folder before reading anything', async () => {
    for (const [path, why] of [
      ['/etc/passwd.safetensors', 'it is absolute'],
      ['../w.safetensors', "it leaves the model's folder with '..'"],
      ['sub/../../w.safetensors', "it leaves the model's folder with '..'"],
      ['C:\\w.safetensors', 'it starts with a drive letter'],
      ['\\\\server\\share\\w.safetensors', 'it is absolute'],
      ['file:///w.safetensors', 'it holds a colon'],
    ]) {
      const source = MemorySource.of(modelOf([{ name: 'd', type: 'dense', units: 2, weights: { kernel: { file: path, key: 'k' }, bias: zeros } }]));
      const err = await openModel(source).then(() => '', (e: Error) => e.message);
      expect(err).toContain(`weights file '${path}' is refused: ${why}`);
      expect(source.reads).toEqual([]);
      expect(source.stats).toEqual([]);
    }
  });

  it('refuses shapes whose bytes exceed maxBytes before allocating', async () => {
    expect(await loadError(modelOf([{ type: 'relu' }], { name: 'x', shape: [1e6, 1e6] })))
      .toMatch(/^model\.json line \d+: input 'x' has shape \[1000000, 1000000\], which takes 4000000000000 bytes, more than the 2147483648 bytes allowed \(maxBytes\)\.$/);
    expect(await loadError(modelOf([{ name: 'big', type: 'matmul', weights: { value: { shape: [1e6, 1e6], init: 'normal' } } }])))
      .toMatch(/layer 'big' weight 'value' of shape \[1000000, 1000000\] takes 4000000000000 bytes, past the 2147483648 bytes a model may load \(maxBytes\)\./);
    expect(await loadError(modelOf([{ name: 'wide', type: 'dense', units: 1e6, weights: { kernel: init, bias: zeros } }]), {}, { maxBytes: 1 << 20 }))
      .toMatch(/layer 'wide' weight 'kernel' of shape \[4, 1000000\] takes 16000000 bytes, past the 1048576 bytes/);
    const w = encodeSafetensors({ k: Tensor.zeros([300, 300]) });
    expect(await loadError(modelOf([{ name: 'd', type: 'matmul', weights: { value: { file: 'w.safetensors', key: 'k' } } }]), { 'w.safetensors': w }, { maxBytes: 100_000 }))
      .toMatch(/weights file 'w\.safetensors' is 360\d+ bytes, more than the 100000 bytes a model may load/);
  });

  it('keeps NaN and infinite weights, from the file and from strings', async () => {
    const kernel = Tensor.from([4, 1], [NaN, 1, Infinity, 0]);
    const m = await load(modelOf([
      { name: 'a', type: 'dense', units: 1, weights: { kernel: { file: 'w.safetensors', key: 'k' }, bias: ['NaN'] } },
      { name: 'b', type: 'add', weights: { value: ['-Infinity'] } },
    ]), { 'w.safetensors': encodeSafetensors({ k: kernel }) });
    await loadPendingWeights(m);
    expect(m.weights.get('a.kernel')!.toArray()).toEqual([NaN, 1, Infinity, 0]);
    expect(m.weights.get('a.bias')!.toArray()).toEqual([NaN]);
    expect(m.weights.get('b.value')!.toArray()).toEqual([-Infinity]);
  });

  it('checks labels and examples against the output and the input', async () => {
    expect(await loadError(modelOf([dense('d', 3)], undefined, { labels: ['a', 'b'] })))
      .toMatch(/"labels" has 2 names but the output has 3 classes \(its shape is \[1, 3\]\)\.$/);
    expect(await loadError(modelOf([{ type: 'relu' }], undefined, { examples: [{ name: 'one', inputs: { x: [1, 2, 3] } }] })))
      .toMatch(/example 'one' input 'x' has 3 values but its shape \[1, 4\] needs 4\.$/);
    expect(await loadError(modelOf([{ type: 'relu' }], undefined, { examples: [{ name: 'one', inputs: { y: [1, 2, 3, 4] } }] })))
      .toMatch(/example 'one' gives input 'y' but the model's input is 'x'\.$/);
    expect(await loadError(modelOf([{ type: 'embedding', inputDim: 4, outputDim: 2, weights: { embeddings: init } }], { name: 'ids', shape: [1, 2], dtype: 'int32' },
      { examples: [{ name: 'e', inputs: { ids: [1, 2.5] } }] }))).toMatch(/example 'e' input 'ids' holds 2\.5, but the input is int32/);
    expect(await loadError(modelOf([{ type: 'relu' }], undefined, { examples: [{ name: 'e', inputs: { x: { shape: [1, 4], dtype: 'int32', data: [1, 2, 3, 4] } } }] })))
      .toMatch(/example 'e' input 'x' has dtype the string "int32" but it must be float32\.$/);
    expect(await loadError(modelOf([{ name: 'd', type: 'dense', units: 1, weights: { kernel: { dtype: 'int64', data: [1, 2, 3, 4] }, bias: [0] } }])))
      .toMatch(/layer 'd' weight 'kernel' has dtype the string "int64" but it must be float32\.$/);
  });

  it('refuses float input to an embedding and integer input to dense', async () => {
    expect(await loadError(modelOf([{ name: 'e', type: 'embedding', inputDim: 4, outputDim: 2, weights: { embeddings: init } }])))
      .toMatch(/layer 'e' expects integer ids \(int32 or int64\) but the input 'x' gives float32 \[1, 4\]/);
    expect(await loadError(modelOf([dense('d', 2)], { name: 'ids', shape: [1, 4], dtype: 'int64' })))
      .toMatch(/layer 'd' expects a float32 input but the input 'ids' gives int64 \[1, 4\]; integer ids go into an embedding layer first\.$/);
  });

  it('refuses an output name that another value already has', async () => {
    expect(await loadError(modelOf([{ type: 'relu' }], undefined, { output: 'x' }))).toMatch(/"output" is 'x', which already names another value/);
  });
});
