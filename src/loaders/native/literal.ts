import type { JsonDocument, JsonNode } from './json';
import { describe, items } from './json';

/** JSON cannot hold these numbers, so a data array may spell them as strings. */
const SPECIAL: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * Reads a number array from the file: flat (`[1, 2, 3, 4]`, shape `[4]`) or nested and rectangular
 * (`[[1, 2], [3, 4]]`, shape `[2, 2]`). Elements are numbers or the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
 * `what` names the array in messages (`layer 'hidden' weight 'kernel'`).
 */
export function readNumbers(doc: JsonDocument, node: JsonNode, what: string): { values: number[]; shape: number[] } {
  if (node.type !== 'array') throw doc.error(node, `${what} is ${describe(node)}; expected an array of numbers.`);
  const shape: number[] = [];
  for (let n: JsonNode | undefined = node; n && n.type === 'array'; n = items(n)[0]) shape.push(items(n).length);
  const values: number[] = [];
  const walk = (n: JsonNode, depth: number): void => {
    if (depth < shape.length) {
      if (n.type !== 'array' || items(n).length !== shape[depth]) {
        throw doc.error(n, `${what} is a ragged nested array: expected ${shape[depth]} entries at depth ${depth + 1} like the first row.`);
      }
      for (const c of items(n)) walk(c, depth + 1);
      return;
    }
    if (n.type === 'number') values.push(n.value as number);
    else if (n.type === 'string' && n.value in SPECIAL) values.push(SPECIAL[n.value as string]);
    else throw doc.error(n, `${what} holds ${describe(n)}; expected numbers (or "NaN", "Infinity", "-Infinity").`);
  };
  walk(node, 0);
  return { values, shape };
}

/** Reads a shape: an array of non-negative integers. */
export function readShape(doc: JsonDocument, node: JsonNode, what: string): number[] {
  const ok = node.type === 'array' && items(node).every((d) => d.type === 'number' && Number.isInteger(d.value) && d.value >= 0);
  if (!ok) throw doc.error(node, `${what} is ${describe(node)}; a shape is an array of non-negative integers, e.g. [1, 784].`);
  return items(node).map((d) => d.value as number);
}
