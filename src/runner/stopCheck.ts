import type { SourceRange } from '../model/ir';
import type { ActiveBreakpoint } from './breakpoints';
import { evaluate, truthy } from './expr/evaluate';
import type { EvalScope } from './expr/evaluate';
import { renderTemplate } from './expr/template';
import { formatValue, toValue } from './format';

/** `breakpoint at line 5 (hidden)`, `function breakpoint 'block*'`. */
export function describeBreakpoint(bp: ActiveBreakpoint): string {
  return bp.kind === 'line' ? `breakpoint at ${bp.label}` : `function breakpoint ${bp.label}`;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * A breakpoint met on a forward move: its condition must hold, then the hit counts, then the hit condition
 * must pass; a logpoint then writes its message instead of stopping. Returns why it stops, or undefined.
 * A condition that fails to evaluate stops, saying so, rather than being silently false.
 */
export function checkForward(bp: ActiveBreakpoint, scope: EvalScope, log: (text: string, source?: SourceRange) => void, source?: SourceRange): string | undefined {
  if (bp.condition) {
    try {
      if (!truthy(evaluate(bp.condition, scope))) return undefined;
    } catch (e) {
      return `${describeBreakpoint(bp)}: its condition failed: ${messageOf(e)}`;
    }
  }
  bp.hits++;
  if (bp.hit && !bp.hit(bp.hits)) return undefined;
  if (bp.log) {
    log(renderTemplate(bp.log, (expr) => {
      try {
        return formatValue(toValue(evaluate(expr, scope)));
      } catch (e) {
        return `<${messageOf(e)}>`;
      }
    }), source);
    return undefined;
  }
  return describeBreakpoint(bp);
}

/** A breakpoint met moving backwards: conditions only; logpoints never stop and hit counts stay as they are. */
export function checkBackward(bp: ActiveBreakpoint, scope: EvalScope): string | undefined {
  if (bp.log) return undefined;
  if (bp.condition) {
    try {
      if (!truthy(evaluate(bp.condition, scope))) return undefined;
    } catch {
      return undefined;
    }
  }
  return describeBreakpoint(bp);
}
