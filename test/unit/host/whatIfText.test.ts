import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTolerance } from '../../../src/runner/divergence';
import { Runner } from '../../../src/runner/runner';
import {
  editedWeightsFileName, elementAssignment, parseElementEdit, parseFactor, quoteName, scaleAssignment, TOLERANCE_PATTERN,
} from '../../../src/host/whatIfText';
import { mlp } from '../../fixtures/runner/models';

const kernel = { role: 'kernel', shape: [4, 3] };
const ok = <T>(r: { ok: T } | { error: string }): T => {
  if ('error' in r) throw new Error(r.error);
  return r.ok;
};
const error = (r: { ok: unknown } | { error: string }): string => ('error' in r ? r.error : `no error, got ${JSON.stringify(r.ok)}`);

describe('the sidebar weight edits: what the input box accepts', () => {
  it('reads INDEX = VALUE with integer indices, negative ones, slices and brackets', () => {
    expect(ok(parseElementEdit('0, 2 = 0.5', kernel))).toEqual({ index: '0, 2', value: '0.5' });
    expect(ok(parseElementEdit(' [3,-1]= -1e-3 ', kernel))).toEqual({ index: '3, -1', value: '-1e-3' });
    expect(ok(parseElementEdit('1 = 0', kernel))).toEqual({ index: '1', value: '0' });
    expect(ok(parseElementEdit(':, 1 = 2', kernel))).toEqual({ index: ':, 1', value: '2' });
    expect(ok(parseElementEdit('1:3, ::2 = +4', kernel))).toEqual({ index: '1:3, ::2', value: '4' });
    expect(ok(parseElementEdit('0, 0 = NaN', kernel))).toEqual({ index: '0, 0', value: 'NaN' });
    expect(ok(parseElementEdit('0, 0 = -Infinity', kernel))).toEqual({ index: '0, 0', value: '-Infinity' });
  });

  it('says in one sentence what is wrong, naming the weight, the axis and its size', () => {
    expect(error(parseElementEdit('0, 2', kernel))).toBe("Write the element's index, '=' and its new value, e.g. 0, 0 = 0.5.");
    expect(error(parseElementEdit('= 1', kernel))).toBe("Write the index before '=', e.g. 0, 0 = 0.5.");
    expect(error(parseElementEdit('0, 0, 0 = 1', kernel))).toBe('kernel has 2 axes (shape [4, 3]), but 3 indices were given.');
    expect(error(parseElementEdit('4, 0 = 1', kernel))).toBe('Index 4 is out of range for axis 0 of kernel, which has size 4.');
    expect(error(parseElementEdit('0, -4 = 1', kernel))).toBe('Index -4 is out of range for axis 1 of kernel, which has size 3.');
    expect(error(parseElementEdit('a, 0 = 1', kernel))).toMatch(/^'a' is not an index/);
    expect(error(parseElementEdit('0, 0 = x', kernel))).toBe("'x' is not a number: write a number such as 0.5, or NaN, Infinity or -Infinity.");
    expect(error(parseElementEdit('0 == 1', kernel))).toMatch(/^Write the element's index/);
    expect(error(parseElementEdit('0, 0 = 1 = 2', { role: 'bias', shape: [3] }))).toBe("Write the element's index, '=' and its new value, e.g. 0 = 0.5.");
  });

  it('reads a finite factor only', () => {
    expect(ok(parseFactor(' 0.5 '))).toBe('0.5');
    expect(ok(parseFactor('+2e1'))).toBe('2e1');
    for (const bad of ['', 'two', '1/2', 'Infinity', 'NaN', '1e999']) expect(error(parseFactor(bad))).toMatch(/is not a factor/);
  });

  it('quotes weight names for the expression language', () => {
    expect(quoteName('hidden1.kernel')).toBe("'hidden1.kernel'");
    expect(quoteName("it's\\here")).toBe("'it\\'s\\\\here'");
  });

  it('offers <model name>-edited.safetensors', () => {
    expect(editedWeightsFileName('mnist-mlp')).toBe('mnist-mlp-edited.safetensors');
    expect(editedWeightsFileName('my model/v2')).toBe('my-model-v2-edited.safetensors');
    expect(editedWeightsFileName('')).toBe('model-edited.safetensors');
  });
});

describe('the assignments the sidebar sends, applied by the runner', () => {
  // The fixture's hidden.kernel is [4, 3]; its values are whatever the fixture made: read them first, then
  // predict each element by hand.
  const before = (): number[] => Array.from(mlp().model.weights.get('hidden.kernel')!.data);

  it('sets one element, a row and a column, and scales the whole weight', () => {
    const cases: [string, (k: number[]) => void][] = [
      [elementAssignment('hidden.kernel', ok(parseElementEdit('2, 1 = 0.25', kernel)).index, '0.25'), (k) => { k[2 * 3 + 1] = 0.25; }],
      [elementAssignment('hidden.kernel', '-1', '7'), (k) => { k[9] = 7; k[10] = 7; k[11] = 7; }],
      [elementAssignment('hidden.kernel', ':, 0', 'NaN'), (k) => { for (let r = 0; r < 4; r++) k[r * 3] = NaN; }],
      [scaleAssignment('hidden.kernel', ok(parseFactor('0.5'))), (k) => k.forEach((v, i) => { k[i] = v * 0.5; })],
    ];
    for (const [text, change] of cases) {
      const f = mlp();
      const r = new Runner(f.model, f.inputs);
      const { target, tensor } = r.assign(text);
      expect(target).toEqual({ kind: 'weight', name: 'hidden.kernel' });
      const expected = before();
      change(expected);
      expect(Array.from(tensor.data), text).toEqual(expected);
    }
  });

  it('sends -Infinity as the language reads it', () => {
    const f = mlp();
    const r = new Runner(f.model, f.inputs);
    const { tensor } = r.assign(elementAssignment('out.bias', '1', ok(parseElementEdit('1 = -Infinity', { role: 'bias', shape: [2] })).value));
    expect(tensor.data[1]).toBe(-Infinity);
  });
});

describe('the divergenceTolerance setting', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { pattern?: string; default?: string }> } };
  };
  const setting = pkg.contributes.configuration.properties['layerstep.divergenceTolerance'];

  it('validates with the pattern the host knows, whose default the runner reads', () => {
    expect(setting.pattern).toBe(TOLERANCE_PATTERN);
    expect(setting.default).toBe('1e-4,1e-3');
    expect(parseTolerance(setting.default!)).toEqual({ atol: 1e-4, rtol: 1e-3 });
  });

  it('accepts exactly what the runner accepts', () => {
    const re = new RegExp(TOLERANCE_PATTERN);
    for (const text of ['1e-4,1e-3', ' 0 , 0 ', '0.5,.25', '1E-6, 2e+1', '3.,4']) {
      expect(re.test(text), text).toBe(true);
      expect(() => parseTolerance(text), text).not.toThrow();
    }
    for (const text of ['1e-4', '-1,0', '1,2,3', 'a,b', '1e-4;1e-3', '']) {
      expect(re.test(text), text).toBe(false);
      expect(() => parseTolerance(text), text).toThrow();
    }
  });
});
