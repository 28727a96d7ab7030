import { BUILTINS } from './builtins';

/**
 * Completions for the Debug Console and WATCH: what can be typed at a cursor in a tensor expression. Pure: the
 * runner hands in what a frame's scope holds, and no value is read or computed to answer.
 */

/** What a frame offers to complete, read lazily. */
export interface CompletionSource {
  /** Identifiers the frame's scope knows (`input`, `output`, `inputs`, `weights`, `x`, `$1`...). */
  names(): readonly string[];
  /** The keys of a collection named so (`inputs`, `outputs`, `weights`, `attrs`); undefined for anything else. */
  members(name: string): readonly string[] | undefined;
  /** Every weight of the model, by name (for `weight('…')`). */
  weights(): readonly string[];
  /** Every value that exists at the position, by name (for `value('…')`). */
  values(): readonly string[];
}

export type CompletionKind = 'variable' | 'function' | 'method' | 'property' | 'field' | 'value' | 'keyword';

/** One completion: `text` replaces `length` characters of the typed text from `start` (0-based). */
export interface Completion {
  readonly label: string;
  readonly text: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly start: number;
  readonly length: number;
}

/** Tensor properties reachable with `.` (see evaluate.ts), and what they are. */
const PROPERTIES: readonly (readonly [string, string])[] = [
  ['shape', 'the dimensions, e.g. [1, 128]'],
  ['size', 'the number of elements'],
  ['dtype', "the element type, e.g. 'float32'"],
  ['rank', 'the number of dimensions'],
];

/** Builtins that take no tensor first (no sense as a method), or that are offered as a property already. */
const NOT_METHODS = new Set(['value', 'weight', ...PROPERTIES.map(([p]) => p)]);

const KEYWORDS = ['true', 'false', 'NaN', 'Infinity', 'null'];

/** The collections of a frame: a member after them is one of their keys. */
const COLLECTIONS = new Set(['inputs', 'outputs', 'weights', 'attrs']);

const IDENT = /^[A-Za-z_$][\w$]*$/;
/** Most completions offered: a model with thousands of values must not flood the suggest widget. */
const MAX_COMPLETIONS = 500;

/**
 * Completions at `offset` (0-based, in UTF-16 code units) of `text`, the text before the cursor read only:
 * - inside the quotes of `weight('…` or `value('…`: weight or value names, closing the call;
 * - after `inputs.` `outputs.` `weights.` `attrs.`: that collection's keys (a key that is no identifier as `["key"]`);
 * - after `.` on anything else: tensor methods (`max()`) and properties (`shape`);
 * - elsewhere: the frame's names, the built-in functions (`norm(`) and the constants.
 * Each answer replaces the word being typed; the list is filtered by that word, ignoring case.
 */
export function complete(text: string, offset: number, src: CompletionSource): Completion[] {
  const at = Math.max(0, Math.min(offset, text.length));
  const before = text.slice(0, at);
  const after = text.slice(at);
  const out = quoted(before, after, src) ?? member(before, src) ?? plain(before, src);
  return out.slice(0, MAX_COMPLETIONS);
}

const startsWith = (label: string, prefix: string): boolean => label.toLowerCase().startsWith(prefix.toLowerCase());

