import { templatesOf } from '../model/ir';
import type { Item, Model } from '../model/ir';
import type { Expr } from './expr/ast';
import { namesIn } from './expr/ast';
import { ExpressionError } from './expr/errors';
import { parseExpression } from './expr/parser';
import { parseTemplate, templateNames } from './expr/template';
import type { TemplatePart } from './expr/template';
import { globMatcher } from './glob';
import { parseHitCondition } from './hitCondition';
import type { HitTest } from './hitCondition';
import { bindLine } from './lineBinding';
import type { BreakpointOptions, BreakpointStatus, LineBreakpoint, NameBreakpoint, StopPoint } from './types';

/** A breakpoint the runner accepted: what it matches, where it is checked, and its parsed options. */
export interface ActiveBreakpoint {
  readonly id: number;
  readonly kind: 'line' | 'name';
  /** For stop descriptions: `line 5 (hidden)`, `'block*'`. */
  readonly label: string;
  /** Checked at the call event, or at the return when its condition or message reads `output`/`outputs`. */
  readonly point: StopPoint;
  readonly matches: (item: Item) => boolean;
  readonly condition?: Expr;
  readonly hit?: HitTest;
  readonly log?: readonly TemplatePart[];
  /** How often its condition has held; counted on forward moves only. */
  hits: number;
}

/** Line and name breakpoints, each set replaced whole as DAP's setBreakpoints / setFunctionBreakpoints do. */
export class Breakpoints {
  private lines: ActiveBreakpoint[] = [];
  private names: ActiveBreakpoint[] = [];
  private nextId = 1;

  constructor(private readonly model: Model) {}

  setLine(bps: readonly LineBreakpoint[]): BreakpointStatus[] {
    this.lines = [];
    return bps.map((bp) => {
      const id = this.nextId++;
      const item = bindLine(this.model.root, bp.line);
      if (!item?.source) {
        return { id, verified: false, message: `line ${bp.line} is not inside a layer of ${this.model.file}` };
      }
      const what = `${item.kind === 'module' ? 'layer' : 'op'} '${item.name}'`;
      const options = parseOptions(bp);
      if (typeof options === 'string') return { id, verified: false, message: options, line: item.source.startLine };
      const mirror = this.model.mirror;
      const matches = (i: Item): boolean => i === item || mirror?.get(i) === item;
      this.lines.push({ id, kind: 'line', label: `line ${item.source.startLine} (${item.name})`, matches, ...options, hits: 0 });
      return { id, verified: true, message: `bound to ${what}`, line: item.source.startLine };
    });
  }

  setName(bps: readonly NameBreakpoint[]): BreakpointStatus[] {
    this.names = [];
    return bps.map((bp) => {
      const id = this.nextId++;
      const match = globMatcher(bp.name);
      const own = (i: Item): boolean => match(i.name) || match(i.id);
      // In a training step a layer's gradient stops where the layer does.
      const mirror = this.model.mirror;
      const matches = (i: Item): boolean => own(i) || (mirror !== undefined && mirror.has(i) && own(mirror.get(i)!));
      const count = countItems(this.model.root, matches);
      if (count === 0) return { id, verified: false, message: `no layer or op named '${bp.name}'` };
      const options = parseOptions(bp);
      if (typeof options === 'string') return { id, verified: false, message: options };
      this.names.push({ id, kind: 'name', label: `'${bp.name}'`, matches, ...options, hits: 0 });
      return { id, verified: true, message: `matches ${count} ${count === 1 ? 'layer or op' : 'layers and ops'}` };
    });
  }

  /**
   * The breakpoints checked at this event, line breakpoints first. A name breakpoint that matches both a module
   * and an op of the same name directly in it (an inferred layer is named after its first op) stops at the
   * module only, not twice.
   */
  at(item: Item, point: StopPoint, parent?: Item): ActiveBreakpoint[] {
    const out: ActiveBreakpoint[] = [];
    for (const bp of this.lines) if (bp.point === point && bp.matches(item)) out.push(bp);
    const echo = (bp: ActiveBreakpoint): boolean => parent !== undefined && parent.name === item.name && bp.matches(parent);
    for (const bp of this.names) if (bp.point === point && bp.matches(item) && !echo(bp)) out.push(bp);
    return out;
  }
}

type ParsedOptions = Pick<ActiveBreakpoint, 'point' | 'condition' | 'hit' | 'log'>;

/** Parses condition, hit condition and log message up front, so a typo shows as an unverified breakpoint. */
function parseOptions(bp: BreakpointOptions): ParsedOptions | string {
  let condition: Expr | undefined;
  let log: TemplatePart[] | undefined;
  let hit: HitTest | undefined;
  const reads = new Set<string>();
  try {
    if (bp.condition?.trim()) {
      condition = parseExpression(bp.condition);
      namesIn(condition, reads);
    }
  } catch (e) {
    if (e instanceof ExpressionError) return `condition '${bp.condition}': ${e.message}`;
    throw e;
  }
  try {
    if (bp.logMessage) {
      log = parseTemplate(bp.logMessage);
      for (const n of templateNames(log)) reads.add(n);
    }
  } catch (e) {
    if (e instanceof ExpressionError) return `log message '${bp.logMessage}': ${e.message}`;
    throw e;
  }
  if (bp.hitCondition?.trim()) {
    const h = parseHitCondition(bp.hitCondition);
    if (typeof h === 'string') return h;
    hit = h;
  }
  const point: StopPoint = reads.has('output') || reads.has('outputs') ? 'return' : 'call';
  return { point, condition, hit, log };
}

/** Items that match, the bodies of control flow (branches, loop bodies) included: they run as copies of them. */
function countItems(item: Item, pred: (i: Item) => boolean): number {
  let n = pred(item) ? 1 : 0;
  if (item.kind === 'module') {
    for (const c of item.body) n += countItems(c, pred);
    for (const t of templatesOf(item)) for (const c of t.module.body) n += countItems(c, pred);
  }
  return n;
}
