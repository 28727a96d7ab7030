import type { FrameInfo, StopInfo } from '../protocol/engine';

/** A CALL STACK row: `hidden (dense)` for a module, `matmul` for an op, with `↩` at a return stop. */
export function frameLabel(f: FrameInfo, atReturn: boolean): string {
  const base = f.kind === 'module' ? (f.depth === 0 ? `${f.name} (model)` : `${f.name} (${f.type})`) : f.name === f.type ? f.name : `${f.name} [${f.type}]`;
  return atReturn ? `${base} ↩ return` : base;
}

/**
 * The text VS Code shows for a stop, beside the session in CALL STACK: it says plainly that the run is paused
 * (and why and where) or finished. VS Code itself says "Running" while a move is under way.
 */
export function describeStop(stop: StopInfo): string {
  if (stop.reason === 'end') return 'Forward pass finished';
  const top = stop.stack[0];
  const where = top ? `${stop.point === 'call' ? 'call of' : 'return from'} ${top.name}` : 'the model';
  switch (stop.reason) {
    case 'entry': return 'Paused on entry';
    case 'breakpoint':
    case 'function breakpoint': return `Paused on ${stop.description || `breakpoint at ${where}`}`;
    case 'exception': return `Paused on exception: ${stop.exception?.message ?? stop.description ?? 'the engine failed'}`;
    default: return stop.description ? `Paused: ${stop.description}` : `Paused at ${where}`;
  }
}
