import type { FrameInfo, StopInfo } from '../protocol/engine';

/** A CALL STACK row: `hidden (dense)` for a module, `matmul` for an op, `✎ edited` when an edit changed it, with `↩` at a return stop. */
export function frameLabel(f: FrameInfo, atReturn: boolean): string {
  const base = f.kind === 'module' ? (f.depth === 0 ? `${f.name} (model)` : `${f.name} (${f.type})`) : f.name === f.type ? f.name : `${f.name} [${f.type}]`;
  const marked = f.edited ? `${base} ✎ edited` : base;
  return atReturn ? `${marked} ↩ return` : marked;
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

/** A divergence as one line: `max abs 0.031 · max rel 0.2 · cosine 0.9991`, with `diverged` when beyond the tolerance. */
export function divergenceText(d: { maxAbs: number | null; maxRel: number | null; cosine: number | null; diverged: boolean }): string {
  const n = (x: number | null): string => (x === null ? 'n/a (shapes differ)' : Number.isInteger(x) ? String(x) : x.toPrecision(3));
  const text = d.maxAbs === null ? 'shapes differ' : `max abs ${n(d.maxAbs)} · max rel ${n(d.maxRel)} · cosine ${n(d.cosine)}`;
  return d.diverged ? `${text} — diverged` : `${text} — agrees`;
}
