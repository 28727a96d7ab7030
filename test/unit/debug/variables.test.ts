import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { DapDriver, REPO } from './dapDriver';

const MNIST = 'examples/mnist-mlp/model.json';
const MLP = 'test/fixtures/dap/mlp.json';

/** A one-line summary: dtype and shape, mean, std, range, and the share of zeros when there are any. */
const SUMMARY = /^float32\[[\d,]+\] μ=\S+ σ=\S+ \[\S+, \S+\]( \d+% zeros)?$/;

/** A session stopped at the return of `layer` (a function breakpoint whose condition reads the output). */
async function stoppedAtReturn(model: string, layer: string): Promise<{ d: DapDriver; frameId: number }> {
  const d = new DapDriver();
  await d.launch({ model }, { functionBreakpoints: [{ name: layer, condition: 'hasNaN(output) == false' }] });
  await d.nextStop();
  const frameId = (await d.stackTrace())[0].id;
  return { d, frameId };
}

describe.skipIf(!existsSync(join(REPO, MNIST)))('VARIABLES on the mnist-mlp example', () => {
  let d: DapDriver;
  let frameId: number;
  beforeAll(async () => {
    ({ d, frameId } = await stoppedAtReturn(MNIST, 'hidden1'));
  });

  it('offers the scopes Outputs, Inputs, Weights and Attributes at a return stop, outputs first so VS Code opens them', async () => {
    expect((await d.scopes(frameId)).map((s) => s.name)).toEqual(['Outputs', 'Inputs', 'Weights', 'Attributes']);
  });

  it('offers Inputs first for a frame that is not stopped at its return', async () => {
    const parent = (await d.stackTrace())[1].id;
    expect((await d.scopes(parent)).map((s) => s.name)).toEqual(['Inputs', 'Outputs', 'Weights', 'Attributes']);
  });

  it('shows each tensor as a one-line summary with its dtype and shape as the type', async () => {
    const [x] = await d.scope(frameId, 'Inputs');
    expect(x).toMatchObject({ name: 'x', type: 'float32[1,784]', evaluateName: 'inputs.x', indexedVariables: 1 });
    expect(x.value).toMatch(SUMMARY);
    expect(x.value).toMatch(/^float32\[1,784\] .* \d+% zeros$/);
    const [out] = await d.scope(frameId, 'Outputs');
    expect(out).toMatchObject({ name: 'hidden1/relu:0', type: 'float32[1,128]', evaluateName: 'outputs["hidden1/relu:0"]' });
    expect(out.value).toMatch(SUMMARY);
    const weights = await d.scope(frameId, 'Weights');
    expect(weights.map((w) => [w.name, w.type, w.evaluateName])).toEqual([
      ['kernel', 'float32[784,128]', 'weights.kernel'], ['bias', 'float32[128]', 'weights.bias'],
    ]);
    expect(await d.scope(frameId, 'Attributes')).toEqual([
      { name: 'units', value: '128', variablesReference: 0 },
      { name: 'activation', value: 'relu', variablesReference: 0 },
      { name: 'useBias', value: 'true', variablesReference: 0 },
    ]);
  });

  it('expands a tensor lazily along its first axis, pages a long axis, and ends in scalars', async () => {
    const [kernel] = await d.scope(frameId, 'Weights');
    expect(kernel.indexedVariables).toBe(784);
    // VS Code asks for a long axis in pages of `count` from `start`.
    const page = await d.variables(kernel.variablesReference, 100, 3);
    expect(page.map((v) => v.name)).toEqual(['[100]', '[101]', '[102]']);
    for (const row of page) {
      expect(row.value).toMatch(/^float32\[128\] /);
      expect(row.indexedVariables).toBe(128);
    }
    expect(page[1].evaluateName).toBe('weights.kernel[101]');
    const cells = await d.variables(page[1].variablesReference, 5, 2);
    expect(cells.map((c) => c.name)).toEqual(['[5]', '[6]']);
    expect(cells.map((c) => c.variablesReference)).toEqual([0, 0]);
    expect(cells[0].evaluateName).toBe('weights.kernel[101][5]');
    // The leaf is the element itself: compare with the expression language reading the same one.
    const same = await d.evaluate('weights.kernel[101, 5]', 'watch', frameId);
    expect(cells[0].value).toBe(same.body.result);
    // A page past the end is cut at the end.
    expect((await d.variables(kernel.variablesReference, 782, 10)).map((v) => v.name)).toEqual(['[782]', '[783]']);
  });

  it('evaluates tensor expressions in watch, hover and repl contexts', async () => {
    for (const context of ['watch', 'hover', 'repl'] as const) {
      const max = await d.evaluate('output.max()', context, frameId);
      expect(max.success).toBe(true);
      expect(max.body.variablesReference).toBe(0);
      expect(Number(max.body.result)).toBeGreaterThan(0);
      expect((await d.evaluate('hasNaN(output)', context, frameId)).body.result).toBe('false');
      const std = (await d.evaluate('weights.kernel.std()', context, frameId)).body.result;
      const [kernel] = await d.scope(frameId, 'Weights');
      expect(kernel.value).toContain(`σ=${std} `);
    }
  });

  it('gives a tensor result that expands like a variable', async () => {
    const r = await d.evaluate('x[0, :5]', 'repl', frameId);
    expect(r.success).toBe(true);
    expect(r.body).toMatchObject({ type: 'float32[5]', indexedVariables: 5 });
    expect(r.body.result).toMatch(/^float32\[5\] /);
    expect(r.body.variablesReference).toBeGreaterThan(0);
    const items = await d.variables(r.body.variablesReference);
    expect(items).toHaveLength(5);
    const x0 = await d.variables((await d.variables((await d.scope(frameId, 'Inputs'))[0].variablesReference))[0].variablesReference, 0, 5);
    expect(items.map((i) => i.value)).toEqual(x0.map((i) => i.value));
    // The result is kept under a name, so its items can be watched.
    expect(items[2].evaluateName).toMatch(/^\$\d+\[2\]$/);
    expect((await d.evaluate(items[2].evaluateName!, 'watch', frameId)).body.result).toBe(items[2].value);
  });

  it('answers a bad expression with an error that names the column, shown quietly', async () => {
    for (const context of ['watch', 'hover', 'repl'] as const) {
      const r = await d.evaluate('output +* 2', context, frameId) as DebugProtocol.ErrorResponse;
      expect(r.success).toBe(false);
      expect(r.message).toMatch(/^column 9: /);
      expect(r.body.error?.showUser).toBe(false);
    }
    const unknown = await d.evaluate('nosuch.max()', 'watch', frameId);
    expect(unknown.message).toMatch(/^column 1: unknown name 'nosuch'/);
  });
});

