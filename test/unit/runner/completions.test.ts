import { describe, expect, it } from 'vitest';
import { complete } from '../../../src/runner/expr/completions';
import type { CompletionSource } from '../../../src/runner/expr/completions';
import { Runner } from '../../../src/runner/runner';
import { countingOps } from '../../fixtures/runner/ops';
import { mlp } from '../../fixtures/runner/models';

const src: CompletionSource = {
  names: () => ['input', 'output', 'inputs', 'outputs', 'weights', 'attrs', 'name', 'x', 'hidden', '$1'],
  members: (n) => ({ inputs: ['x'], outputs: ['hidden/relu:0'], weights: ['kernel', 'bias'], attrs: ['units'] } as Record<string, string[]>)[n],
  weights: () => ['hidden.kernel', 'hidden.bias', 'out.kernel'],
  values: () => ['x', 'hidden/matmul:0', 'hidden/relu:0'],
};

/** What each completion makes of the text: the text with the completion applied, cursor at `at`. */
function apply(text: string, at: number = text.length): string[] {
  return complete(text, at, src).map((c) => text.slice(0, c.start) + c.text + text.slice(c.start + c.length));
}

describe('completions', () => {
  it('offer the frame\'s names, the functions and the constants for a word being typed, ignoring case', () => {
    expect(apply('ou')).toEqual(['output', 'outputs']);
    expect(apply('n')).toEqual(['name', 'norm(', 'NaN', 'null']);
    expect(apply('output.max() > m')).toEqual(['output.max() > min(', 'output.max() > max(', 'output.max() > mean(']);
    expect(apply('$')).toEqual(['$1']);
    const all = complete('', 0, src).map((c) => c.label);
    expect(all.slice(0, 3)).toEqual(['input', 'output', 'inputs']);
    expect(all).toContain('hasNaN');
    expect(complete('', 0, src).find((c) => c.label === 'norm')).toMatchObject({ kind: 'function', detail: 'norm(x): the L2 (Frobenius) norm' });
  });

  it('offer a collection\'s keys after its dot, a key that is no identifier in brackets', () => {
    expect(apply('weights.')).toEqual(['weights.kernel', 'weights.bias']);
    expect(apply('weights.b')).toEqual(['weights.bias']);
    expect(apply('outputs.')).toEqual(['outputs["hidden/relu:0"]']);
    expect(apply('attrs.u + 1', 7)).toEqual(['attrs.units + 1']);
  });

  it('offer tensor methods and properties after a dot on anything else', () => {
    expect(apply('output.')).toContain('output.max()');
    expect(apply('output.')).toContain('output.shape');
    expect(apply('output.')).not.toContain('output.weight()');
    expect(apply('output.s')).toEqual(['output.shape', 'output.size', 'output.sum()', 'output.std()']);
    expect(apply('(output - input).no')).toEqual(['(output - input).norm()']);
    expect(apply('inputs.x.me')).toEqual(['inputs.x.mean()']);
    expect(apply('1.5')).toEqual([]);
  });

  it('offer weight and value names inside the quotes of weight(\'…\') and value(\'…\'), closing the call', () => {
    expect(apply("weight('hid")).toEqual(["weight('hidden.kernel')", "weight('hidden.bias')"]);
    expect(apply('norm(value("hidden/')).toEqual(['norm(value("hidden/matmul:0")', 'norm(value("hidden/relu:0")']);
    // Mid-word with the closing already there: the whole name is replaced, nothing doubled.
    expect(apply("weight('out.k') * 2", 10)).toEqual(["weight('out.kernel') * 2"]);
  });

  it('replace only the word before the cursor, measured from the text\'s start', () => {
    const [c] = complete('input + outp', 12, src);
    expect(c).toMatchObject({ label: 'output', start: 8, length: 4 });
  });
});

describe('completions in a run', () => {
  it('read the frame\'s names, weights and values at the position without computing anything', async () => {
    const f = mlp();
    const r = new Runner(f.model, f.inputs, { ops: countingOps().ops });
    await r.runTo('out');
    const labels = (text: string): string[] => r.completions(text, text.length).map((c) => c.label);
    expect(labels('weights.')).toEqual(['kernel', 'bias']);
    expect(labels('in')).toEqual(['input', 'inputs', 'Infinity']);
    expect(labels("value('hidden/r")).toEqual(['hidden/relu:0']);
    expect(labels("value('out")).toEqual([]);
    expect(labels("weight('out")).toEqual(['out.kernel', 'out.bias']);
    await r.stepOver();
    expect(labels('outputs.')).toEqual(['out/add:0']);
  });
});
