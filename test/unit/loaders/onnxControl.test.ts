import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { Runner } from '../../../src/runner/runner';
import { encodeModel, graphProto, load, modulesById, runLayerstep, runOrt } from './onnxHelpers';
import type { ModelSpec } from './onnxHelpers';

/**
 * ONNX If, Loop and Scan whose conditions and trip counts are computed: they run as the run reaches them, the
 * branch taken or each iteration a frame, and match onnxruntime-node.
 */

const f32 = (shape: number[], seed: number, scale = 0.9): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(shape, Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * scale), 'float32');
};

function expectClose(actual: Tensor | undefined, expected: Tensor, tol = 1e-5): void {
  expect(actual).toBeDefined();
  expect([...actual!.shape]).toEqual([...expected.shape]);
  for (let i = 0; i < expected.size; i++) expect(Math.abs(actual!.data[i] - expected.data[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected.data[i])));
}

async function compare(spec: ModelSpec, inputs: Record<string, Tensor>): Promise<void> {
  const bytes = encodeModel(spec);
  const expected = await runOrt(bytes, inputs);
  const actual = await runLayerstep(await load(bytes), inputs);
  for (const [name, t] of expected) expectClose(actual.get(name), t);
}

/** Every frame the run calls, as `depth name (type)`, in order. */
async function frames(spec: ModelSpec, inputs: Record<string, Tensor>): Promise<string[]> {
  const runner = new Runner(await load(encodeModel(spec)), inputs);
  await runner.continue();
  if (runner.error) throw runner.error;
  return runner.timeline().flatMap((e) => {
    if (e.point !== 'call') return [];
    const f = runner.frame(e.frameId)!;
    return f.item.kind === 'module' ? [`${f.depth} ${f.item.name} (${f.item.type})`] : [];
  });
}

/** y = sum(x) > 0 ? x * 2 + w : x - 1, with the branches reading x and w from the graph around them. */
function computedIf(): ModelSpec {
  const thenBranch = graphProto({
    name: 'then', inputs: [], outputs: [{ name: 'y_then', dtype: 'float32', shape: [2, 3] }],
    initializers: { two: Tensor.scalar(2) },
    nodes: [
      { op: 'Mul', name: 'double', inputs: ['x', 'two'], outputs: ['d'] },
      { op: 'Add', name: 'shift', inputs: ['d', 'w'], outputs: ['y_then'] },
    ],
  });
  const elseBranch = graphProto({
    name: 'else', inputs: [], outputs: [{ name: 'y_else', dtype: 'float32', shape: [2, 3] }],
    initializers: { one: Tensor.scalar(1) },
    nodes: [{ op: 'Sub', name: 'minus', inputs: ['x', 'one'], outputs: ['y_else'] }],
  });
  return {
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [2, 3] }],
    initializers: { w: f32([3], 4), zero: Tensor.scalar(0) },
    nodes: [
      { op: 'ReduceSum', name: 'total', inputs: ['x'], outputs: ['s'], attrs: { keepdims: 0 } },
      { op: 'Greater', name: 'positive', inputs: ['s', 'zero'], outputs: ['c'] },
      { op: 'If', name: 'choose', inputs: ['c'], outputs: ['y'], attrs: { then_branch: thenBranch, else_branch: elseBranch } },
    ],
  };
}

