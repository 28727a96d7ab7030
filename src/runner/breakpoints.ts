import { templatesOf } from '../model/ir';
import type { Item, Model } from '../model/ir';
import type { Expr } from './expr/ast';
import { namesIn } from './expr/ast';
import { ExpressionError } from './expr/errors';
import { parseExpression } from './expr/parser';
import { parseTemplate, templateNames } from './expr/template';
import type { TemplatePart } from './expr/template';
import { baseName } from './errors';
import { globMatcher } from './glob';
import { parseHitCondition } from './hitCondition';
import type { HitTest } from './hitCondition';
import { bindLine } from './lineBinding';
import type { BreakpointOptions, BreakpointStatus, LineBreakpoint, NameBreakpoint, StopPoint } from './types';

/**
 * Where a line breakpoint stops (DAP breakpoint modes): `call` at the layer's call (its inputs ready), `return` at
 * its return (its outputs ready). Left out: at the call, or at the return when its condition or log message reads
 * `output`/`outputs`.
 */
export type BreakpointMode = 'call' | 'return';

export interface ModedLineBreakpoint extends LineBreakpoint {
  readonly mode?: BreakpointMode;
}

/** A function breakpoint named `type:PATTERN` stops at layers and ops of a type (see {@link typeMatcher}). */
export const TYPE_PREFIX = 'type:';

/** A breakpoint the runner accepted: what it matches, where it is checked, and its parsed options. */
export interface ActiveBreakpoint {
  readonly id: number;
  readonly kind: 'line' | 'name' | 'type';
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

  setLine(bps: readonly ModedLineBreakpoint[]): BreakpointStatus[] {
    this.lines = [];
    return bps.map((bp) => {
      const id = this.nextId++;
      const item = bindLine(this.model.root, bp.line);
      if (!item?.source) {
        return { id, verified: false, message: `line ${bp.line} is not inside a layer of ${this.model.file}` };
      }
      const what = `${item.kind === 'module' ? 'layer' : 'op'} '${item.name}'`;
      const options = parseOptions(bp, bp.mode);
      if (typeof options === 'string') return { id, verified: false, message: options, line: item.source.startLine };
      const mirror = this.model.mirror;
      const matches = (i: Item): boolean => i === item || mirror?.get(i) === item;
      const label = `line ${item.source.startLine} (${item.name})${bp.mode === 'return' ? ' at its return' : ''}`;
      this.lines.push({ id, kind: 'line', label, matches, ...options, hits: 0 });
      const at = bp.mode === 'return' ? ', at its return' : bp.mode === 'call' ? ', at its call' : '';
      return { id, verified: true, message: `bound to ${what}${at}`, line: item.source.startLine };
    });
  }