describe('VARIABLES before a frame returns', () => {
  it('says the outputs are not there yet, and an expression that reads them says why', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP }, { functionBreakpoints: [{ name: 'hidden' }] });
    await d.nextStop();
    const frameId = (await d.stackTrace())[0].id;
    const outputs = await d.scope(frameId, 'Outputs');
    expect(outputs).toEqual([{ name: '(not yet)', value: 'outputs appear when this frame returns', variablesReference: 0, presentationHint: { kind: 'virtual' } }]);
    const r = await d.evaluate('output.max()', 'watch', frameId);
    expect(r.success).toBe(false);
    expect(r.message).toContain("'output' is not ready");
  });

  it('evaluates in the frame VS Code selects, not only the top one', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP }, { functionBreakpoints: [{ name: 'hidden/add' }] });
    await d.nextStop();
    const [add, hidden, root] = await d.stackTrace();
    expect([add.name, hidden.name, root.name]).toEqual(['add', 'hidden (dense)', 'mlp (model)']);
    expect((await d.evaluate('name', 'watch', add.id)).body.result).toBe('add');
    expect((await d.evaluate('name', 'watch', hidden.id)).body.result).toBe('hidden');
    expect((await d.evaluate('weights.kernel[0, 1]', 'hover', hidden.id)).body.result).toBe('-0.25');
    expect((await d.evaluate('input', 'watch', root.id)).body.result).toBe('float32[1,4] [1, -2, 0.5, 3]');
  });

  it('gives every tensor and slice an evaluateName that evaluates to what it shows (Add to Watch)', async () => {
    for (const [layer, condition] of [['hidden/add', undefined], ['hidden', 'output.max() > 0']] as const) {
      const d = new DapDriver();
      await d.launch({ model: MLP }, { functionBreakpoints: [{ name: layer, condition }] });
      await d.nextStop();
      const frameId = (await d.stackTrace())[0].id;
      let checked = 0;
      for (const scope of ['Inputs', 'Outputs', 'Weights']) {
        for (const v of await d.scope(frameId, scope)) {
          if (!v.evaluateName) continue;
          expect((await d.evaluate(v.evaluateName, 'watch', frameId)).body.result, v.evaluateName).toBe(v.value);
          const [row] = await d.variables(v.variablesReference, 0, 1);
          expect((await d.evaluate(row.evaluateName!, 'watch', frameId)).body.result, row.evaluateName).toBe(row.value);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(2);
    }
  });

  it('shows tensors of up to four elements by their values, and leaves without children', async () => {
    const { d, frameId } = await stoppedAtReturn(MLP, 'out');
    const [probs] = await d.scope(frameId, 'Outputs');
    expect(probs.value).toMatch(/^float32\[1,2\] \[0\.\d+, 0\.\d+\]$/);
    const [row] = await d.variables(probs.variablesReference);
    const cells = await d.variables(row.variablesReference);
    expect(cells.map((c) => c.name)).toEqual(['[0]', '[1]']);
    const sum = cells.reduce((a, c) => a + Number(c.value), 0);
    expect(sum).toBeCloseTo(1, 3);
  });
});
