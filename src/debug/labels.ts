import type { FrameInfo, StopInfo } from '../protocol/engine';

/** A CALL STACK row: `hidden (dense)` for a module, `matmul` for an op, with `↩` at a return stop. */
export function frameLabel(f: FrameInfo, atReturn: boolean): string {
  const base = f.kind === 'module' ? (f.depth === 0 ? `${f.name} (model)` : `${f.name} (${f.type})`) : f.name === f.type ? f.name : `${f.name} [${f.type}]`;
  return atReturn ? `${base} ↩ return` : base;
}

/** The text VS Code shows for a stop ("Paused on …"). */
export function describeStop(stop: StopInfo): string {
  if (stop.reason === 'end') return 'Forward pass finished';
  if (stop.description) return stop.description;
  const top = stop.stack[0];
  const where = top ? `${stop.point === 'call' ? 'call of' : 'return from'} ${top.name}` : '';
  switch (stop.reason) {
    case 'entry': return 'Paused on entry';
    case 'breakpoint':
    case 'function breakpoint': return `Breakpoint: ${where}`;
    case 'exception': return stop.exception?.message ?? 'Exception';
    default: return where;
  }
}
