import { allocate, stridesOf, Tensor } from '../engine/tensor';
import type { Expr, IndexItem } from './expr/ast';
import { ExpressionError } from './expr/errors';
import { evaluate } from './expr/evaluate';
import type { EvalScope } from './expr/evaluate';
import type { ResolvedIndex } from './expr/indexing';
import { picksFor } from './expr/indexing';
import { parseExpression } from './expr/parser';
import { kindOf } from './expr/values';
import type { Val } from './expr/values';
import { RunnerError } from './errors';

/**
 * What-if edits: assignments to a value or a weight, in the tensor expression language (`output[0, 3] = 0`,
 * `output[:, 5] = 0`, `weights.kernel *= 0.5`, `value('h/relu:0') *= 2`, `weight('fc1.weight')[0, 0] = 0`).
 * An edit never changes a tensor in place: it makes a new one, so the model as loaded and the values recorded
 * before stay as they were and Revert only has to forget the edits. A weight or model input edit applies before
 * anything reads it; a value edit is a standing rule, applied every time its node produces it (and when the value
 * is recomputed), before anything reads it.
 */

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=';

/** What an edit changes: a produced value, a weight, or a model input (given, like a weight). */
export interface EditTarget {
  readonly kind: 'value' | 'weight' | 'input';
  readonly name: string;
}

/** An assignment ready to apply: its operand evaluated (or evaluated when first applied, for the command line). */
export interface Edit {
  /** As the user wrote it. */
  readonly text: string;
  readonly target: EditTarget;
  /** The part of the tensor it changes; undefined for the whole tensor. */
  readonly index?: readonly ResolvedIndex[];
  readonly op: AssignOp;
  readonly operand: Tensor | number | (() => Tensor | number);
}

/** An assignment's text cut at its operator: both sides still text. */
export interface AssignmentParts {
  readonly lhs: string;
  readonly op: AssignOp;
  readonly rhs: string;
}

/**
 * Cuts `text` at its assignment operator (`=`, `+=`, `-=`, `*=`, `/=` outside strings, brackets and
 * parentheses, and not part of `==`, `<=`, `>=` or `!=`); undefined when it assigns nothing.
 */
export function splitAssignment(text: string): AssignmentParts | undefined {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '=' && depth === 0) {
      if (text[i + 1] === '=') { i++; continue; }
      const prev = text[i - 1] ?? '';
      if (prev === '<' || prev === '>' || prev === '!' || prev === '=') continue;
      if (prev === '*' && text[i - 2] === '*') throw new ExpressionError("'**=' is not an assignment Layerstep makes; write x = x ** y", i - 1);
      const compound = prev === '+' || prev === '-' || prev === '*' || prev === '/';
      const op = (compound ? `${prev}=` : '=') as AssignOp;
      return { lhs: text.slice(0, compound ? i - 1 : i).trim(), op, rhs: text.slice(i + 1).trim() };
    }
  }
  return undefined;
}

/** True when `text` is an assignment rather than an expression to evaluate. */
export function isAssignment(text: string): boolean {
  try {
    return splitAssignment(text) !== undefined;
  } catch {
    return true;
  }
}

/** How the left side of an assignment names its tensor, in a frame or on the command line. */
export interface TargetResolver {
  /** A bare identifier: `output`, `input`, a value or weight named like an identifier. */
  name(id: string): EditTarget | undefined;
  /** `inputs.x`, `outputs['y']`, `weights.kernel`, `inputs[0]`: undefined when `collection` is no collection here. */
  member(collection: string, key: string | number): EditTarget | undefined;
  /** `value('NAME')`: throws a sentence when the run has no such value. */
  value(name: string): EditTarget;
  /** `weight('NAME')`: throws a sentence when the model has no such weight. */
  weight(name: string): EditTarget;
}

/** The tensor an assignment's left side names, and the part of it. */
function targetOf(lhs: Expr, resolver: TargetResolver, scope: EvalScope): { target: EditTarget; index?: ResolvedIndex[] } {
  const whole = baseTarget(lhs, resolver);
  if (whole) return { target: whole };
  // `x[0][3]` (how VARIABLES names an element) is `x[0, 3]`: integer indices drop their axes, so the next picks the next axis.
  const chain: (readonly IndexItem[])[] = [];
  let e: Expr = lhs;
  while (e.kind === 'index' && !baseTarget(e, resolver)) {
    chain.unshift(e.items);
    e = e.object;
  }
  if (chain.length && chain.slice(0, -1).every((items) => items.every((it) => it.kind === 'at'))) {
    const base = baseTarget(e, resolver);
    if (base) return { target: base, index: chain.flat().map((it) => resolveIndex(it, scope)) };
  }
  throw new ExpressionError(`the left side of an assignment must name a value or a weight (output, input, weights.kernel, value('NAME'), weight('NAME'), optionally indexed), not this expression`, lhs.col);
}

