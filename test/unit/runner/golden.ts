import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { Runner } from '../../../src/runner/runner';
import { formatEvent, formatStack, formatStop } from '../../../src/runner/trace';
import type { StopEvent } from '../../../src/runner/types';

/**
 * One step of a golden script: `in` `over` `out` `continue` `back` `reverse`, `restart N` (frame id),
 * `goto N` (event index), `runTo GLOB`, `break GLOB` (adds a name breakpoint; the set is cumulative).
 */
export type Step = string;

const GOLDEN_DIR = join(__dirname, '..', '..', 'golden');

/**
 * Runs a step script and returns its transcript: for each step the command and how it stopped, the event
 * line at the new position (`formatEvent`) and the stack (`formatStack`). A step that rejects prints its error.
 */
export async function runScript(runner: Runner, steps: readonly Step[]): Promise<string> {
  const blocks = [block('start', { reason: 'entry', position: runner.position }, runner)];
  const breaks: { name: string }[] = [];
  for (const step of steps) {
    const [cmd, arg = ''] = splitStep(step);
    if (cmd === 'break') {
      breaks.push({ name: arg });
      const st = runner.setNameBreakpoints(breaks);
      blocks.push(`== ${step}: ${st[st.length - 1].verified ? 'verified' : 'unverified'} (${st[st.length - 1].message ?? ''})`);
      continue;
    }
    try {
      blocks.push(block(step, await move(runner, cmd, arg), runner));
    } catch (e) {
      blocks.push(`== ${step} → rejected: ${e instanceof Error ? e.message : String(e)}\n${formatStack(runner)}`);
    }
  }
  return blocks.join('\n\n') + '\n';
}

function splitStep(step: string): [string, string?] {
  const cut = step.indexOf(' ');
  return cut === -1 ? [step] : [step.slice(0, cut), step.slice(cut + 1)];
}

function move(r: Runner, cmd: string, arg: string): Promise<StopEvent> {
  switch (cmd) {
    case 'in': return r.stepIn();
    case 'over': return r.stepOver();
    case 'out': return r.stepOut();
    case 'continue': return r.continue();
    case 'back': return r.stepBack();
    case 'reverse': return r.reverseContinue();
    case 'restart': return r.restartFrame(Number(arg));
    case 'goto': return r.goto(Number(arg));
    case 'runTo': return r.runTo(arg);
    default: throw new Error(`unknown golden step '${cmd}'`);
  }
}

function block(step: string, stop: StopEvent, r: Runner): string {
  return `== ${step} → ${formatStop(stop)}\n${formatEvent(r, r.position).trimStart()}\n${formatStack(r)}`;
}

/** Every event of a whole forward pass, one `formatEvent` line each: what `layerstep trace` prints. */
export async function fullTrace(runner: Runner): Promise<string> {
  const lines = [formatEvent(runner, runner.position)];
  for (;;) {
    const stop = await runner.stepIn();
    lines.push(formatEvent(runner, runner.position));
    if (stop.reason === 'end' || stop.reason === 'exception') break;
  }
  return lines.join('\n') + '\n';
}

/**
 * Compares `text` with test/golden/<name>.txt. With UPDATE_GOLDEN=1 in the environment it writes the file
 * instead; a missing file is a failure that says how to create it.
 */
export function expectGolden(name: string, text: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`no golden file ${file}; run with UPDATE_GOLDEN=1 to write it`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}
