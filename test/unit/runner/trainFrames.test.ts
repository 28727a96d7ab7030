import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { Model } from '../../../src/model/ir';
import { trainData } from '../../../src/runner/train/data';
import { Trainer } from '../../../src/runner/train/trainer';
import type { Runner } from '../../../src/runner/runner';
import { encodeModel, load as loadOnnx } from '../loaders/onnxHelpers';
import { lineOf, load, modelOf } from '../loaders/nativeHelpers';
import { join } from 'node:path';
import { openModelFile, runToEnd } from '../../../src/node/localModel';
import { outputNames } from '../../../src/runner/plan';
import { REPO } from '../debug/dapDriver';

/** The training step as frames: what the runner steps through, and breakpoints, conditions and filters in it. */

const layers = [
  { name: 'hidden', type: 'dense', units: 3, activation: 'relu', weights: { kernel: { shape: [2, 3], data: [0.5, -0.2, 0.1, 0.3, 0.8, -0.4] }, bias: [0.1, 0, -0.1] } },
  { name: 'out', type: 'dense', units: 2, activation: 'softmax', weights: { kernel: { shape: [3, 2], data: [0.2, -0.3, 0.5, 0.1, -0.4, 0.6] }, bias: [0, 0.05] } },
];
const doc = modelOf(layers, { name: 'x', shape: [null as unknown as number, 2] });

async function trainer(model: Model, targets: Tensor = Tensor.from([3, 2], [1, 0, 0, 1, 1, 0]), loss: 'cce' | 'mse' = 'cce'): Promise<Trainer> {
  const data = trainData(new Map([['x', Tensor.from([3, 2], [1, 2, -1, 0.5, 0, 1])]]), new Map([[model.outputs[0]?.name ?? model.root.outputs[0], targets]]), 'data.json');
  return Trainer.create(model, data, { loss, optimizer: 'sgd', learningRate: 0.1 });
}

/** Every call event's frame as `depth name`, stepping in from the start to the end. */
async function calls(r: Runner): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const ev = await r.stepIn();
    if (ev.position.point === 'call') out.push(`${ev.position.frame.depth} ${ev.position.frame.item.name}`);
    if (ev.reason === 'end') return out;
  }
}