function baseTarget(e: Expr, resolver: TargetResolver): EditTarget | undefined {
  switch (e.kind) {
    case 'name': {
      const t = resolver.name(e.name);
      if (!t) throw new ExpressionError(`there is no value or weight named '${e.name}' here`, e.col);
      return t;
    }
    case 'member':
      return e.object.kind === 'name' ? resolver.member(e.object.name, e.property) : undefined;
    case 'call': {
      if (e.object || (e.callee !== 'value' && e.callee !== 'weight')) return undefined;
      const [arg] = e.args;
      if (e.args.length !== 1 || arg.kind !== 'string') throw new ExpressionError(`${e.callee}(...) takes one name in quotes here`, e.col);
      return e.callee === 'value' ? resolver.value(arg.value) : resolver.weight(arg.value);
    }
    case 'index': {
      // `outputs['y']` or `inputs[0]` names a tensor; `output[0, 3]` is part of one.
      if (e.object.kind !== 'name' || e.items.length !== 1 || e.items[0].kind !== 'at') return undefined;
      const key = e.items[0].expr;
      if (key.kind !== 'string' && key.kind !== 'number') return undefined;
      return resolver.member(e.object.name, key.value);
    }
    default:
      return undefined;
  }
}

function resolveIndex(it: IndexItem, scope: EvalScope): ResolvedIndex {
  const int = (e: Expr | undefined): number | undefined => {
    if (!e) return undefined;
    const v = evaluate(e, scope);
    const n = typeof v === 'number' ? v : v instanceof Tensor && v.size === 1 && v.dtype !== 'float32' ? Number(v.data[0]) : NaN;
    if (!Number.isInteger(n)) throw new ExpressionError(`an index must be an integer, got ${typeof v === 'number' ? v : kindOf(v)}`, e.col);
    return n;
  };
  if (it.kind === 'slice') return { kind: 'slice', start: int(it.start), stop: int(it.stop), step: int(it.step) };
  return { kind: 'at', index: int(it.expr) as number };
}

/** The right side's value as an operand: a number (booleans as 0/1) or a tensor. */
function operandOf(v: Val, col: number): Tensor | number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Tensor) return v;
  throw new ExpressionError(`the right side of an assignment must be a number or a tensor, got ${kindOf(v)}`, col);
}

/**
 * Parses an assignment and resolves its target. The right side and the indices are evaluated in `scope` now
 * (an assignment in the debugger takes the values of the moment it is made), unless `lazyOperand` is given:
 * then the right side is evaluated in that scope when the edit first applies (`--set value('b') = value('a')`).
 */
export function prepareEdit(text: string, resolver: TargetResolver, scope: EvalScope, lazyOperand?: () => EvalScope): Edit {
  const parts = splitAssignment(text);
  if (!parts) throw new ExpressionError(`'${text}' assigns nothing; write NAME = VALUE or NAME op= VALUE (+=, -=, *=, /=)`);
  if (!parts.lhs) throw new ExpressionError(`'${text}' has nothing left of '${parts.op}'`);
  if (!parts.rhs) throw new ExpressionError(`'${text}' has nothing right of '${parts.op}'`);
  const { target, index } = targetOf(parseSide(parts.lhs, 'left'), resolver, scope);
  const rhs = parseSide(parts.rhs, 'right');
  let operand: Edit['operand'];
  if (lazyOperand) {
    let memo: Tensor | number | undefined;
    operand = () => (memo ??= operandOf(evaluate(rhs, lazyOperand()), rhs.col));
  } else {
    operand = operandOf(evaluate(rhs, scope), rhs.col);
  }
  return { text: text.trim(), target, index, op: parts.op, operand };
}

/** One side of an assignment parsed; its columns count from the side's start, so a message quotes the side instead. */
function parseSide(text: string, side: 'left' | 'right'): Expr {
  try {
    return parseExpression(text);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    throw new ExpressionError(`the ${side} side '${text}': ${e.reason}${e.column !== undefined ? ` (at its column ${e.column})` : ''}`);
  }
}

const APPLY: Readonly<Record<AssignOp, (x: number, y: number) => number>> = {
  '=': (_x, y) => y,
  '+=': (x, y) => x + y,
  '-=': (x, y) => x - y,
  '*=': (x, y) => x * y,
  '/=': (x, y) => x / y,
};

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * A new tensor: `t` with the edit applied to the part it names. Throws a sentence (and changes nothing) when an
 * index is out of range or the operand does not broadcast to that part.
 */
