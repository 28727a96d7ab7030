import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { encodeSafetensors } from '../../../src/loaders/safetensors';
import { modelFor } from '../../../src/model/specialize';
import { openModel } from '../../../src/loaders/registry';
import { MemorySource } from './memorySource';
import { lineOf, load, loadError, modelOf } from './nativeHelpers';

const ROOT = join(__dirname, '../../..');

/** A dense layer of 3 units (output [batch, 3]) with labels a, b, c. */
const classifier = (examples: unknown[], input: { name: string; shape: (number | null)[] } = { name: 'x', shape: [1, 2] }, extra: Record<string, unknown> = {}) =>
  modelOf([{ name: 'd', type: 'dense', units: 3, activation: 'softmax', weights: { kernel: { init: 'glorotUniform' }, bias: { init: 'zeros' } } }],
    input as { name: string; shape: number[] }, { output: 'p', labels: ['a', 'b', 'c'], examples, ...extra });

const one = (data = [0.5, -1]) => ({ x: { shape: [1, 2], data } });

describe('native loader: example targets and labels', () => {
  it('reads targets by output name in every tensor form', async () => {
    const m = await load(classifier([
      { name: 'nested', inputs: one(), targets: { p: [[0, 1, 0]] } },
      { name: 'flat', inputs: one(), targets: { p: [0.2, 0.3, 0.5] } },
      { name: 'object', inputs: one(), targets: { p: { shape: [1, 3], dtype: 'float32', data: [1, 0, 0] } } },
      { name: 'file', inputs: one(), targets: { p: { file: 't.safetensors', key: 'y' } } },
      { name: 'none', inputs: one() },
    ]), { 't.safetensors': encodeSafetensors({ y: Tensor.from([1, 3], [0, 0, 1]) }) });
    const targets = m.examples.map((e) => e.targets?.p);
    expect(targets.map((t) => t?.shape)).toEqual([[1, 3], [1, 3], [1, 3], [1, 3], undefined]);
    expect(targets.map((t) => t?.dtype)).toEqual(['float32', 'float32', 'float32', 'float32', undefined]);
    expect(targets.slice(0, 4).map((t) => t!.toArray())).toEqual([[0, 1, 0], [0.2, 0.3, 0.5].map(Math.fround), [1, 0, 0], [0, 0, 1]]);
    expect(m.examples[4]).not.toHaveProperty('targets');
  });

  it('makes a label, by name or by index, a one-hot [1, classes] target', async () => {
    const m = await load(classifier([
      { name: 'by name', inputs: one(), label: 'c' },
      { name: 'by index', inputs: one(), label: 1 },
    ]));
    expect(m.examples.map((e) => e.targets!.p.shape)).toEqual([[1, 3], [1, 3]]);
    expect(m.examples.map((e) => e.targets!.p.toArray())).toEqual([[0, 0, 1], [0, 1, 0]]);
  });

  it('takes an index label from a model without labels', async () => {
    const m = await load(classifier([{ name: 'e', inputs: one(), label: 0 }], undefined, { labels: undefined }));
    expect(m.examples[0].targets!.p.toArray()).toEqual([1, 0, 0]);
  });

  it('checks targets against the output when the batch is open, and keeps them in every layout', async () => {
    const input = { name: 'x', shape: [null, 2] };
    const m = await load(classifier([
      { name: 'one', inputs: one(), targets: { p: [[0, 1, 0]] } },
      { name: 'two', inputs: { x: { shape: [2, 2], data: [1, 2, 3, 4] } }, targets: { p: { shape: [2, 3], data: [1, 0, 0, 0, 0, 1] } } },
      { name: 'label', inputs: one(), label: 'b' },
    ], input));
    expect(m.outputs[0].shape).toEqual([null, 3]);
    expect(m.examples.map((e) => e.targets!.p.shape)).toEqual([[1, 3], [2, 3], [1, 3]]);
    const laid = modelFor(m, { x: Tensor.from([4, 2], new Array(8).fill(0)) });
    expect(laid).not.toBe(m);
    expect(laid.examples.map((e) => e.targets!.p.shape)).toEqual([[1, 3], [2, 3], [1, 3]]);
    expect(await loadError(classifier([{ name: 'two', inputs: { x: { shape: [2, 2], data: [1, 2, 3, 4] } }, targets: { p: [[0, 1, 0]] } }], input)))
      .toMatch(/example 'two' target 'p' has shape \[1, 3\] but the output 'p' is \[2, 3\]\.$/);
    expect(await loadError(classifier([{ name: 'two', inputs: { x: { shape: [2, 2], data: [1, 2, 3, 4] } }, label: 'a' }], input)))
      .toMatch(/example 'two' has a "label", which needs an output of shape \[1, classes\], but the output is \[2, 3\] for its input; give "targets" instead\.$/);
  });

  it('checks the fixed sizes and the rank of a target when the output has open sizes it cannot tell', async () => {
    // Open height and width: the output [N, 2, H, W] is laid out for 1×1 images, the examples are 2×2 and 3×3.
    const conv = (examples: unknown[]) => modelOf([{ name: 'c', type: 'conv2d', filters: 2, kernelSize: 1, weights: { kernel: { init: 'ones' }, bias: { init: 'zeros' } } }],
      { name: 'x', shape: [null, 1, null, null] } as unknown as { name: string; shape: number[] }, { examples });
    const image = (n: number) => ({ x: { shape: [1, 1, n, n], data: new Array(n * n).fill(1) } });
    const m = await load(conv([{ name: 'a', inputs: image(2), targets: { output: { shape: [1, 2, 2, 2], data: new Array(8).fill(0) } } }]));
    expect(m.examples[0].targets!.output.shape).toEqual([1, 2, 2, 2]);
    expect(await loadError(conv([{ name: 'a', inputs: image(3), targets: { output: { shape: [1, 3, 3, 3], data: new Array(27).fill(0) } } }])))
      .toMatch(/example 'a' target 'output' has shape \[1, 3, 3, 3\] but the output 'output' takes \[1, 2, null, null\]\.$/);
    expect(await loadError(conv([{ name: 'a', inputs: image(3), targets: { output: { shape: [1, 2, 9], data: new Array(18).fill(0) } } }])))
      .toMatch(/example 'a' target 'output' has shape \[1, 2, 9\] but the output 'output' takes \[1, 2, null, null\]\.$/);
    expect(await loadError(conv([{ name: 'a', inputs: image(3), label: 0 }])))
      .toMatch(/example 'a' has a "label", which needs an output of shape \[1, classes\], but the output is \[1, 2, null, null\] for its input; give "targets" instead\.$/);
  });

  it('refuses targets that do not fit the output, with the line of the target', async () => {
    const wrongShape = classifier([{ name: 'e', inputs: one(), targets: { p: [[0, 1]] } }]);
    expect(await loadError(wrongShape)).toBe(`model.json line ${lineOf(wrongShape, '"p": [')}: example 'e' target 'p' has shape [1, 2] but the output 'p' is [1, 3].`);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), targets: { p: [0, 1] } }])))
      .toMatch(/example 'e' target 'p' has 2 values but its shape \[1, 3\] needs 3\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), targets: { q: [0, 1, 0] } }])))
      .toMatch(/example 'e' gives a target for 'q' but the model's output is 'p'\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), targets: {} }])))
      .toMatch(/example 'e' has no target for the output 'p'\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), targets: [0, 1, 0] }])))
      .toMatch(/example 'e' has "targets" an array; expected \{ "p": <tensor> \}\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), targets: { p: { shape: [1, 3], dtype: 'int32', data: [0, 1, 0] } } }])))
      .toMatch(/example 'e' target 'p' has dtype the string "int32" but it must be float32\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), targets: { p: 'one' } }])))
      .toMatch(/example 'e' target 'p' is the string "one"; expected a number array/);
  });

  it('refuses labels it cannot make into a target', async () => {
    const both = classifier([{ name: 'e', inputs: one(), label: 'a', targets: { p: [[1, 0, 0]] } }]);
    expect(await loadError(both)).toBe(`model.json line ${lineOf(both, '"label"')}: example 'e' gives both "label" and "targets"; give one of them.`);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), label: 'd' }])))
      .toMatch(/example 'e' has label the string "d", which is not one of the model's labels \("a", "b", "c"\)\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), label: 3 }])))
      .toMatch(/example 'e' has label 3, but the output has 3 classes: give a class index from 0 to 2\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), label: -1 }])))
      .toMatch(/example 'e' has label -1, but the output has 3 classes: give a class index from 0 to 2\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), label: 1.5 }])))
      .toMatch(/example 'e' has label the number 1\.5; expected a class name from "labels" or a class index from 0 to 2\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), label: [0, 1, 0] }], undefined, { labels: undefined })))
      .toMatch(/example 'e' has label an array; expected a class index from 0 to 2\.$/);
    expect(await loadError(classifier([{ name: 'e', inputs: one(), label: 'a' }], undefined, { labels: undefined })))
      .toMatch(/example 'e' has label the string "a", but the model has no "labels" to find it in; give a class index from 0 to 2 instead\.$/);
    const flat = modelOf([{ type: 'relu' }], { name: 'x', shape: [4] }, { examples: [{ name: 'e', inputs: { x: [1, 2, 3, 4] }, label: 0 }] });
    expect(await loadError(flat)).toMatch(/example 'e' has a "label", which needs an output of shape \[1, classes\], but the output is \[4\] for its input; give "targets" instead\.$/);
  });

  it('lists targets and label among the properties of an example', async () => {
    expect(await loadError(classifier([{ name: 'e', inputs: one(), target: { p: [[1, 0, 0]] } }])))
      .toMatch(/example 0 has no property 'target'; it takes name, description, inputs, targets, label\.$/);
  });
});