  setName(bps: readonly NameBreakpoint[]): BreakpointStatus[] {
    this.names = [];
    return bps.map((bp) => {
      const id = this.nextId++;
      if (bp.name.trim().toLowerCase().startsWith(TYPE_PREFIX)) return this.addType(id, bp);
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
   * A type breakpoint (`type:Conv`, `type:conv*`): every layer and op of a matching type (see {@link typeMatcher}).
   * An op directly inside a layer of a matching type (a conv2d layer's conv op) does not stop again.
   */
  private addType(id: number, bp: NameBreakpoint): BreakpointStatus {
    const pattern = bp.name.trim().slice(TYPE_PREFIX.length).trim();
    if (!pattern) return { id, verified: false, message: "'type:' needs a layer or op type after it, e.g. type:Conv or type:conv*" };
    const own = typeMatcher(pattern);
    const mirror = this.model.mirror;
    const matches = (i: Item): boolean => own(i) || (mirror !== undefined && mirror.has(i) && own(mirror.get(i)!));
    let layers = 0;
    let ops = 0;
    walkItems(this.model.root, undefined, (item, parent) => {
      if (item === this.model.root || !matches(item) || (item.kind === 'node' && parent && matches(parent))) return;
      if (item.kind === 'module') layers++;
      else ops++;
    });
    if (layers + ops === 0) {
      const types = modelTypes(this.model.root);
      return { id, verified: false, message: `no layer or op of type '${pattern}' in ${baseName(this.model.file)}; its types are ${types.slice(0, 20).join(', ')}${types.length > 20 ? ', …' : ''}` };
    }
    const options = parseOptions(bp);
    if (typeof options === 'string') return { id, verified: false, message: options };
    this.names.push({ id, kind: 'type', label: `type '${pattern}'`, matches, ...options, hits: 0 });
    const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
    const what = [layers ? count(layers, 'layer', 'layers') : '', ops ? count(ops, 'op', 'ops') : ''].filter(Boolean).join(' and ');
    return { id, verified: true, message: `${what} of type '${pattern}'` };
  }

  /**
   * The breakpoints checked at this event, line breakpoints first. A name breakpoint that matches both a module
   * and an op of the same name directly in it (an inferred layer is named after its first op) stops at the
   * module only, not twice.
   */
  at(item: Item, point: StopPoint, parent?: Item): ActiveBreakpoint[] {
    const out: ActiveBreakpoint[] = [];
    for (const bp of this.lines) if (bp.point === point && bp.matches(item)) out.push(bp);
    const echo = (bp: ActiveBreakpoint): boolean => parent !== undefined && bp.matches(parent)
      && (bp.kind === 'type' ? item.kind === 'node' : parent.name === item.name);
    for (const bp of this.names) if (bp.point === point && bp.matches(item) && !echo(bp)) out.push(bp);
    return out;
  }
}

type ParsedOptions = Pick<ActiveBreakpoint, 'point' | 'condition' | 'hit' | 'log'>;

/** Parses condition, hit condition and log message up front, so a typo shows as an unverified breakpoint. */
function parseOptions(bp: BreakpointOptions, mode?: BreakpointMode): ParsedOptions | string {
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
  const readsOutput = reads.has('output') || reads.has('outputs');
  if (mode === 'call' && readsOutput) {
    return `a breakpoint at a layer's call cannot read 'output': its ${condition ? 'condition' : 'log message'} needs the At return mode`;
  }
  const point: StopPoint = mode ?? (readsOutput ? 'return' : 'call');
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

/** Visits every item with its parent, the bodies of control flow included. */
function walkItems(item: Item, parent: Item | undefined, visit: (item: Item, parent: Item | undefined) => void): void {
  visit(item, parent);
  if (item.kind === 'module') {
    for (const c of item.body) walkItems(c, item, visit);
    for (const t of templatesOf(item)) for (const c of t.module.body) walkItems(c, item, visit);
  }
}

/**
 * The type names of a layer or op: a layer's type as its file writes it (`conv2d`, `Conv2D`, `dense`), an op's
 * name in the engine (`conv`, `matmul`) and as its file writes it (ONNX `Conv`, `MatMul`). The model's own
 * frame has none.
 */
export function typeNames(item: Item): string[] {
  if (item.kind === 'module') return [item.type];
  return item.origin && item.origin.op !== item.op ? [item.op, item.origin.op] : [item.op];
}

/** A type name and the forms a `type:` pattern also matches: lower case, no leading `_`, no `1d`/`2d`/`3d` suffix. */
function typeForms(name: string): string[] {
  const lower = name.toLowerCase().replace(/^_+/, '');
  const bare = lower.replace(/[123]d$/, '');
  return bare && bare !== lower ? [lower, bare] : [lower];
}

/**
 * Does a `type:` pattern match an item? The pattern (a glob: `conv*`, `*pool*`) is compared, ignoring case, with
 * each of the item's {@link typeNames}, also without a dimension suffix or a leading `_`: so `type:conv` matches
 * conv2d layers, Conv2D layers, conv ops and ONNX Conv nodes, and `type:maxpool` matches maxPool2d layers and
 * MaxPool nodes.
 */
export function typeMatcher(pattern: string): (item: Item) => boolean {
  const match = globMatcher(pattern.toLowerCase());
  return (item) => typeNames(item).some((t) => typeForms(t).some(match));
}

/** The distinct type names of a model's layers and ops (the root left out), for a sentence that lists them. */
function modelTypes(root: Item): string[] {
  const types = new Set<string>();
  walkItems(root, undefined, (item) => {
    if (item !== root) types.add(typeNames(item)[typeNames(item).length - 1]);
  });
  return [...types].sort((a, b) => a.localeCompare(b));
}