/** s = s0; i = 0; while (i < n && sum(s) < limit) { s = s * 1.5 + x; i++ }, sums stacked: trip count and condition computed. */
function whileLoop(): ModelSpec {
  const body = graphProto({
    name: 'body',
    inputs: [{ name: 'i', dtype: 'int64', shape: [] }, { name: 'c_in', dtype: 'bool', shape: [] }, { name: 's_in', dtype: 'float32', shape: [3] }],
    outputs: [{ name: 'c_out', dtype: 'bool', shape: [] }, { name: 's_out', dtype: 'float32', shape: [3] }, { name: 'trace', dtype: 'float32', shape: [3] }],
    initializers: { k: Tensor.scalar(1.5) },
    nodes: [
      { op: 'Mul', name: 'grow', inputs: ['s_in', 'k'], outputs: ['g'] },
      { op: 'Add', name: 'feed', inputs: ['g', 'x'], outputs: ['s_out'] },
      { op: 'ReduceSum', name: 'total', inputs: ['s_out'], outputs: ['t'], attrs: { keepdims: 0 } },
      { op: 'Less', name: 'below', inputs: ['t', 'limit'], outputs: ['c_out'] },
      { op: 'Identity', name: 'keep', inputs: ['s_out'], outputs: ['trace'] },
    ],
  });
  return {
    inputs: [{ name: 'x', dtype: 'float32', shape: [3] }, { name: 'n', dtype: 'float32', shape: [] }],
    outputs: [{ name: 'final', dtype: 'float32', shape: [3] }, { name: 'trail', dtype: 'float32', shape: [null, 3] }],
    initializers: { s0: Tensor.from([3], [0.5, 0.25, 0.125]), limit: Tensor.scalar(40), start: Tensor.scalar(1, 'bool') },
    nodes: [
      { op: 'Cast', name: 'count', inputs: ['n'], outputs: ['M'], attrs: { to: 7 } },
      { op: 'Loop', name: 'grow_loop', inputs: ['M', 'start', 's0'], outputs: ['final', 'trail'], attrs: { body } },
    ],
  };
}

/** A running sum over the rows of xs (Scan-9+), forward or backward, with the partial sums stacked. */
function scan(direction: number, outAxis = 0): ModelSpec {
  const body = graphProto({
    name: 'body',
    inputs: [{ name: 'acc_in', dtype: 'float32', shape: [3] }, { name: 'row', dtype: 'float32', shape: [3] }],
    outputs: [{ name: 'acc_out', dtype: 'float32', shape: [3] }, { name: 'partial', dtype: 'float32', shape: [3] }],
    nodes: [
      { op: 'Add', name: 'accumulate', inputs: ['acc_in', 'row'], outputs: ['acc_out'] },
      { op: 'Mul', name: 'scale', inputs: ['acc_out', 'gain'], outputs: ['partial'] },
    ],
  });
  return {
    inputs: [{ name: 'acc0', dtype: 'float32', shape: [3] }, { name: 'xs', dtype: 'float32', shape: ['T', 3] }],
    outputs: [{ name: 'total', dtype: 'float32', shape: [3] }, { name: 'partials', dtype: 'float32', shape: null as unknown as number[] }],
    initializers: { gain: f32([3], 9) },
    nodes: [{
      op: 'Scan', name: 'running', inputs: ['acc0', 'xs'], outputs: ['total', 'partials'],
      attrs: { body, num_scan_inputs: 1, scan_input_directions: [direction], scan_output_axes: [outAxis] },
    }],
  };
}