/** Inside `weight('` or `value("`: names in the quotes, then the quote and parenthesis closed when missing. */
function quoted(before: string, after: string, src: CompletionSource): Completion[] | undefined {
  const m = /\b(weight|value)\(\s*(['"])([^'"\\]*)$/.exec(before);
  if (!m) return undefined;
  const [, fn, quote, typed] = m;
  const start = before.length - typed.length;
  // The rest of the word already there (`weight('fc|1.weight')`) is replaced too, with its closing.
  const rest = /^[^'"\\)]*/.exec(after)?.[0] ?? '';
  const closed = after.slice(rest.length).startsWith(quote);
  const names = fn === 'weight' ? src.weights() : src.values();
  return names.filter((n) => startsWith(n, typed)).map((n) => ({
    label: n,
    text: closed ? n : `${n}${quote})`,
    kind: fn === 'weight' ? 'field' : 'value',
    detail: fn === 'weight' ? 'weight' : 'value',
    start,
    length: typed.length + rest.length,
  }));
}

/** After a `.`: a collection's keys, or a tensor's methods and properties. */
function member(before: string, src: CompletionSource): Completion[] | undefined {
  const m = /(?:([A-Za-z_$][\w$]*)|([)\]]))\s*\.\s*([A-Za-z_$][\w$]*)?$/.exec(before);
  if (!m) return undefined;
  const [whole, object, , typedRaw] = m;
  // `1.5` is a number, not a member.
  if (object !== undefined && /^\d/.test(object)) return undefined;
  const typed = typedRaw ?? '';
  const start = before.length - typed.length;
  const qualified = object !== undefined && isQualified(before.slice(0, before.length - whole.length));
  const keys = object !== undefined && COLLECTIONS.has(object) && !qualified ? src.members(object) : undefined;
  if (keys) {
    const dot = before.lastIndexOf('.');
    return keys.filter((k) => startsWith(k, typed)).map((k) => IDENT.test(k)
      ? { label: k, text: k, kind: 'field' as const, detail: object, start, length: typed.length }
      // A key that is no identifier (`hidden/relu:0`) is written `outputs["hidden/relu:0"]`: the dot goes too.
      : { label: k, text: `[${JSON.stringify(k)}]`, kind: 'field' as const, detail: object, start: dot, length: before.length - dot });
  }
  const props = PROPERTIES.filter(([p]) => startsWith(p, typed)).map(([p, doc]) => ({ label: p, text: p, kind: 'property' as const, detail: doc, start, length: typed.length }));
  const methods = [...BUILTINS].filter(([name]) => !NOT_METHODS.has(name) && startsWith(name, typed)).map(([name, fn]) => ({
    label: `${name}()`, text: fn.minArgs > 1 ? `${name}(` : `${name}()`, kind: 'method' as const, detail: fn.doc, start, length: typed.length,
  }));
  return [...props, ...methods];
}

/** Is the text before a name a member access itself (`x.inputs.`)? Then the name is not the frame's collection. */
function isQualified(head: string): boolean {
  return /\.\s*$/.test(head);
}

/** A name being typed (or none yet): the frame's names, the functions and the constants. */
function plain(before: string, src: CompletionSource): Completion[] {
  const typed = /[A-Za-z_$][\w$]*$/.exec(before)?.[0] ?? '';
  // Digits right before (`12`) or a word that started with one: nothing to complete.
  if (/\d$/.test(before.slice(0, before.length - typed.length)) && typed === '') return [];
  const start = before.length - typed.length;
  const seen = new Set<string>();
  const out: Completion[] = [];
  const add = (c: Omit<Completion, 'start' | 'length'>): void => {
    if (seen.has(c.label) || !startsWith(c.label, typed)) return;
    seen.add(c.label);
    out.push({ ...c, start, length: typed.length });
  };
  for (const n of src.names()) if (IDENT.test(n)) add({ label: n, text: n, kind: 'variable', detail: detailOf(n) });
  for (const [name, fn] of BUILTINS) add({ label: name, text: `${name}(`, kind: 'function', detail: fn.doc });
  for (const k of KEYWORDS) add({ label: k, text: k, kind: 'keyword' });
  return out;
}

function detailOf(name: string): string | undefined {
  switch (name) {
    case 'input': return "the frame's first input";
    case 'output': return "the frame's first output (once it has returned)";
    case 'inputs': return "the frame's inputs: inputs.NAME";
    case 'outputs': return "the frame's outputs: outputs.NAME";
    case 'weights': return "the frame's weights by role: weights.kernel";
    case 'attrs': return "the frame's settings: attrs.NAME";
    case 'name': return "the frame's name";
    case 'type': return "the frame's layer type or op";
    case 'id': return "the frame's id";
    case 'grad': return 'the gradient arriving at this frame';
    default: return name.startsWith('$') ? 'an earlier result' : undefined;
  }
}
