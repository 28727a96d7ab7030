/**
 * The text side of the sidebar's weight edits and of compared runs: what the user types into an input box,
 * checked while typing, and the assignment it becomes in the tensor expression language
 * (`weight('hidden1.kernel')[0, 3] = 0.5`). Pure, so its rules are unit-tested without VS Code.
 */

/** A decimal number as the expression language reads it: `2`, `-0.5`, `.25`, `1e-3`. */
const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const NUMBER_RE = new RegExp(`^${NUMBER}$`);
const INT_RE = /^[+-]?\d+$/;
const SLICE_RE = /^([+-]?\d+)?\s*:\s*([+-]?\d+)?(?:\s*:\s*([+-]?\d+)?)?$/;

/**
 * The `layerstep.divergenceTolerance` setting's pattern (package.json holds the same text): `ATOL,RTOL`, two
 * non-negative numbers.
 */
export const TOLERANCE_PATTERN = String.raw`^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*,\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$`;

/** Either what was parsed, or one sentence saying what is wrong (an input box shows it under the text). */
export type Checked<T> = { readonly ok: T } | { readonly error: string };

/** `'name'` in the expression language, with `\` and `'` escaped. */
export function quoteName(name: string): string {
  return `'${name.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * Reads `INDEX = VALUE` for one element (or a slice) of a weight of `shape`: `0, 3 = 0.5`, `-1, : = 0`,
 * `2 = NaN`. Integer indices are checked against the shape here, so a typo shows while typing; slices clamp
 * as in NumPy. The value is a number, `NaN`, `Infinity` or `-Infinity`.
 */
export function parseElementEdit(text: string, weight: { readonly role: string; readonly shape: readonly number[] }): Checked<{ index: string; value: string }> {
  const example = weight.shape.length > 1 ? weight.shape.map(() => '0').join(', ') : '0';
  const eq = text.indexOf('=');
  if (eq < 0 || text.indexOf('=', eq + 1) >= 0) return { error: `Write the element's index, '=' and its new value, e.g. ${example} = 0.5.` };
  const indexText = text.slice(0, eq).trim().replace(/^\[(.*)\]$/, '$1');
  const value = text.slice(eq + 1).trim();
  if (!indexText) return { error: `Write the index before '=', e.g. ${example} = 0.5.` };
  const items = indexText.split(',').map((s) => s.trim());
  const rank = weight.shape.length;
  if (items.length > rank) return { error: `${weight.role} has ${rank} ${rank === 1 ? 'axis' : 'axes'} (shape [${weight.shape.join(', ')}]), but ${items.length} indices were given.` };
  for (const [axis, item] of items.entries()) {
    if (INT_RE.test(item)) {
      const i = Number(item);
      const n = weight.shape[axis];
      if (i >= n || i < -n) return { error: `Index ${i} is out of range for axis ${axis} of ${weight.role}, which has size ${n}.` };
    } else if (!SLICE_RE.test(item)) {
      return { error: `'${item || ' '}' is not an index: write an integer (counting from 0, negative from the end) or a slice such as 1:3 or :.` };
    }
  }
  if (!isValue(value)) return { error: `'${value}' is not a number: write a number such as 0.5, or NaN, Infinity or -Infinity.` };
  return { ok: { index: items.join(', '), value: normalValue(value) } };
}

/** Reads a scaling factor: a finite number. */
export function parseFactor(text: string): Checked<string> {
  const t = text.trim();
  if (!NUMBER_RE.test(t) || !Number.isFinite(Number(t))) return { error: `'${t}' is not a factor: write a finite number such as 0.5 or 2.` };
  return { ok: t.replace(/^\+/, '') };
}

/** `weight('NAME')[INDEX] = VALUE`: the assignment an element edit sends. */
export function elementAssignment(name: string, index: string, value: string): string {
  return `weight(${quoteName(name)})[${index}] = ${value}`;
}

/** `weight('NAME') *= F`: the assignment a scaling sends. */
export function scaleAssignment(name: string, factor: string): string {
  return `weight(${quoteName(name)}) *= ${factor}`;
}

/** The file name Save Edited Weights offers: `<model name>-edited.safetensors`, without characters a file name cannot hold. */
export function editedWeightsFileName(modelName: string): string {
  const safe = modelName.replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
  return `${safe}-edited.safetensors`;
}

function isValue(v: string): boolean {
  return NUMBER_RE.test(v) || /^[+-]?(NaN|Infinity)$/.test(v);
}

/** The expression language has no unary plus before a name; `+NaN` and `+Infinity` lose it, `-NaN` is NaN. */
function normalValue(v: string): string {
  if (/^[+-]NaN$/.test(v)) return 'NaN';
  return v.replace(/^\+/, '');
}
