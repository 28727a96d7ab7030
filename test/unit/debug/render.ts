import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { expect } from 'vitest';
import type { DapDriver } from './dapDriver';
import { REPO } from './dapDriver';

type Event = DebugProtocol.Event;

/** Scopes a golden trace shows for the top frame; Attributes are left out (they never change while stepping). */
const SCOPES = ['Inputs', 'Outputs', 'Weights'] as const;

/** A path as the golden files show it: relative to the repository, with forward slashes. */
export function shortPath(p: string | undefined): string {
  if (!p) return '?';
  return relative(REPO, p).split('\\').join('/');
}

/** `mlp.json:8:5` (or `mlp.json:8:5-17:5` for a frame with a range): where a stack frame points. */
function location(f: DebugProtocol.StackFrame): string {
  if (!f.source) return '(no source)';
  const end = f.endLine === undefined ? '' : `-${f.endLine}:${f.endColumn}`;
  return `${shortPath(f.source.path)}:${f.line}:${f.column}${end}`;
}

/**
 * What VS Code shows after a stop, as text: the stopped event (reason, description, breakpoint ids), the CALL
 * STACK (frame id, name, source range) and the top frame's Inputs, Outputs and Weights, one summary per tensor.
 */
export async function renderStop(d: DapDriver, event: Event): Promise<string> {
  if (event.event === 'terminated') return 'terminated';
  const b = event.body as DebugProtocol.StoppedEvent['body'];
  const ids = b.hitBreakpointIds?.length ? ` [breakpoints ${b.hitBreakpointIds.join(', ')}]` : '';
  const lines = [`stopped: ${b.reason} (${b.description ?? ''})${ids}`];
  const frames = await d.stackTrace();
  for (const f of frames) lines.push(`  #${f.id} ${f.name}  ${location(f)}`);
  const top = frames[0];
  if (top) {
    for (const scope of SCOPES) {
      lines.push(`  ${scope}`);
      const vars = await d.scope(top.id, scope);
      if (vars.length === 0) lines.push('    (none)');
      for (const v of vars) lines.push(`    ${v.name} = ${v.value}`);
    }
  }
  return lines.join('\n');
}

/** `verified line 8 (bound to layer 'hidden')` for each breakpoint of a setBreakpoints/setFunctionBreakpoints answer. */
export function renderBreakpoints(r: DebugProtocol.SetBreakpointsResponse | DebugProtocol.SetFunctionBreakpointsResponse | undefined): string {
  if (!r) return '(not set)';
  if (!r.success) return `error: ${r.message}`;
  return r.body.breakpoints
    .map((bp) => `  #${bp.id ?? '?'} ${bp.verified ? 'verified' : 'unverified'}${bp.line !== undefined ? ` line ${bp.line}` : ''}${bp.message ? ` (${bp.message})` : ''}`)
    .join('\n');
}

/**
 * Runs a script of moves and renders each stop. A step is a DAP request (`stepIn`, `next`, `stepOut`, `stepBack`,
 * `reverseContinue`, `continue`) or `restartFrame NAME`, which restarts the innermost frame whose name starts with NAME.
 * Output events that came with a move (logpoints, errors) are shown before its stop.
 */
export async function runScript(d: DapDriver, first: Event, steps: readonly string[]): Promise<string> {
  const blocks = [`== start\n${await renderStop(d, first)}`];
  for (const step of steps) {
    const [command, arg] = step.split(' ');
    const args: Record<string, unknown> = {};
    if (command === 'restartFrame') {
      const frame = (await d.stackTrace()).find((f) => f.name === arg || f.name.startsWith(`${arg} `));
      if (!frame) throw new Error(`no frame '${arg}' to restart`);
      args.frameId = frame.id;
    }
    const { response, event } = await d.move(command, args);
    const head = response.success ? `== ${step}` : `== ${step} → error: ${response.message}`;
    blocks.push([head, ...renderOutput(d), await renderStop(d, event)].join('\n'));
  }
  return blocks.join('\n\n') + '\n';
}

/** Output events not shown yet: `output(console): hidden: 0.41`. */
export function renderOutput(d: DapDriver): string[] {
  return d.drain('output').map((e) => `output(${(e.body as DebugProtocol.OutputEvent['body']).category ?? 'console'}): ${(e.body as DebugProtocol.OutputEvent['body']).output.trimEnd()}`);
}

const GOLDEN_DIR = join(REPO, 'test', 'golden', 'dap');

/** Compares `text` with test/golden/dap/<name>.txt; with UPDATE_GOLDEN=1 it writes the file instead. */
export function expectGolden(name: string, raw: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  // Messages name files by absolute path; the golden files name them from the repository.
  const text = raw.split(`${REPO}/`).join('');
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`no golden file ${shortPath(file)}; run with UPDATE_GOLDEN=1 to write it`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}