describe('ONNX control flow decided at run time', () => {
  it('runs an If whose condition is computed, taking each branch like onnxruntime', async () => {
    await compare(computedIf(), { x: f32([2, 3], 1) });
    await compare(computedIf(), { x: f32([2, 3], 1, -1).reshape([2, 3]) });
    await compare(computedIf(), { x: Tensor.from([2, 3], [-1, -2, -3, -4, -5, -6]) });
  });

  it('shows the If as a frame whose child is the branch taken, with the condition and the branch not taken', async () => {
    const x = Tensor.from([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(await frames(computedIf(), { x })).toEqual(['0 graph (model)', '1 choose (If)', '2 then (branch)']);
    expect(await frames(computedIf(), { x: Tensor.from([2, 3], [-1, -2, -3, -4, -5, -6]) })).toEqual(['0 graph (model)', '1 choose (If)', '2 else (branch)']);
    const runner = new Runner(await load(encodeModel(computedIf())), { x });
    runner.setNameBreakpoints([{ name: 'double' }]);
    const stop = await runner.continue();
    expect(stop.reason).toBe('function breakpoint');
    const branch = runner.stack()[2];
    expect(branch.item.name).toBe('then');
    expect(runner.scopes(branch.id).attrs).toMatchObject({ condition: true, 'not taken': 'else branch' });
    const iff = runner.stack()[1];
    expect([...runner.scopes(iff.id).inputs.keys()]).toEqual(expect.arrayContaining(['c', 'x']));
    expect(runner.scopes(iff.id).inputs.get('c')?.data[0]).toBe(1);
    // Values of the graph around the branch are read inside it.
    expect(runner.evaluate('x.sum()', runner.stack()[3].id)).toBe(21);
  });

  it('runs a Loop whose trip count and condition are computed, one frame per iteration, like onnxruntime', async () => {
    for (const n of [0, 1, 3, 50]) await compare(whileLoop(), { x: f32([3], 2), n: Tensor.scalar(n) });
    const names = await frames(whileLoop(), { x: f32([3], 2), n: Tensor.scalar(3) });
    expect(names.filter((s) => s.includes('iter'))).toEqual(['2 iter 0 (LoopIteration)', '2 iter 1 (LoopIteration)', '2 iter 2 (LoopIteration)']);
  });

  it('runs Scan forward and backward, with scan outputs stacked on either axis, like onnxruntime', async () => {
    const inputs = { acc0: f32([3], 5), xs: f32([4, 3], 6) };
    await compare(scan(0), inputs);
    await compare(scan(1), inputs);
    await compare(scan(0, 1), inputs);
    await compare(scan(0), { acc0: f32([3], 5), xs: f32([7, 3], 8) });
  });

  it('stops a loop that does not end within the bound with a sentence naming it', async () => {
    const never = await load(encodeModel({ ...whileLoop(), initializers: { ...whileLoop().initializers, limit: Tensor.scalar(Infinity) } }));
    const stuck = new Runner(never, { x: Tensor.from([3], [0, 0, 0]), n: Tensor.scalar(1e12) }, { maxLoopIterations: 25 });
    stuck.setExceptionFilters(['engineError']);
    const stop = await stuck.continue();
    expect(stop.reason).toBe('exception');
    expect(stuck.error?.message).toBe("model.onnx: Loop 'grow_loop' has run 25 iterations and would run more; the most a loop may run is 25 (the layerstep.maxLoopIterations setting).");
    // The same loop with an end in reach ends.
    const model = await load(encodeModel(whileLoop()));
    const runner = new Runner(model, { x: Tensor.from([3], [0, 0, 0]), n: Tensor.scalar(1e12) }, { maxLoopIterations: 25 });
    expect((await runner.continue()).reason).toBe('end');
  });

  it('takes breakpoints by name inside branches and iterations, and shows outer values there', async () => {
    const runner = new Runner(await load(encodeModel(whileLoop())), { x: f32([3], 2), n: Tensor.scalar(3) });
    runner.setNameBreakpoints([{ name: 'feed' }]);
    const hits: string[] = [];
    for (let stop = await runner.continue(); stop.reason !== 'end'; stop = await runner.continue()) {
      hits.push(runner.stack().map((f) => f.item.name).join(' > '));
    }
    expect(hits).toEqual(['graph > grow_loop > iter 0 > feed', 'graph > grow_loop > iter 1 > feed', 'graph > grow_loop > iter 2 > feed']);
  });

  it('loads the control modules with their inputs and no body until run', async () => {
    const model = await load(encodeModel(computedIf()));
    const choose = modulesById(model.root).get('choose')!;
    expect(choose.type).toBe('If');
    expect(choose.body).toEqual([]);
    expect(choose.inputs).toEqual(['c', 'x', 'w']);
    expect(choose.control?.kind).toBe('if');
  });

  it('refuses an If whose branches disagree on how many values they return, naming the node', async () => {
    const spec = computedIf();
    const ifNode = spec.nodes[2];
    const elseBranch = graphProto({
      name: 'else', inputs: [], outputs: [{ name: 'a', dtype: 'float32', shape: [2, 3] }, { name: 'b', dtype: 'float32', shape: [2, 3] }],
      nodes: [{ op: 'Neg', inputs: ['x'], outputs: ['a'] }, { op: 'Abs', inputs: ['x'], outputs: ['b'] }],
    });
    const broken = { ...spec, nodes: [spec.nodes[0], spec.nodes[1], { ...ifNode, attrs: { ...ifNode.attrs, else_branch: elseBranch } }] };
    await expect(load(encodeModel(broken))).rejects.toThrow(
      "model.onnx: node 'choose' (If): its else_branch returns 2 values but the node has 1 outputs; both branches must return one value per output.");
  });
});
