import { describe, expect, it } from 'vitest';
import { randomTensor } from '../engine/helpers';
import { defaultLoaders, openModel } from '../../../src/loaders/registry';
import { tfjsLoader } from '../../../src/loaders/tfjs/index';
import { Runner } from '../../../src/runner/runner';
import { MemorySource } from './memorySource';
import { A, GraphBuilder, openBuilt } from './tfjsGraphBuilder';

/** Broken and hostile graph models: each is refused (or its run fails) with one sentence naming the file, the node and what was expected. */

async function openError(json: unknown, files: Record<string, Uint8Array> = {}): Promise<string> {
  try {
    await openModel(MemorySource.of(json, files));
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** One sentence: no sentence break inside, a full stop at the end. */
function expectOneSentence(message: string): void {
  expect(message).toMatch(/\.$/);
  expect(message.slice(0, -1)).not.toMatch(/\.\s+[A-Z]/);
}

const base = (): GraphBuilder => {
  const g = new GraphBuilder();
  g.input('x', [1, 4]);
  return g;
};

describe('tfjs graph loader: bad files', () => {
  it('leaves graph models to the graph loader and layers models to the layers loader', () => {
    const head = new TextEncoder().encode(JSON.stringify(base().files().json));
    expect(tfjsLoader.match('model.json', head)).toBe(false);
    expect(defaultLoaders.find('model.json', head)?.id).toBe('tfjs-graph');
    const layers = new TextEncoder().encode('{"format": "layers-model", "modelTopology": {"class_name": "Sequential"}}');
    expect(defaultLoaders.find('model.json', layers)?.id).toBe(tfjsLoader.id);
  });

  it('refuses a cycle, naming a node on it', async () => {
    const g = base();
    g.op('a', 'Relu', ['b']);
    g.op('b', 'Add', ['x', 'a']);
    g.op('out', 'Neg', ['b']);
    const { json, files } = g.files(['out']);
    const message = await openError(json, files);
    expect(message).toMatch(/^model\.json line \d+: node '(a|b)' \((Relu|Add)\) depends on itself through '.+' → '.+' → '(a|b)'; a graph model must be acyclic outside TF1 loops\.$/);
    expectOneSentence(message);
  });

  it('refuses a Const whose weight the manifest lacks, an input from a missing node, and a node defined twice', async () => {
    const g = base();
    g.op('y', 'MatMul', ['x', 'w']);
    g.nodes.push({ name: 'w', op: 'Const', attr: { dtype: A.type('DT_FLOAT') } });
    const a = g.files(['y']);
    expect(await openError(a.json, a.files)).toMatch(/^model\.json line \d+: Const node 'w' has no weight of that name in the weights manifest, so its value is missing\.$/);

    const h = base();
    h.op('y', 'Relu', ['nope:1']);
    const b = h.files(['y']);
    expect(await openError(b.json, b.files)).toMatch(/^model\.json line \d+: node 'y' \(Relu\) reads 'nope', which no node of the graph defines\.$/);

    const k = base();
    k.op('y', 'Relu', ['x']);
    k.op('y', 'Neg', ['x']);
    const c = k.files();
    expect(await openError(c.json, c.files)).toMatch(/^model\.json line \d+: graph node 'y' is defined twice; node names must be unique\.$/);
  });

  it('refuses hostile shapes in the manifest and hostile sizes in attributes before allocating', async () => {
    const g = base();
    g.const('w', [1, 2, 3, 4], [4]);
    g.op('y', 'Add', ['x', 'w']);
    const { json, files } = g.files(['y']);
    const manifest = (json as { weightsManifest: { weights: { shape: number[] }[] }[] }).weightsManifest;
    manifest[0].weights[0].shape = [100000, 100000, 100000];
    const huge = await openError(json, files);
    expect(huge).toMatch(/^model\.json( line \d+)?: .*(shorter than the weights manifest says|more than the \d+ bytes a model may load).*\.$/);
    expectOneSentence(huge);

    manifest[0].weights[0].shape = [-4];
    expect(await openError(json, files)).toMatch(/^model\.json line \d+: weight 'w' has no valid "shape" \(an array of non-negative integers\)\.$/);

    const h = base();
    h.op('y', 'Relu', ['x'], { big: { list: { i: Array.from({ length: 100_001 }, () => '1') } } });
    const b = h.files(['y']);
    expect(await openError(b.json, b.files)).toMatch(/^model\.json line \d+: attribute 'big' of node 'y' lists 100001 values, more than the 100000 a graph model may hold\.$/);

    const k = base();
    k.op('y', 'Relu', ['x'], { shape: { shape: { dim: Array.from({ length: 65 }, () => ({ size: '1' })) } } });
    const c = k.files(['y']);
    expect(await openError(c.json, c.files)).toMatch(/^model\.json line \d+: attribute 'shape' of node 'y' is a shape of rank 65; a graph model's tensors have rank 64 at most\.$/);
  });

  it('refuses a missing shard and string inputs', async () => {
    const g = base();
    g.const('w', [1, 2, 3, 4], [4]);
    g.op('y', 'Add', ['x', 'w']);
    const { json } = g.files(['y']);
    expect(await openError(json, {})).toMatch(/^model\.json line \d+: the weights manifest names shard 'group1-shard1of1\.bin', which is not in the model's folder\.$/);

    const s = new GraphBuilder();
    s.nodes.push({ name: 'text', op: 'Placeholder', attr: { dtype: A.type('DT_STRING') } });
    s.op('y', 'StringLength', ['text']);
    const t = s.files(['y']);
    expect(await openError(t.json, t.files)).toMatch(/^model\.json line \d+: input 'text' has dtype DT_STRING; Layerstep runs float, integer and bool inputs, not string tensors\.$/);
  });

  it('opens unknown ops, control flow, string ops and unsupported uses, and fails at the first such node with one sentence', async () => {
    const cases: [string, string, Record<string, unknown>, RegExp][] = [
      ['FooBar', 'f', {}, /^model\.json line \d+: Unsupported op 'FooBar' in node 'f': TF\.js graph models with this op are not supported yet\.$/],
      ['Switch', 'cond/Switch', {}, /^model\.json line \d+: Unsupported op 'Switch' in node 'cond\/Switch': control flow \(TF1 loops and conditionals, While, If, tensor lists\) is not supported yet\.$/],
      ['StatelessWhile', 'loop', {}, /Unsupported op 'StatelessWhile' in node 'loop': control flow/],
      ['StringToHashBucketFast', 'hash', {}, /Unsupported op 'StringToHashBucketFast' in node 'hash': string tensors are not supported\.$/],
      ['Conv2D', 'conv', { data_format: A.s('NCHW') }, /Unsupported op 'Conv2D' in node 'conv': data_format NCHW is not supported \(NHWC is\)\.$/],
      ['Cast', 'c', { DstT: A.type('DT_STRING') }, /Unsupported op 'Cast' in node 'c': string tensors are not supported\.$/],
    ];
    for (const [op, name, attr, want] of cases) {
      const g = base();
      g.op('pre', 'Relu', ['x']);
      g.op(name, op, ['pre', 'pre'], attr);
      g.op('y', 'Neg', [name]);
      const m = await openBuilt(g);
      const runner = new Runner(m, { x: randomTensor([1, 4], 1) });
      let message = '';
      try {
        await runner.continue();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, op).toMatch(want);
      expectOneSentence(message);
    }
  });
});
