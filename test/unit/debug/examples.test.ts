import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops/index';
import type { EvalResult, TensorValues } from '../../../src/protocol/engine';
import { DapDriver, REPO } from './dapDriver';
import { expectGolden, runScript } from './render';

/** The examples a new user opens first; each is debugged as VS Code would, with a golden trace of its first steps. */
const EXAMPLES = ['linear-regression', 'xor', 'mnist-mlp', 'small-cnn', 'residual-block', 'tiny-transformer', 'rnn'];
const STEPS = ['stepIn', 'stepIn', 'stepIn', 'next', 'stepOut', 'next', 'stepBack', 'reverseContinue', 'continue'];

const modelOf = (name: string) => `examples/${name}/model.json`;
const present = EXAMPLES.filter((n) => existsSync(join(REPO, modelOf(n))));

/** Op names a model.json's layers need that the engine lacks, read from the outline the session sends. */
function missingOps(outline: { root: { kind: string; type: string; children: unknown[] } }): string[] {
  const ops = new Set<string>();
  const visit = (n: { kind: string; type: string; children: unknown[] }) => {
    if (n.kind === 'node') ops.add(n.type);
    n.children.forEach((c) => visit(c as typeof n));
  };
  visit(outline.root);
  return [...ops].filter((op) => !defaultOps.has(op));
}

describe.each(present)('example %s in a debug session', (name) => {
  it('steps as in its golden trace and runs to the end with its expected outputs', async (ctx) => {
    const d = new DapDriver();
    const c = await d.launch({ model: modelOf(name), stopOnEntry: true });
    expect(c.launch.success, c.launch.message).toBe(true);
    const [opened] = d.events('layerstep.opened');
    const missing = missingOps((opened.body as { outline: Parameters<typeof missingOps>[0] }).outline);
    if (missing.length) {
      console.warn(`example ${name} waits for engine ops: ${missing.join(', ')}`);
      ctx.skip();
    }
    const first = await d.nextStop();
    const text = await runScript(d, first, STEPS);
    expectGolden(`examples/${name}`, text);
    expect(text).toContain('stopped: step (Forward pass finished)');

    // The output at the end matches what TensorFlow.js computed for the first example (examples/*/expected.json).
    const expected = JSON.parse(readFileSync(join(REPO, `examples/${name}/expected.json`), 'utf8')) as unknown;
    const want = firstOutput(expected);
    if (!want) return;
    const frameId = (await d.stackTrace())[0].id;
    const shown = await d.evaluate('output', 'repl', frameId);
    // A one-element tensor shows its value in its summary and has no children.
    const leaves = shown.body.variablesReference
      ? await leafValues(d, shown.body.variablesReference)
      : [Number(/\[([^\]]+)\]$/.exec(shown.body.result)?.[1])];
    expect(leaves).toHaveLength(want.length);
    // VARIABLES shows four significant digits; the panel's tensor request gives the values themselves.
    leaves.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(want[i]))));
    const result = await d.engine<EvalResult>('evaluate', { expression: 'output', frameId });
    const exact = await d.engine<TensorValues>('tensor', { name: result.body.tensor!.name, start: 0, count: want.length });
    Array.from(exact.body.values).forEach((v, i) => expect(Math.abs(Number(v) - want[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[i]))));
  });
});

/** The flat data of the first output of the first example in expected.json, whatever its exact layout. */
function firstOutput(expected: unknown): number[] | undefined {
  const find = (v: unknown): number[] | undefined => {
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.data) && Array.isArray(o.shape)) return (o.data as unknown[]).map(Number);
      for (const x of Array.isArray(v) ? v : Object.values(o)) {
        const r = find(x);
        if (r) return r;
      }
    }
    return undefined;
  };
  return find(expected);
}

/** Every scalar under a variable, in order, read through `variables` requests as VS Code expands them. */
async function leafValues(d: DapDriver, ref: number): Promise<number[]> {
  const vars: DebugProtocol.Variable[] = await d.variables(ref);
  const out: number[] = [];
  for (const v of vars) {
    if (v.variablesReference) out.push(...await leafValues(d, v.variablesReference));
    else out.push(Number(v.value));
  }
  return out;
}