export function applyEdit(t: Tensor, edit: Edit): Tensor {
  const fail = (why: string): never => {
    throw new RunnerError(`${edit.text}: ${why}.`);
  };
  const items = edit.index ?? [];
  let picked: { picks: number[][]; kept: number[] } = { picks: [], kept: [] };
  try {
    picked = picksFor(t.shape, items);
  } catch (e) {
    fail(`${e instanceof ExpressionError ? e.reason : String(e)} (shape ${shapeText(t.shape)})`);
  }
  const { picks, kept: region } = picked;
  const raw = typeof edit.operand === 'function' ? edit.operand() : edit.operand;
  const operand = raw instanceof Tensor ? raw : undefined;
  // The operand broadcasts to the region, NumPy's way: shapes aligned at the right, sizes equal or 1.
  const opStrides: number[] = new Array<number>(region.length).fill(0);
  if (operand) {
    if (operand.rank > region.length) fail(`a tensor of shape ${shapeText(operand.shape)} does not fit the ${shapeText(region)} elements it assigns`);
    const own = stridesOf(operand.shape);
    for (let k = 1; k <= operand.rank; k++) {
      const d = operand.shape[operand.rank - k];
      const r = region[region.length - k];
      if (d !== r && d !== 1) fail(`a tensor of shape ${shapeText(operand.shape)} does not broadcast to the ${shapeText(region)} elements it assigns`);
      opStrides[region.length - k] = d === 1 ? 0 : own[operand.rank - k];
    }
  }
  const scalar = operand ? 0 : (raw as number);
  const f = APPLY[edit.op];
  const out = allocate(t.dtype, t.size);
  out.set(t.data as never);
  const strides = stridesOf(t.shape);
  const size = picks.reduce((p, a) => p * a.length, 1);
  const pos = new Array<number>(t.rank).fill(0);
  const regionAxes = picks.map((_, ax) => items[ax]?.kind !== 'at');
  for (let i = 0; i < size; i++) {
    let off = 0;
    let opOff = 0;
    let r = 0;
    for (let ax = 0; ax < t.rank; ax++) {
      off += picks[ax][pos[ax]] * strides[ax];
      if (regionAxes[ax]) opOff += pos[ax] * opStrides[r++];
    }
    const y = operand ? Number(operand.data[opOff]) : scalar;
    out[off] = f(Number(t.data[off]), y);
    for (let ax = t.rank - 1; ax >= 0; ax--) {
      if (++pos[ax] < picks[ax].length) break;
      pos[ax] = 0;
    }
  }
  return new Tensor(t.dtype, t.shape, out);
}

/** What an edit is, for people and the wire. */
export interface EditInfo {
  readonly text: string;
  readonly kind: EditTarget['kind'];
  readonly name: string;
}

/**
 * The edits of a run, in the order made. Weights and model inputs are edited once, when the edit is made: the
 * edited tensor stands in for the loaded one. Value edits are kept as rules for {@link applyToValue}.
 */
export class EditSet {
  private readonly list: Edit[] = [];
  private readonly given = new Map<string, Tensor>();

  get size(): number {
    return this.list.length;
  }

  /**
   * Adds an edit whose target currently holds `current`; for a weight or input the edited tensor is made now.
   * Throws (and adds nothing) when it cannot apply.
   */
  add(edit: Edit, current: Tensor): Tensor {
    const made = applyEdit(current, edit);
    if (edit.target.kind !== 'value') this.given.set(edit.target.name, made);
    this.list.push(edit);
    return made;
  }

  /** Adds a value edit without checking it against a tensor now: it is checked when its value is produced. */
  addRule(edit: Edit): void {
    if (edit.target.kind !== 'value') throw new Error('only value edits wait for their value');
    this.list.push(edit);
  }

  /** A weight or model input as edited, or undefined when no edit touched it. */
  givenTensor(name: string): Tensor | undefined {
    return this.given.get(name);
  }

  /** A value as its node produced it, with the edits of that value applied in order. */
  applyToValue(name: string, t: Tensor): Tensor {
    let out = t;
    for (const e of this.list) if (e.target.kind === 'value' && e.target.name === name) out = applyEdit(out, e);
    return out;
  }

  /** Does any edit touch this value, weight or input? */
  touches(name: string): boolean {
    return this.list.some((e) => e.target.name === name);
  }

  /** Every name edited: what a revert changes back. */
  targets(): Set<string> {
    return new Set(this.list.map((e) => e.target.name));
  }

  clear(): void {
    this.list.length = 0;
    this.given.clear();
  }

  infos(): EditInfo[] {
    return this.list.map((e) => ({ text: e.text, kind: e.target.kind, name: e.target.name }));
  }

  /** Edited weights by name (the edited tensor), for writing a new weights file. */
  editedWeights(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const e of this.list) if (e.target.kind === 'weight') out.set(e.target.name, this.given.get(e.target.name) as Tensor);
    return out;
  }
}
