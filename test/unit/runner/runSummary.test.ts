import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunner, openModelFile } from '../../../src/node/localModel';
import { summaryCsv, summaryMarkdown, summaryTable } from '../../../src/protocol/runSummaryText';
import { Runner } from '../../../src/runner/runner';
import { buildRunSummary, nodeFlops } from '../../../src/runner/runSummary';
import { node } from '../../fixtures/runner/build';
import { shapeError } from '../../fixtures/runner/models';

const fixture = (name: string): string => resolve(__dirname, '../../fixtures/summary', name);

async function run(name: string): Promise<Runner> {
  const model = await openModelFile(fixture(name));
  const r = createRunner(model, new Map(Object.entries(model.examples[0].inputs)));
  r.setExceptionFilters(['engineError']);
  return r;
}

describe('run summary', () => {
  it('gives every module and op of the run its shape, parameters, FLOPs, bytes and health', async () => {
    const r = await run('known.json');
    await r.continue();
    const s = buildRunSummary(r);
    const rows = s.rows.map((x) => [x.path, x.depth, x.type, x.shape?.join('x'), x.params, x.flops, x.bytes, x.weightBytes]);
    expect(rows).toEqual([
      ['known', 0, 'model', '2x2', 26, 104, 144, 104],
      ['known/hidden', 1, 'dense', '2x4', 16, 64, 96, 64],
      ['known/hidden/matmul', 2, 'matmul', '2x4', 12, 48, 32, 48],
      ['known/hidden/add', 2, 'add', '2x4', 4, 8, 32, 16],
      ['known/hidden/relu', 2, 'relu', '2x4', 0, 8, 32, 0],
      ['known/gate', 1, 'dense', '2x2', 10, 40, 48, 40],
      ['known/gate/matmul', 2, 'matmul', '2x2', 8, 32, 16, 32],
      ['known/gate/add', 2, 'add', '2x2', 2, 4, 16, 8],
      ['known/gate/sigmoid', 2, 'sigmoid', '2x2', 0, 4, 16, 0],
    ]);
    expect(s.totals).toMatchObject({ params: 26, flops: 104, bytes: 144, weightBytes: 104, nan: 0, inf: 0 });
    // Modules take the sum of their ops' times.
    const [root, hidden] = s.rows;
    const ops = s.rows.filter((x) => x.kind === 'node');
    expect(root.timeMs).toBeCloseTo(ops.reduce((n, x) => n + (x.timeMs ?? 0), 0), 6);
    expect(hidden.timeMs).toBeGreaterThanOrEqual(0);
    expect(s.rows[4].health).toMatchObject({ dead: 0.5, units: 4 });
    expect(s.rows[8].health).toMatchObject({ saturated: 0.5 });
    expect(s.failed).toBeUndefined();
  });

  it('has the rows up to the position, the unreturned ones without shape or health', async () => {
    const r = await run('known.json');
    await r.runTo('relu');
    const s = buildRunSummary(r);
    expect(s.rows.map((x) => x.name)).toEqual(['known', 'hidden', 'matmul', 'add', 'relu']);
    expect(s.rows.map((x) => x.shape)).toEqual([null, null, [2, 4], [2, 4], null]);
    expect(s.rows[4].health).toBeNull();
    expect(s.current).toBe(s.rows[4].frameId);
    expect(s.totals.flops).toBe(56);
  });

  it('runs up to the failing layer and marks it with the error', async () => {
    const r = await run('fails.json');
    const stop = await r.continue();
    expect(stop.reason).toBe('exception');
    const s = buildRunSummary(r);
    expect(s.rows.map((x) => x.name)).toEqual(['fails', 'embed', 'gather']);
    const message = "fails.json line 7: layer 'embed', op gather (embed/gather): index 9 at position 2 of 'indices' [1, 3] is out of range for axis 0 of size 4 (data [4, 2])";
    expect(s.failed).toEqual({ name: 'gather', message });
    expect(s.rows[2].error).toBe(message);
    expect(summaryTable(s)).toContain(`✖ ${message}`);
  });

  it('marks a failing op of a hand-built model too', async () => {
    const f = shapeError();
    const r = new Runner(f.model, f.inputs);
    r.setExceptionFilters(['engineError']);
    await r.continue();
    const s = buildRunSummary(r);
    expect(s.failed?.name).toBe(s.rows[s.rows.length - 1].name);
    expect(s.rows.slice(0, -1).every((x) => x.error === undefined)).toBe(true);
  });

  it('counts FLOPs by op: products by their inner size, conv by its kernel, data moves as 0', () => {
    const shapes: Record<string, number[]> = { a: [2, 3], b: [3, 5], y: [2, 5], x: [1, 3, 8, 8], w: [4, 3, 3, 3], bias: [4], c: [1, 4, 6, 6] };
    const shape = (n: string) => shapes[n];
    expect(nodeFlops(node('m', 'matmul', ['a', 'b'], ['y']), shape)).toBe(2 * 10 * 3);
    expect(nodeFlops(node('g', 'gemm', ['a', 'b', 'bias'], ['y']), shape)).toBe(2 * 10 * 3 + 10);
    expect(nodeFlops(node('c', 'conv', ['x', 'w', 'bias'], ['c']), shape)).toBe(2 * 144 * 27 + 144);
    expect(nodeFlops(node('r', 'reshape', ['y'], ['a']), shape)).toBe(0);
    expect(nodeFlops(node('s', 'softmax', ['y'], ['y']), shape)).toBe(10);
    expect(nodeFlops(node('e', 'tanh', ['a'], ['a']), shape)).toBe(6);
  });

  it('exports as Markdown and CSV, escaping what would break them', async () => {
    const r = await run('known.json');
    await r.continue();
    const s = buildRunSummary(r);
    const md = summaryMarkdown({ ...s, rows: s.rows.map((x, i) => (i === 1 ? { ...x, name: 'a|b' } : x)) });
    expect(md).toContain('| Layer | Type | Output shape | Params | FLOPs | Time (ms) | Output bytes | Health |');
    expect(md).toContain('a\\|b');
    expect(md).toMatch(/\| \*\*Total\*\* \| {2}\| {2}\| 26 \| 104 \|/);
    const csv = summaryCsv({ ...s, rows: s.rows.map((x, i) => (i === 1 ? { ...x, name: 'say "hi", then' } : x)) });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('path,name,depth,kind,type,shape,params,flops,time_ms,bytes,weight_bytes,nan,inf,max_abs,scale,dead,zeros,saturated,error');
    expect(lines[2]).toMatch(/^known\/hidden,"say ""hi"", then",1,module,dense,2x4,16,64,/);
    expect(lines).toHaveLength(s.rows.length + 2);
    expect(lines[lines.length - 1]).toMatch(/^,total,,,,,26,104,/);
  });
});
