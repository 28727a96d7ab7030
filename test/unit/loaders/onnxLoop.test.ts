import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { NodeDef } from '../../../src/model/ir';
import { Runner } from '../../../src/runner/runner';
import { encodeModel, graphProto, load, modulesById, runLayerstep, runOrt, treeText } from './onnxHelpers';
import type { ModelSpec, NodeSpec } from './onnxHelpers';

/** Loop unrolled at load time when its trip count is a constant, compared with onnxruntime-node. */

const f32 = (shape: number[], seed: number): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(shape, Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 0.9), 'float32');
};
const scalarI64 = (v: number): Tensor => Tensor.scalar(v, 'int64');
const bool = (v: boolean): Tensor => Tensor.scalar(v ? 1 : 0, 'bool');

function expectClose(actual: Tensor, expected: Tensor, tol = 1e-4): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  for (let i = 0; i < expected.size; i++) expect(Math.abs(actual.data[i] - expected.data[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected.data[i])));
}

async function compare(spec: ModelSpec, inputs: Record<string, Tensor>): Promise<void> {
  const bytes = encodeModel(spec);
  const expected = await runOrt(bytes, inputs);
  const actual = await runLayerstep(await load(bytes), inputs);
  for (const [name, t] of expected) expectClose(actual.get(name)!, t);
}

/** A running sum: s += x + i each iteration, with the per-iteration sum as a scan output. */
function runningSum(trip: Record<string, Tensor>, loopInputs: string[], bodyCond: NodeSpec[] = [{ op: 'Identity', inputs: ['c_in'], outputs: ['c_out'] }]): ModelSpec {
  const body = graphProto({
    name: 'body',
    inputs: [{ name: 'i', dtype: 'int64', shape: [] }, { name: 'c_in', dtype: 'bool', shape: [] }, { name: 's_in', dtype: 'float32', shape: [3] }],
    outputs: [{ name: 'c_out', dtype: 'bool', shape: [] }, { name: 's_out', dtype: 'float32', shape: [3] }, { name: 'scan', dtype: 'float32', shape: [3] }],
    nodes: [
      ...bodyCond,
      { op: 'Cast', inputs: ['i'], outputs: ['fi'], attrs: { to: 1 } },
      { op: 'Add', inputs: ['x', 'fi'], outputs: ['step'] },
      { op: 'Add', inputs: ['s_in', 'step'], outputs: ['s_out'] },
      { op: 'Identity', inputs: ['s_out'], outputs: ['scan'] },
    ],
  });
  return {
    inputs: [{ name: 'x', dtype: 'float32', shape: [3] }, { name: 's0', dtype: 'float32', shape: [3] }],
    outputs: [{ name: 'total', dtype: 'float32', shape: [3] }, { name: 'sums', dtype: 'float32', shape: [null, 3] }],
    initializers: trip,
    nodes: [{ op: 'Loop', name: '/acc/Loop', inputs: loopInputs, outputs: ['total', 'sums'], attrs: { body } }],
  };
}