describe('native loader: training hints', () => {
  const withTraining = (training: unknown) => modelOf([{ type: 'relu' }], undefined, { training });

  it('reads "training" into Model.training, leaving out what the file does not say', async () => {
    const m = await load(withTraining({ loss: 'cce-logits', optimizer: 'adam', learningRate: 0.001, steps: 200, batch: 4 }));
    expect(m.training).toEqual({ loss: 'cce-logits', optimizer: 'adam', learningRate: 0.001, steps: 200, batch: 4 });
    expect((await load(withTraining({ optimizer: 'momentum' }))).training).toStrictEqual({ optimizer: 'momentum' });
    expect((await load(withTraining({}))).training).toStrictEqual({});
    expect((await load(modelOf([{ type: 'relu' }]))).training).toBeUndefined();
  });

  it('keeps the hints in every layout of a model with open sizes', async () => {
    const m = await load(modelOf([{ type: 'relu' }], { name: 'x', shape: [null, 4] } as unknown as { name: string; shape: number[] }, { training: { steps: 3 } }));
    expect(modelFor(m, { x: Tensor.from([2, 4], new Array(8).fill(0)) }).training).toEqual({ steps: 3 });
  });

  it('refuses hints it does not know, with one sentence each', async () => {
    const unknown = withTraining({ loss: 'mse', epochs: 3 });
    expect(await loadError(unknown)).toBe(`model.json line ${lineOf(unknown, '"epochs"')}: "training" has no property 'epochs'; it takes loss, optimizer, learningRate, steps, batch.`);
    expect(await loadError(withTraining('sgd'))).toMatch(/"training" is the string "sgd"; expected an object such as \{ "loss": "mse", "optimizer": "sgd", "learningRate": 0\.1, "steps": 60 \}\.$/);
    expect(await loadError(withTraining({ loss: 'crossentropy' })))
      .toMatch(/"training" loss is the string "crossentropy"; expected one of 'mse', 'bce', 'cce', 'bce-logits', 'cce-logits'\.$/);
    expect(await loadError(withTraining({ optimizer: 'rmsprop' })))
      .toMatch(/"training" optimizer is the string "rmsprop"; expected one of 'sgd', 'momentum', 'adam'\.$/);
    for (const lr of [0, -0.1, '0.1']) {
      expect(await loadError(withTraining({ learningRate: lr }))).toMatch(/"training" learningRate is .*; expected a number greater than 0, such as 0\.01\.$/);
    }
    for (const key of ['steps', 'batch']) {
      for (const bad of [0, 2.5, '10']) {
        expect(await loadError(withTraining({ [key]: bad }))).toMatch(new RegExp(`"training" ${key} is .*; expected a whole number of at least 1\\.$`));
      }
    }
  });

  it('lists training among the properties of a model', async () => {
    expect(await loadError(modelOf([{ type: 'relu' }], undefined, { train: {} })))
      .toMatch(/a model has no property 'train'; it takes \$schema, format, name, description, metadata, inputs, output, weightsFile, layers, labels, examples, training\.$/);
  });
});

