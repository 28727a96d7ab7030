/**
 * A JSON printer for model.json files a person reads: objects and arrays stay on one line when they fit,
 * layers each start on their own line (so a gutter breakpoint lands on one layer), long number arrays wrap,
 * 784-long images wrap at 28 so the digit shows in the text, and every float prints as the shortest decimal
 * that reads back as the same float32.
 */

const WIDTH = 110;

/** The shortest decimal string that parses back to the same float32 value. */
export function float32String(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return String(s);
  }
  return String(f);
}

function inline(value: unknown): string {
  if (typeof value === 'number') return float32String(value);
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function numberRows(values: readonly number[], indent: string): string {
  const perRow = values.length >= 784 && values.length % 28 === 0 ? 28 : 0;
  // Image rows are right-aligned in columns, so the picture shows in the text.
  const cell = perRow ? Math.max(...values.map((v) => float32String(v).length)) : 0;
  const rows: string[] = [];
  let row: string[] = [];
  let width = indent.length + 2;
  for (const v of values) {
    const s = float32String(v).padStart(cell);
    const full = perRow ? row.length === perRow : width + s.length + 2 > WIDTH && row.length > 0;
    if (full) {
      rows.push(row.join(', '));
      row = [];
      width = indent.length + 2;
    }
    row.push(s);
    width += s.length + 2;
  }
  if (row.length) rows.push(row.join(', '));
  return `[\n${rows.map((r) => `${indent}  ${r}`).join(',\n')}\n${indent}]`;
}

function print(value: unknown, indent: string, key: string | undefined, startColumn: number): string {
  const flat = inline(value);
  const forceOpen = key === 'layers' || key === 'branches' || key === 'shortcut' || key === 'examples';
  if (!forceOpen && startColumn + flat.length <= WIDTH) return flat;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => typeof v === 'number')) return numberRows(value as number[], indent);
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + print(v, inner, undefined, inner.length)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const inner = indent + '  ';
    const lines = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const head = `${inner}${JSON.stringify(k)}: `;
        return head + print(v, inner, k, head.length);
      });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return flat;
}

/** The text of a model.json file, ending in a newline. */
export function stringifyModel(model: unknown): string {
  return print(model, '', undefined, 0) + '\n';
}
