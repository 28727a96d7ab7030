import type { DType } from '../engine/tensor';
import type { EngineClient } from '../protocol/engine';

/**
 * What Copy Value puts on the clipboard (DAP `evaluate` with context `clipboard`): a tensor's values as a nested
 * list laid out as NumPy prints arrays (`[[0.1, 0.2],\n [0.3, 0.4]]`, `nan`, `inf`, `-inf`, `True`, `False`;
 * float32 values with the fewest digits that read back the same), so it pastes into Python (`np.array(...)`, with
 * `nan` and `inf` from NumPy) or, without non-finite values, into JSON. An element or a number is the number.
 * At most {@link MAX_CLIPBOARD_VALUES} values are copied: a larger tensor gives its leading part (`x[0, :312]`),
 * and a last line, a Python comment, says which part that is and what was left out.
 */
export const MAX_CLIPBOARD_VALUES = 10_000;

/** The leading part of a tensor of `shape` with at most `max` values: fixed indices, then `take` along `axis`. */
export function leadingPart(shape: readonly number[], max = MAX_CLIPBOARD_VALUES): { axis: number; take: number; shape: number[]; count: number } {
  for (let axis = 0; axis < shape.length; axis++) {
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    if (inner <= max) {
      const take = Math.min(shape[axis], Math.floor(max / Math.max(1, inner)));
      return { axis, take, shape: [take, ...shape.slice(axis + 1)], count: take * inner };
    }
  }
  return { axis: 0, take: 0, shape: [], count: 1 };
}

/** One value as NumPy prints it. */
export function numpyNumber(v: number, dtype: DType): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (dtype !== 'float32') return String(v);
  const s = shortestFloat32(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** The shortest decimal that reads back as the same float32 (1 to 9 significant digits). */
function shortestFloat32(v: number): string {
  for (let p = 1; p < 9; p++) {
    const s = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(s)) === v) return s;
  }
  return String(Number(v.toPrecision(9)));
}

/** Row-major `values` of `shape` as a nested list, NumPy's layout: rows on lines, a blank line between blocks. */
export function numpyText(shape: readonly number[], dtype: DType, values: ArrayLike<number>): string {
  if (shape.length === 0) return numpyNumber(values[0], dtype);
  const nest = (depth: number, offset: number): string => {
    const n = shape[depth];
    const inner = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(depth === shape.length - 1 ? numpyNumber(values[offset + i], dtype) : nest(depth + 1, offset + i * inner));
    const left = shape.length - depth;
    const sep = left === 1 ? ', ' : ',' + '\n'.repeat(left - 1) + ' '.repeat(depth + 1);
    return `[${items.join(sep)}]`;
  };
  return nest(0, 0);
}

/** The clipboard text of an expression in a frame (see the file's comment). Throws what evaluating throws. */
export async function clipboardText(client: EngineClient, expression: string, frameId?: number): Promise<string> {
  const result = await client.request('evaluate', { expression, frameId });
  const t = result.tensor;
  if (!t) return (await exactElement(client, expression, frameId)) ?? result.text;
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (size <= MAX_CLIPBOARD_VALUES) {
    const got = await client.request('tensor', { name: t.name, start: 0, count: size });
    return numpyText(t.shape, t.dtype, got.values);
  }
  const part = leadingPart(t.shape);
  const got = await client.request('tensor', { name: t.name, start: 0, count: part.count });
  const index = [...Array<string>(part.axis).fill('0'), `:${part.take}`].join(', ');
  const note = `# ${t.dtype}[${t.shape.join(',')}]: copied [${index}], ${part.count.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} values; `
    + `the other ${(size - part.count).toLocaleString('en-US')} were left out (Copy Value copies at most ${MAX_CLIPBOARD_VALUES.toLocaleString('en-US')}).`;
  return `${numpyText(part.shape, t.dtype, got.values)}\n${note}`;
}

/**
 * An element `x[3]` of a vector `x` as its exact number (evaluating it gives a rounded text), or undefined when
 * the expression is not that.
 */
async function exactElement(client: EngineClient, expression: string, frameId?: number): Promise<string | undefined> {
  const m = /^(.+)\[(\d+)\]$/.exec(expression.trim());
  if (!m) return undefined;
  try {
    const parent = (await client.request('evaluate', { expression: m[1], frameId })).tensor;
    if (!parent || parent.shape.length !== 1) return undefined;
    const { value } = await client.request('element', { name: parent.name, index: Number(m[2]) });
    return numpyNumber(value, parent.dtype);
  } catch {
    // Not an element of a vector after all: the evaluated text stands.
    return undefined;
  }
}