describe('a training step as frames', () => {
  it('runs forward, loss, the backward pass mirroring the layers in reverse, then the update', async () => {
    const model = await load(doc);
    const t = await trainer(model);
    const r = t.nextStep();
    expect(r.position.frame.item.name).toBe('step 1');
    const seen = await calls(r);
    expect(seen).toEqual([
      '1 test', '2 hidden', '3 matmul', '3 add', '3 relu', '2 out', '3 matmul', '3 add', '3 softmax',
      '1 loss', '1 ∂loss',
      '1 ∂test', '2 ∂out', '3 ∂softmax', '3 ∂add', '3 ∂matmul', '2 ∂hidden', '3 ∂relu', '3 ∂add', '3 ∂matmul',
      '1 update', '2 update hidden.kernel', '2 update hidden.bias', '2 update out.kernel', '2 update out.bias',
    ]);
    // The backward frame of a layer: ∂loss/∂output in, ∂loss/∂input and its weights' gradients out, its weights beside.
    const back = r.model.root.body[3];
    expect(back.kind).toBe('module');
    const dHidden = (back as { body: readonly { name: string }[] }).body.find((i) => i.name === '∂hidden') as unknown as { inputs: string[]; outputs: string[]; weights: Record<string, string> };
    const hiddenOut = model.root.body[0].outputs[0];
    expect(dHidden.inputs).toEqual([`∂loss/∂${hiddenOut}`]);
    expect(dHidden.outputs).toEqual(expect.arrayContaining(['∂loss/∂hidden.kernel', '∂loss/∂hidden.bias']));
    expect(dHidden.weights).toEqual({ kernel: 'hidden.kernel', bias: 'hidden.bias' });
    // The update frame: weight before, its gradient, after and the change.
    const change = r.value('Δout.bias');
    const before = r.value('out.bias');
    const after = r.value('new out.bias');
    const grad = r.value('∂loss/∂out.bias');
    for (let i = 0; i < 2; i++) {
      expect(after.data[i]).toBeCloseTo(before.data[i] - 0.1 * grad.data[i], 6);
      expect(change.data[i]).toBeCloseTo(after.data[i] - before.data[i], 6);
    }
    t.finish(r);
    expect(t.weights().get('out.bias')!.data[0]).toBeCloseTo(after.data[0], 7);
  });

  it('stops a breakpoint on a layer\'s line in its forward frame and in its backward frame; `grad` reads the gradient arriving', async () => {
    const model = await load(doc);
    const r = (await trainer(model)).nextStep();
    const [status] = r.setLineBreakpoints([{ line: lineOf(doc, '"name": "out"') }]);
    expect(status.verified).toBe(true);
    const first = await r.continue();
    expect(first.position.frame.item.name).toBe('out');
    expect(() => r.evaluate('grad')).toThrow(/'grad' is the gradient arriving at a frame of a training step's backward pass; out has none/);
    const second = await r.continue();
    expect(second.reason).toBe('breakpoint');
    expect(second.position.frame.item.name).toBe('∂out');
    const g = r.evaluate('grad') as Tensor;
    const dOut = r.value(`∂loss/∂${model.root.body[1].outputs[0]}`);
    expect(Array.from(g.data)).toEqual(Array.from(dOut.data));
    expect((await r.continue()).reason).toBe('end');
  });

  it('stops a name breakpoint in both frames, and a condition on the gradient only where it holds', async () => {
    const model = await load(doc);
    const r = (await trainer(model)).nextStep();
    r.setNameBreakpoints([{ name: 'hidden', condition: 'grad.norm() > 0' }]);
    // In the forward frame `grad` fails: a condition that fails does not stop... unless it reports; either way the
    // backward frame is where it holds.
    const stops: string[] = [];
    for (let ev = await r.continue(); ev.reason !== 'end'; ev = await r.continue()) stops.push(ev.position.frame.item.name);
    expect(stops[stops.length - 1]).toBe('∂hidden');
  });

  it('class indices as targets of a categorical cross-entropy', async () => {
    const model = await load(doc);
    const oneHot = await trainer(model, Tensor.from([3, 2], [1, 0, 0, 1, 1, 0]));
    const labels = await trainer(model, Tensor.from([3], [0, 1, 0], 'int32'));
    await oneHot.train(2);
    await labels.train(2);
    expect(labels.losses).toEqual(oneHot.losses);
  });

  it('the NaN/Inf stop catches a gradient that blows up in the backward pass', async () => {
    // sqrt(relu(x·W)) is 0 where x·W < 0; its gradient there is infinite.
    const bytes = encodeModel({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 1] }],
      initializers: { W: Tensor.from([2, 1], [1, -1]) },
      nodes: [
        { op: 'MatMul', name: 'fc', inputs: ['x', 'W'], outputs: ['z'] },
        { op: 'Relu', name: 'act', inputs: ['z'], outputs: ['r'] },
        { op: 'Sqrt', name: 'root', inputs: ['r'], outputs: ['y'] },
      ],
    });
    const model = await loadOnnx(bytes);
    const data = trainData(new Map([['x', Tensor.from([2, 2], [0, 1, 2, 1])]]), new Map([['y', Tensor.from([2, 1], [1, 1])]]), 'data.json');
    const r = (await Trainer.create(model, data, { loss: 'mse', optimizer: 'sgd', learningRate: 0.1 })).nextStep();
    r.setExceptionFilters(['nanOrInf']);
    const ev = await r.continue();
    expect(ev.reason).toBe('exception');
    expect(ev.position.frame.item.name).toBe('∂root');
  });

  it('refuses a model whose control flow is decided at run time, and an op without a gradient, naming them', async () => {
    const modulo = await loadOnnx(encodeModel({
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
      initializers: { w: Tensor.from([2], [0.5, 1.5]), three: Tensor.from([1], [3]) },
      nodes: [{ op: 'Mul', name: 'scale', inputs: ['x', 'w'], outputs: ['s'] }, { op: 'Mod', name: 'wrap', inputs: ['s', 'three'], outputs: ['y'], attrs: { fmod: 1 } }],
    }));
    const data = trainData(new Map([['x', Tensor.from([1, 2], [1, 2])]]), new Map([['y', Tensor.from([1, 2], [1, 2])]]), 'data.json');
    await expect(Trainer.create(modulo, data, { loss: 'mse', optimizer: 'sgd', learningRate: 0.1 })).rejects.toThrow("model.onnx: Train cannot pass op mod (node 'wrap'): the engine has no gradient for it");
    const noWeights = await loadOnnx(encodeModel({
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
      nodes: [{ op: 'Relu', name: 'act', inputs: ['x'], outputs: ['y'] }],
    }));
    await expect(Trainer.create(noWeights, data, { loss: 'mse', optimizer: 'sgd', learningRate: 0.1 })).rejects.toThrow('no weight reaches the loss');
  });

  it('trains a transformer\'s layer weights (embedding, attention, layer norm, MLP), not the constants its layers make', async () => {
    const model = await openModelFile(join(REPO, 'examples/tiny-transformer/model.json'));
    const [example] = model.examples;
    const input = Object.entries(example.inputs)[0];
    const out = (await runToEnd(model, new Map([input]))).values().next().value!;
    const classes = out.shape[out.rank - 1];
    // The class it is least sure of, so that the loss has somewhere to go.
    const least = Array.from({ length: out.size / classes }, (_, r) => {
      const row = Array.from(out.data.slice(r * classes, (r + 1) * classes));
      return row.indexOf(Math.min(...row));
    });
    const labels = Tensor.from(out.shape.slice(0, -1), least, 'int32');
    const oneHot = Tensor.from(out.shape, Array.from({ length: out.size }, (_, i) => (least[Math.floor(i / classes)] === i % classes ? 1 : 0)));
    const data = trainData(new Map([input]), new Map([[outputNames(model)[0], oneHot]]), 'data.json');
    expect(labels.size).toBe(least.length);
    const t = await Trainer.create(model, data, { loss: 'mse', optimizer: 'adam', learningRate: 0.01 });
    expect(t.trainable).not.toContain('attention/attn.scale');
    expect(t.trainable.length).toBe(20);
    // The example model is sure of its answer (its softmax is saturated), so the gradients are tiny: the check is
    // that the layers' weights move and the constants do not.
    await t.train(3);
    expect(t.losses).toHaveLength(3);
    const moved = (name: string): boolean => Array.from(t.weights().get(name)!.data).some((v, i) => v !== model.weights.get(name)!.data[i]);
    expect(moved('classifier.kernel')).toBe(true);
    expect(moved('attention/attn.query')).toBe(true);
    expect(Array.from(t.weights().get('attention/attn.scale')!.data)).toEqual(Array.from(model.weights.get('attention/attn.scale')!.data));
  });

  it('does not differentiate through shapes and indices computed from the weights\' values', async () => {
    // y = reshape(x·W, shape(x·W)) and an argMax that only picks: neither the shape nor the index takes a gradient.
    const model = await loadOnnx(encodeModel({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 2] }],
      initializers: { W: Tensor.from([2, 2], [1, 0.5, -0.5, 1]) },
      nodes: [
        { op: 'MatMul', name: 'fc', inputs: ['x', 'W'], outputs: ['z'] },
        { op: 'Shape', name: 'size_of', inputs: ['z'], outputs: ['s'] },
        { op: 'Reshape', name: 'same', inputs: ['z', 's'], outputs: ['y'] },
      ],
    }));
    const data = trainData(new Map([['x', Tensor.from([2, 2], [1, 2, 3, 4])]]), new Map([['y', Tensor.from([2, 2], [0, 1, 1, 0])]]), 'data.json');
    const t = await Trainer.create(model, data, { loss: 'mse', optimizer: 'sgd', learningRate: 0.01 });
    const r = t.nextStep();
    const ops: string[] = [];
    for (let ev = await r.stepIn(); ev.reason !== 'end'; ev = await r.stepIn()) {
      const item = ev.position.frame.item;
      if (ev.position.point === 'call' && item.kind === 'node') ops.push(item.op);
    }
    expect(ops).toContain('∂reshape');
    expect(ops).not.toContain('∂shape');
    t.finish(r);
    await t.train(3);
    expect(t.losses[3]).toBeLessThan(t.losses[0]);
  });

  it('a what-if edit of a gradient before the update is what the update uses', async () => {
    const model = await load(doc);
    const t = await trainer(model);
    const r = t.nextStep();
    r.setNameBreakpoints([{ name: '∂hidden' }]);
    expect((await r.continue()).position.frame.item.name).toBe('∂hidden');
    await r.stepOver();
    r.assign("value('∂loss/∂hidden.kernel') = 0");
    expect((await r.continue()).reason).toBe('end');
    t.finish(r);
    // SGD with a zero gradient leaves the kernel as it was; the other weights moved.
    expect(Array.from(t.weights().get('hidden.kernel')!.data)).toEqual(Array.from(model.weights.get('hidden.kernel')!.data));
    expect(Array.from(t.weights().get('hidden.bias')!.data)).not.toEqual(Array.from(model.weights.get('hidden.bias')!.data));
  });
});
