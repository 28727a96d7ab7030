import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import { DapDriver, REPO } from './dapDriver';
import { expectGolden, renderBreakpoints, renderOutput, renderStop, runScript } from './render';

/**
 * Golden DAP traces: a scripted session rendered as VS Code would show it after each stop (CALL STACK, and the
 * top frame's Inputs, Outputs and Weights), compared with test/golden/dap/<name>.txt. `UPDATE_GOLDEN=1` rewrites them.
 */

const FIXTURES = 'test/fixtures/dap';
const MNIST = 'examples/mnist-mlp/model.json';

/** The 1-based line of the first line of `file` that contains `text` after line `after`. */
function lineOf(file: string, text: string, after = 0): number {
  const lines = readFileSync(join(REPO, file), 'utf8').split('\n');
  const i = lines.findIndex((l, n) => n >= after && l.includes(text));
  if (i < 0) throw new Error(`'${text}' is not in ${file}`);
  return i + 1;
}

async function exceptionInfo(d: DapDriver): Promise<string> {
  const r = await d.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 1 });
  return `exceptionInfo: ${r.body.exceptionId}: ${r.body.description} (${r.body.breakMode})`;
}

describe('golden DAP traces', () => {
  it.skipIf(!existsSync(join(REPO, MNIST)))('steps through the mnist-mlp example in, over, out, back and by restarting a frame', async () => {
    const d = new DapDriver();
    await d.launch({ model: MNIST, stopOnEntry: true });
    const first = await d.nextStop();
    const text = await runScript(d, first, [
      'stepIn', 'stepIn', 'next', 'stepIn', 'stepOut', 'next', 'stepIn', 'restartFrame hidden2', 'stepBack',
      'reverseContinue', 'continue', 'stepBack',
    ]);
    expectGolden('mnist-mlp-steps', text);
  });

  it('steps into, over and out of a residual block and its shortcut', async () => {
    const d = new DapDriver();
    await d.launch({ model: `${FIXTURES}/residual.json`, input: 'random', seed: 0, stopOnEntry: true });
    const first = await d.nextStop();
    const text = await runScript(d, first, [
      'stepIn', 'stepIn', 'next', 'next', 'next', 'stepIn', 'stepIn', 'stepOut', 'stepOut', 'next', 'stepOut',
      'reverseContinue',
    ]);
    expectGolden('residual-steps', text);
  });

  it('stops at function breakpoints by glob in the residual block, with hit counts', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: `${FIXTURES}/residual.json`, input: 'random', seed: 0 }, {
      functionBreakpoints: [{ name: 'conv_*' }, { name: 'block/*/conv', hitCondition: '>= 2' }, { name: 'nothing*' }],
    });
    const first = await d.nextStop();
    const text = await runScript(d, first, ['continue', 'continue', 'continue', 'continue', 'reverseContinue']);
    expectGolden('residual-function-breakpoints', `setFunctionBreakpoints\n${renderBreakpoints(c.functionBreakpoints)}\n\n${text}`);
  });

  it('stops where a log of a negative number makes a NaN, not where it is passed on', async () => {
    const d = new DapDriver();
    await d.launch({ model: `${FIXTURES}/nan.json` });
    const first = await d.nextStop();
    const info = await exceptionInfo(d);
    const text = await runScript(d, first, ['stepIn', 'continue', 'reverseContinue']);
    expectGolden('nan', `${info}\n\n${text}`);
  });

  it('stops at an op that fails while the model runs and cannot pass it', async () => {
    const d = new DapDriver();
    await d.launch({ model: `${FIXTURES}/bad-ids.json` });
    const first = await d.nextStop();
    const info = await exceptionInfo(d);
    const text = await runScript(d, first, ['continue', 'stepBack', 'stepIn', 'stepIn']);
    expectGolden('engine-error', `${info}\n\n${text}`);
  });

  it('binds, moves and refuses gutter breakpoints, and honours conditions, hit counts, logpoints and globs', async () => {
    const model = `${FIXTURES}/mlp.json`;
    const path = join(REPO, model);
    const outStart = lineOf(model, '"name": "out"') - 1;
    const d = new DapDriver();
    const configured = await d.launch({ model, input: 'first' }, {
      breakpoints: {
        [path]: [
          { line: lineOf(model, '"format"') },
          { line: lineOf(model, '"name": "hidden"'), logMessage: '{name} returns max {output.max()}, {hasNaN(output)}' },
          { line: lineOf(model, '"type": "dense"') },
          { line: lineOf(model, '"units": 2', outStart), condition: 'output.max() > 0' },
        ],
        [join(REPO, 'package.json')]: [{ line: 3 }],
      },
      functionBreakpoints: [{ name: 'o?t' }, { name: 'matmul', hitCondition: '2' }, { name: 'missing' }],
    });
    const head = [
      `setBreakpoints ${model}`, renderBreakpoints(configured.breakpoints[path]),
      'setBreakpoints package.json', renderBreakpoints(configured.breakpoints[join(REPO, 'package.json')]),
      'setFunctionBreakpoints', renderBreakpoints(configured.functionBreakpoints),
    ].join('\n');
    const first = await d.nextStop();
    const text = await runScript(d, first, ['continue', 'continue', 'continue', 'continue', 'reverseContinue', 'reverseContinue']);
    expectGolden('mlp-breakpoints', `${head}\n\n${text}`);
  });

  it('writes a logpoint to the Debug Console and does not stop there', async () => {
    const model = `${FIXTURES}/mlp.json`;
    const d = new DapDriver();
    await d.launch({ model }, {
      breakpoints: { [join(REPO, model)]: [{ line: lineOf(model, '"units": 3'), logMessage: '{name}: {output}' }] },
    });
    const stop = await d.nextStop();
    expect((stop.body as DebugProtocol.StoppedEvent['body']).description).toBe('Forward pass finished');
    expect(renderOutput(d)).toEqual(['output(console): hidden: float32[1,3] [1.7, 0, 2.15]']);
    expect(await renderStop(d, stop)).toContain('mlp (model) ↩ return');
  });
});
