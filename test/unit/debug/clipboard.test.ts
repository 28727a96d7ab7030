import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { leadingPart, MAX_CLIPBOARD_VALUES, numpyNumber, numpyText } from '../../../src/debug/clipboard';
import { TENSOR_MENU_CONTEXT } from '../../../src/debug/variables';
import { DapDriver, REPO } from './dapDriver';

const MNIST = 'examples/mnist-mlp/model.json';

describe('values as NumPy prints them', () => {
  it('spells NaN, infinities and booleans as NumPy does, and floats with a decimal point', () => {
    expect([NaN, Infinity, -Infinity, 1, 0, -2.5].map((v) => numpyNumber(v, 'float32'))).toEqual(['nan', 'inf', '-inf', '1.0', '0.0', '-2.5']);
    expect([1, 0].map((v) => numpyNumber(v, 'bool'))).toEqual(['True', 'False']);
    expect(numpyNumber(7, 'int32')).toBe('7');
    expect(numpyNumber(2 ** 40, 'int64')).toBe('1099511627776');
  });

  it('gives float32 values the fewest digits that read back the same', () => {
    const v = Math.fround(0.1);
    expect(numpyNumber(v, 'float32')).toBe('0.1');
    expect(numpyNumber(Math.fround(1 / 3), 'float32')).toBe('0.33333334');
    expect(numpyNumber(Math.fround(1e-7), 'float32')).toBe('1e-7');
    for (const x of [Math.PI, 123456.789, -0.000123, 3.4e38]) {
      const f = Math.fround(x);
      expect(Math.fround(Number(numpyNumber(f, 'float32')))).toBe(f);
    }
  });

  it('lays nested lists out as NumPy does: rows on lines, a blank line between blocks', () => {
    expect(numpyText([3], 'float32', [0.5, 1, 2])).toBe('[0.5, 1.0, 2.0]');
    expect(numpyText([2, 2], 'int32', [1, 2, 3, 4])).toBe('[[1, 2],\n [3, 4]]');
    expect(numpyText([2, 1, 2], 'int32', [1, 2, 3, 4])).toBe('[[[1, 2]],\n\n [[3, 4]]]');
    expect(numpyText([], 'float32', [0.25])).toBe('0.25');
    // Without non-finite values the text is JSON too.
    expect(JSON.parse(numpyText([2, 3], 'float32', [1, 2, 3, 4, 5, 6]))).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('takes the leading part of a large tensor along the first axis whose rows fit', () => {
    expect(leadingPart([784, 128])).toEqual({ axis: 0, take: 78, shape: [78, 128], count: 9984 });
    expect(leadingPart([1, 100_000])).toEqual({ axis: 1, take: 10_000, shape: [10_000], count: 10_000 });
    expect(leadingPart([2, 200, 100])).toEqual({ axis: 1, take: 100, shape: [100, 100], count: 10_000 });
  });
});

describe.skipIf(!existsSync(join(REPO, MNIST)))('Copy Value on the mnist-mlp example (evaluate with context clipboard)', () => {
  let d: DapDriver;
  let frameId: number;
  const clip = async (expression: string) => {
    const r = await d.evaluate(expression, 'clipboard' as never, frameId) as DebugProtocol.EvaluateResponse;
    expect(r.success, r.message).toBe(true);
    return r.body.result;
  };

  beforeAll(async () => {
    d = new DapDriver();
    await d.launch({ model: MNIST }, { functionBreakpoints: [{ name: 'hidden1', condition: 'hasNaN(output) == false' }] });
    await d.nextStop();
    frameId = (await d.stackTrace())[0].id;
  });

  it('says it supports the clipboard context', () => {
    const init = d.sent.find((m) => m.type === 'response' && (m as DebugProtocol.Response).command === 'initialize') as DebugProtocol.InitializeResponse;
    expect(init.body?.supportsClipboardContext).toBe(true);
  });

  it('copies a small tensor whole, as a nested list that parses back to its values', async () => {
    const text = await clip('weights.bias');
    const parsed = JSON.parse(text) as number[];
    expect(parsed).toHaveLength(128);
    const [bias] = (await d.scope(frameId, 'Weights')).filter((w) => w.name === 'bias');
    const cells = await d.variables(bias.variablesReference, 0, 3);
    // VARIABLES rounds to four digits; the clipboard keeps every digit.
    for (let i = 0; i < 3; i++) expect(Number(cells[i].value)).toBeCloseTo(parsed[i], 3);
    const exact = await clip('weights.bias[1]');
    expect(Number(exact)).toBe(parsed[1]);
  });

  it('copies the input image row by row', async () => {
    const text = await clip('inputs.x');
    expect(text.startsWith('[[')).toBe(true);
    const parsed = JSON.parse(text) as number[][];
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toHaveLength(784);
    expect(Math.max(...parsed[0])).toBeLessThanOrEqual(1);
  });

  it('copies at most 10,000 values of a large tensor and says what it left out', async () => {
    const text = await clip('weights.kernel');
    const lines = text.split('\n');
    const note = lines.at(-1)!;
    expect(note).toBe('# float32[784,128]: copied [:78], 9,984 of 100,352 values; the other 90,368 were left out (Copy Value copies at most 10,000).');
    const parsed = JSON.parse(lines.slice(0, -1).join('\n')) as number[][];
    expect(parsed).toHaveLength(78);
    expect(parsed[0]).toHaveLength(128);
    expect(parsed.flat().length).toBeLessThanOrEqual(MAX_CLIPBOARD_VALUES);
    // The same numbers as an element read exactly.
    expect(Number(await clip('weights.kernel[77][127]'))).toBe(parsed[77][127]);
  });

  it('copies what each VARIABLES item names by its evaluateName: tensors, slices and elements', async () => {
    const [out] = await d.scope(frameId, 'Outputs');
    expect(out.evaluateName).toBe('outputs["hidden1/relu:0"]');
    const whole = JSON.parse(await clip(out.evaluateName!)) as number[][];
    const row = (await d.variables(out.variablesReference))[0];
    expect(JSON.parse(await clip(row.evaluateName!))).toEqual(whole[0]);
    const cells = await d.variables(row.variablesReference, 4, 1);
    expect(Number(await clip(cells[0].evaluateName!))).toBe(whole[0][4]);
  });

  it('marks tensors and their slices for the Save Tensor As… menu, not their elements', async () => {
    const [kernel] = await d.scope(frameId, 'Weights');
    expect((kernel as { __vscodeVariableMenuContext?: string }).__vscodeVariableMenuContext).toBe(TENSOR_MENU_CONTEXT);
    const [row] = await d.variables(kernel.variablesReference, 0, 1);
    expect((row as { __vscodeVariableMenuContext?: string }).__vscodeVariableMenuContext).toBe(TENSOR_MENU_CONTEXT);
    const [cell] = await d.variables(row.variablesReference, 0, 1);
    expect((cell as { __vscodeVariableMenuContext?: string }).__vscodeVariableMenuContext).toBeUndefined();
  });

  it('answers an expression that does not read as an error, so VS Code copies the shown value', async () => {
    const r = await d.evaluate('float32[1,10] μ=0.1', 'clipboard' as never, frameId);
    expect(r.success).toBe(false);
  });
});
