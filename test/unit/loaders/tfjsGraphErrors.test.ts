import { describe, expect, it } from 'vitest';
import { randomTensor } from '../engine/helpers';
import { defaultLoaders, openModel } from '../../../src/loaders/registry';
import { tfjsLoader } from '../../../src/loaders/tfjs/index';
import { Runner } from '../../../src/runner/runner';
import { MemorySource } from './memorySource';
import { Tensor } from '../../../src/engine/tensor';
import { A, GraphBuilder, openBuilt } from './tfjsGraphBuilder';
import { statelessWhile, tf1While } from './tfjsGraphLoops';

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
      ['Switch', 'cond/Switch', {}, /^model\.json line \d+: Unsupported op 'Switch' in node 'cond\/Switch': TF1 control flow outside a well-formed loop frame \(a TF1 conditional, or a loop missing a part\) is not supported\.$/],
      ['TensorArrayV3', 'ta', {}, /Unsupported op 'TensorArrayV3' in node 'ta': this tensor list or tensor array op is not supported\.$/],
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

describe('tfjs graph loader: broken control flow, one sentence each', () => {
  const x = randomTensor([2, 3], 5);
  const n = (k: number): Tensor => Tensor.scalar(k, 'int32');
  const openGraphError = async (g: GraphBuilder): Promise<string> => {
    try {
      await openBuilt(g);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };

  it('a loop frame with no Exit', async () => {
    const message = await openGraphError(tf1While({ exit: false }));
    expect(message).toMatch(/^model\.json line \d+: loop frame 'loop\/while' has no Exit node, so no value leaves the loop\.$/);
    expectOneSentence(message);
  });

  it('a loop variable whose Merge reads more than its Enter and NextIteration', async () => {
    const message = await openGraphError(tf1While({ mergeInputs: 3 }));
    expect(message).toMatch(/^model\.json line \d+: Merge node 'loop\/while\/merge_i' of loop frame 'loop\/while' reads 'loop\/while\/enter_i' \(Enter\), 'loop\/while\/next_i' \(NextIteration\), 'loop\/while\/enter_x' \(Enter\); a loop variable's Merge reads its Enter and its NextIteration\.$/);
    expectOneSentence(message);
  });

  it('a while whose condition function returns a non-scalar', async () => {
    const g = statelessWhile();
    const cond = g.functions[0] as { nodeDef: unknown[]; ret: Record<string, string> };
    cond.nodeDef.push({ name: 'wide', op: 'Greater', input: ['x', 'x'], attr: { T: A.type('DT_FLOAT') } });
    cond.ret.keep = 'wide:z:0';
    const runner = new Runner(await openBuilt(g), { x, n: n(3) });
    await expect(runner.continue()).rejects.toThrow(/^model\.json: StatelessWhile 'loop' needs its condition 'loop\/iter 0\/loop\/cond\/wide' to hold one value, but it has shape \[2, 3\]\.$/);
    expectOneSentence(runner.error!.message);
  });

  it('a while that would not end stops at the iteration bound', async () => {
    for (const g of [statelessWhile(), tf1While()]) {
      const runner = new Runner(await openBuilt(g), { x, n: n(1e9) }, { maxLoopIterations: 12 });
      await expect(runner.continue()).rejects.toThrow(/^model\.json: (StatelessWhile 'loop'|While 'loop\/while') has run 12 iterations and would run more; the most a loop may run is 12 \(the layerstep\.maxLoopIterations setting\)\.$/);
      expectOneSentence(runner.error!.message);
    }
  });

  it('a while calling a function the library lacks', async () => {
    const g = statelessWhile();
    g.functions.splice(1, 1);
    const message = await openGraphError(g);
    expect(message).toMatch(/^model\.json line \d+: node 'loop' \(StatelessWhile\) calls function 'body_fn' as its body, which the graph's library does not define\.$/);
    expectOneSentence(message);
  });
});