describe('examples that train', () => {
  const dir = join(ROOT, 'examples');
  const untrained = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'untrained.json')));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'docs/model.schema.json'), 'utf8')));

  it('has an untrained linear-regression and xor', () => {
    expect(untrained).toEqual(expect.arrayContaining(['linear-regression', 'xor']));
  });

  it.each(untrained)('examples/%s/untrained.json loads with a target on every example, one batch of them, and training hints', async (folder) => {
    const json = JSON.parse(readFileSync(join(dir, folder, 'untrained.json'), 'utf8')) as unknown;
    expect(validate(json), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const m = await openModel(MemorySource.fromDir(join(dir, folder), 'untrained.json'));
    const output = m.outputs[0].name;
    expect(m.inputs[0].shape[0]).toBeNull();
    expect(m.examples.length).toBeGreaterThanOrEqual(4);
    for (const e of m.examples) expect(e.targets?.[output].shape, e.name).toEqual([1, ...m.outputs[0].shape.slice(1)]);
    expect(m.training).toMatchObject({ loss: expect.any(String), optimizer: expect.any(String), learningRate: expect.any(Number), steps: expect.any(Number) });
  });

  it('gives the examples of mnist-mlp and small-cnn their digits as labels', async () => {
    for (const [folder, digits] of [['mnist-mlp', [7, 3, 0]], ['small-cnn', [2, 4, 9]]] as const) {
      const m = await openModel(MemorySource.fromDir(join(dir, folder)));
      const targets = m.examples.map((e) => e.targets![m.outputs[0].name]);
      expect(targets.map((t) => t.shape)).toEqual(digits.map(() => [1, 10]));
      expect(targets.map((t) => t.toArray().indexOf(1))).toEqual(digits);
      expect(m.training).toEqual({ loss: 'cce', optimizer: 'sgd', learningRate: 0.1, steps: 30, batch: 1 });
    }
  });

  it('loads the example of docs/model-format.md "Targets and training"', async () => {
    const text = readFileSync(join(ROOT, 'docs/model-format.md'), 'utf8');
    const section = text.slice(text.indexOf('## Targets and training'));
    const json = /```json\n([\s\S]*?)```/.exec(section)![1];
    const m = await openModel(new MemorySource('model.json', json));
    expect(m.examples.map((e) => e.targets!.y.toArray())).toEqual([[1], [3]]);
    expect(m.training).toEqual({ loss: 'mse', optimizer: 'sgd', learningRate: 0.1, steps: 60 });
  });
});