describe('ONNX Loop unrolling', () => {
  it('runs a running sum with a scan output like onnxruntime, one frame per iteration', async () => {
    const spec = runningSum({ M: scalarI64(4) }, ['M', '', 's0']);
    await compare(spec, { x: f32([3], 1), s0: f32([3], 2) });
    const model = await load(encodeModel(spec));
    const loop = modulesById(model.root).get('acc/Loop')!;
    expect(loop.type).toBe('Loop');
    expect(loop.attrs).toEqual({ tripCount: 4 });
    expect(loop.body.filter((c) => c.kind === 'module').map((c) => c.name)).toEqual(['iter 0', 'iter 1', 'iter 2', 'iter 3']);
    const iter2 = modulesById(model.root).get('acc/Loop/iter 2')!;
    expect(iter2.type).toBe('LoopIteration');
    expect(iter2.attrs).toEqual({ iteration: 2 });
    expect(treeText(iter2)).toBe('iter 2 (LoopIteration)\n  Identity [identity]\n  Cast [cast]\n  Add [add]\n  Add#2 [add]\n  Identity#2 [identity]\n  scan_0 [unsqueeze]');
    expect(loop.outputs).toEqual(['total', 'sums']);
    const concat = loop.body.find((c) => c.kind === 'node' && c.op === 'concat') as NodeDef;
    expect(concat.inputs).toHaveLength(4);
  });

  it('accepts a constant true condition and a body returning a constant true', async () => {
    const spec = runningSum({ M: scalarI64(3), go: bool(true) }, ['M', 'go', 's0'], [{ op: 'Constant', inputs: [], outputs: ['c_out'], attrs: { value: bool(true) } }]);
    await compare(spec, { x: f32([3], 3), s0: f32([3], 4) });
  });

  it('multiplies a loop-carried matrix M times', async () => {
    const body = graphProto({
      inputs: [{ name: 'i', dtype: 'int64', shape: [] }, { name: 'c', dtype: 'bool', shape: [] }, { name: 'a', dtype: 'float32', shape: [4, 4] }],
      outputs: [{ name: 'c' }, { name: 'b', dtype: 'float32', shape: [4, 4] }],
      nodes: [{ op: 'MatMul', inputs: ['a', 'w'], outputs: ['b'] }],
    });
    const spec: ModelSpec = {
      inputs: [{ name: 'x', dtype: 'float32', shape: [4, 4] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [4, 4] }],
      initializers: { w: f32([4, 4], 5) },
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['M'], attrs: { value: scalarI64(5) } },
        { op: 'Loop', name: 'power', inputs: ['M', '', 'x'], outputs: ['y'], attrs: { body } },
      ],
    };
    await compare(spec, { x: f32([4, 4], 6) });
    const model = await load(encodeModel(spec));
    const loop = modulesById(model.root).get('power')!;
    expect(loop.body).toHaveLength(5);
    // The last iteration computes the Loop's output under its own name.
    const last = modulesById(model.root).get('power/iter 4')!;
    expect(last.outputs).toEqual(['y']);
  });

  it('reads outer-scope values and body initializers in every iteration', async () => {
    const body = graphProto({
      inputs: [{ name: 'i', dtype: 'int64', shape: [] }, { name: 'c', dtype: 'bool', shape: [] }, { name: 'h', dtype: 'float32', shape: [2, 3] }],
      outputs: [{ name: 'c' }, { name: 'h2', dtype: 'float32', shape: [2, 3] }, { name: 'h2', dtype: 'float32', shape: [2, 3] }],
      initializers: { bias: f32([3], 9) },
      nodes: [
        { op: 'Mul', inputs: ['h', 'scale'], outputs: ['t'] },
        { op: 'Add', inputs: ['t', 'bias'], outputs: ['u'] },
        { op: 'Tanh', inputs: ['u'], outputs: ['h2'] },
      ],
    });
    const spec: ModelSpec = {
      inputs: [{ name: 'h0', dtype: 'float32', shape: [2, 3] }, { name: 'scale', dtype: 'float32', shape: [2, 3] }],
      outputs: [{ name: 'h', dtype: 'float32', shape: [2, 3] }, { name: 'hs', dtype: 'float32', shape: [null, 2, 3] }],
      initializers: { M: scalarI64(3) },
      nodes: [{ op: 'Loop', name: 'rnn', inputs: ['M', '', 'h0'], outputs: ['h', 'hs'], attrs: { body } }],
    };
    await compare(spec, { h0: f32([2, 3], 7), scale: f32([2, 3], 8) });
  });

  it('unrolls a Loop nested in a Loop body, renaming the inner values per outer iteration', async () => {
    const inner = graphProto({
      inputs: [{ name: 'j', dtype: 'int64', shape: [] }, { name: 'cj', dtype: 'bool', shape: [] }, { name: 'a', dtype: 'float32', shape: [2] }],
      outputs: [{ name: 'cj' }, { name: 'a2', dtype: 'float32', shape: [2] }],
      nodes: [{ op: 'Mul', inputs: ['a', 'x'], outputs: ['ax'] }, { op: 'Add', inputs: ['ax', 'x'], outputs: ['a2'] }],
    });
    const outerBody = graphProto({
      inputs: [{ name: 'i', dtype: 'int64', shape: [] }, { name: 'ci', dtype: 'bool', shape: [] }, { name: 's', dtype: 'float32', shape: [2] }],
      outputs: [{ name: 'ci' }, { name: 's2', dtype: 'float32', shape: [2] }],
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['K'], attrs: { value: scalarI64(3) } },
        { op: 'Loop', name: 'inner', inputs: ['K', '', 's'], outputs: ['t'], attrs: { body: inner } },
        { op: 'Tanh', inputs: ['t'], outputs: ['s2'] },
      ],
    });
    const spec: ModelSpec = {
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }, { name: 's0', dtype: 'float32', shape: [2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
      initializers: { M: scalarI64(2) },
      nodes: [{ op: 'Loop', name: 'outer', inputs: ['M', '', 's0'], outputs: ['y'], attrs: { body: outerBody } }],
    };
    await compare(spec, { x: f32([2], 11), s0: f32([2], 12) });
    const ids = [...modulesById((await load(encodeModel(spec))).root).keys()];
    expect(ids).toContain('outer/iter 1/inner/iter 2');
  });

  it('copies the initial values when the condition is a constant false (zero iterations)', async () => {
    const spec = runningSum({ M: scalarI64(3), stop: bool(false) }, ['M', 'stop', 's0']);
    // onnxruntime wants every Loop output named; without the scan output the Loop's result is its initial value.
    const noScan: ModelSpec = { ...spec, outputs: [spec.outputs[0]], nodes: [{ ...spec.nodes[0], outputs: ['total'] }] };
    const s0 = f32([3], 2);
    const out = await runLayerstep(await load(encodeModel(noScan)), { x: f32([3], 1), s0 });
    expectClose(out.get('total')!, s0, 0);
  });

  describe('loops that are not unrolled run their iterations as the run reaches them', () => {
    async function isRunTime(spec: ModelSpec): Promise<void> {
      const model = await load(encodeModel(spec));
      const loop = modulesById(model.root).get('acc/Loop')!;
      expect(loop.control?.kind).toBe('loop');
      expect(loop.body).toEqual([]);
    }

    it('runs a trip count computed at run time like onnxruntime', async () => {
      const spec = runningSum({}, ['M', '', 's0']);
      const withInput: ModelSpec = { ...spec, inputs: [...spec.inputs, { name: 'M', dtype: 'int64', shape: [] }] };
      await isRunTime(withInput);
      for (const m of [0, 1, 5]) await compare(withInput, { x: f32([3], 1), s0: f32([3], 2), M: scalarI64(m) });
    });

    it('stops a while loop that never ends at the iteration bound, with a sentence', async () => {
      const spec = runningSum({ go: bool(true) }, ['', 'go', 's0']);
      await isRunTime(spec);
      const runner = new Runner(await load(encodeModel(spec)), { x: f32([3], 1), s0: f32([3], 2) }, { maxLoopIterations: 40 });
      await expect(runner.continue()).rejects.toThrow(/^model\.onnx: Loop 'acc\/Loop' has run 40 iterations and would run more; the most a loop may run is 40 \(the layerstep\.maxLoopIterations setting\)\.$/);
    });

    it('runs a body whose condition depends on the data like onnxruntime', async () => {
      const cond: NodeSpec[] = [{ op: 'Less', inputs: ['i', 'lim'], outputs: ['c_out'] }];
      const spec = runningSum({ M: scalarI64(5), lim: scalarI64(2) }, ['M', '', 's0'], cond);
      await isRunTime(spec);
      await compare(spec, { x: f32([3], 1), s0: f32([3], 2) });
    });

    it('runs a condition input computed at run time like onnxruntime', async () => {
      const spec = runningSum({ M: scalarI64(5) }, ['M', 'go', 's0']);
      const withInput: ModelSpec = { ...spec, inputs: [...spec.inputs, { name: 'go', dtype: 'bool', shape: [] }] };
      await isRunTime(withInput);
      for (const go of [true, false]) await compare(withInput, { x: f32([3], 1), s0: f32([3], 2), go: bool(go) });
    });

    it('runs zero iterations, stacking an empty scan output of the declared shape, like onnxruntime', async () => {
      const spec = runningSum({ M: scalarI64(0) }, ['M', '', 's0']);
      await isRunTime(spec);
      await compare(spec, { x: f32([3], 1), s0: f32([3], 2) });
    });

    it('runs past the unroll cap as iterations made at run time, within the iteration bound', async () => {
      const spec = runningSum({ M: scalarI64(60_000) }, ['M', '', 's0']);
      await isRunTime(spec);
      const runner = new Runner(await load(encodeModel(spec)), { x: f32([3], 1), s0: f32([3], 2) });
      await expect(runner.continue()).rejects.toThrow(/has run 10000 iterations and would run more/);
    });
  });
});
