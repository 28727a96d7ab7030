import type { StopInfo } from '../src/protocol/engine';
import type { SessionView } from '../src/protocol/webview';
import { plural } from './format';

const REASONS: Readonly<Record<StopInfo['reason'], string>> = {
  entry: 'Stopped on entry',
  step: 'Stopped',
  breakpoint: 'Breakpoint',
  'function breakpoint': 'Breakpoint',
  exception: 'Exception',
  pause: 'Paused',
  goto: 'Moved',
  end: 'Finished',
};

/** The status line: what the session is doing, where it stands, and how many what-if edits are in force. Pure. */
export function describeStop(s: (SessionView & { stop?: StopInfo; running: boolean }) | undefined): string {
  if (!s) return 'No Layerstep session';
  const model = s.modelName || 'the model';
  const training = !!s.stop?.training;
  if (s.running) return s.stop ? `${training ? 'Training' : 'Running'} ${model}…` : `Starting ${model}…`;
  const stop = s.stop;
  if (!stop) return `Starting ${model}…`;
  const frame = stop.stack[0];
  const where = frame ? `${stop.point === 'call' ? 'call of' : 'return of'} ${frame.name} (${frame.type})` : `event ${stop.index}`;
  const total = Math.max(s.totalEvents, stop.recorded);
  const isBreakpoint = stop.reason === 'breakpoint' || stop.reason === 'function breakpoint';
  // A breakpoint's description already says what it is (`breakpoint at line 23 (hidden2)`): say it once.
  const reason = stop.exception ? `Exception: ${stop.exception.message}`
    : stop.reason === 'end' ? (training ? 'Finished training' : 'Finished the forward pass')
    : isBreakpoint && stop.description ? capitalize(stop.description)
    : REASONS[stop.reason] ?? 'Stopped';
  const detail = stop.description && !stop.exception && !isBreakpoint && stop.reason !== 'step' && stop.reason !== 'goto' ? ` (${stop.description})` : '';
  const edits = stop.edits ? ` · ✎ ${plural(stop.edits, 'edit')} in force` : '';
  return `${reason}${detail} — ${where}, event ${stop.index + 1} of ${total}${edits}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