describe('docs/model.schema.json on targets, labels and training', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'docs/model.schema.json'), 'utf8')));
  const base = { format: 'layerstep/1', inputs: [{ name: 'x', shape: [null, 2] }], layers: [{ type: 'dense', units: 3 }], labels: ['a', 'b', 'c'] };
  const withExample = (extra: Record<string, unknown>) => ({ ...base, examples: [{ name: 'e', inputs: { x: [[1, 2]] }, ...extra }] });

  it('accepts what the loader reads', () => {
    for (const doc of [
      withExample({ targets: { output: [[0, 1, 0]] } }),
      withExample({ targets: { output: { shape: [1, 3], data: [0, 1, 0] } } }),
      withExample({ label: 'b' }),
      withExample({ label: 2 }),
      { ...base, training: { loss: 'bce-logits', optimizer: 'momentum', learningRate: 0.5, steps: 10, batch: 2 } },
      { ...base, training: {} },
    ]) expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('refuses what the loader refuses', () => {
    const broken: Record<string, unknown> = {
      'label and targets': withExample({ label: 'a', targets: { output: [[1, 0, 0]] } }),
      'a negative label': withExample({ label: -1 }),
      'a fractional label': withExample({ label: 0.5 }),
      'empty targets': withExample({ targets: {} }),
      'a misspelt example property': withExample({ target: { output: [[1, 0, 0]] } }),
      'an unknown training key': { ...base, training: { epochs: 3 } },
      'an unknown loss': { ...base, training: { loss: 'hinge' } },
      'an unknown optimizer': { ...base, training: { optimizer: 'rmsprop' } },
      'a learning rate of 0': { ...base, training: { learningRate: 0 } },
      'zero steps': { ...base, training: { steps: 0 } },
      'a fractional batch': { ...base, training: { batch: 1.5 } },
    };
    for (const [what, doc] of Object.entries(broken)) expect(validate(doc), what).toBe(false);
  });
});
