import { parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';
import type { SourceRange } from '../../model/ir';
import { ModelError } from '../../model/errors';

export type { Node as JsonNode } from 'jsonc-parser';

/** Plain-words explanations of the parser's error codes. */
const PARSE_MESSAGES: Readonly<Record<string, string>> = {
  InvalidSymbol: 'an unexpected symbol',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name in double quotes is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing brace } is expected',
  CloseBracketExpected: 'a closing bracket ] is expected',
  EndOfFileExpected: 'the file should end here',
  InvalidCommentToken: 'comments are not allowed in a model file',
  UnexpectedEndOfComment: 'a comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'an invalid unicode escape',
  InvalidEscapeCharacter: 'an invalid escape character',
  InvalidCharacter: 'an invalid character',
};

/**
 * The parsed model file with the offsets of every JSON node, and the one way loader code raises errors:
 * `doc.error(node, message)` gives `model.json line 14: <message>` with the node's range attached.
 */
export class JsonDocument {
  /** Offsets where each line starts. */
  private readonly lineStarts: number[] = [0];
  readonly root: Node;

  constructor(
    readonly text: string,
    /** The file as the user knows it (a path or URI). */
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    const errors: ParseError[] = [];
    const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    if (errors.length > 0 || !root) {
      const e = errors[0];
      const offset = e ? e.offset : text.length;
      const { line, column } = this.position(offset);
      const what = e ? PARSE_MESSAGES[printParseErrorCode(e.error)] ?? printParseErrorCode(e.error) : 'the file is empty';
      const end = !e || e.offset + e.length >= text.trimEnd().length ? ' (the file ends too early: is it truncated?)' : '';
      throw new ModelError(`${this.shortName} line ${line}, column ${column}: the JSON is malformed: ${what}${end}.`, file, {
        startLine: line, startColumn: column, endLine: line, endColumn: column,
      });
    }
    this.root = root;
  }

  /** The file's last path segment, used at the start of every message. */
  get shortName(): string {
    const parts = this.file.split(/[\\/]/);
    return parts[parts.length - 1] || this.file;
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  /** The node's span, end inclusive. */
  range(node: Node): SourceRange {
    const start = this.position(node.offset);
    const end = this.position(Math.max(node.offset, node.offset + node.length - 1));
    return { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column };
  }

  line(node: Node): number {
    return this.position(node.offset).line;
  }

  /** A {@link ModelError} located at `node`: `model.json line N: message`. */
  error(node: Node | undefined, message: string): ModelError {
    if (!node) return new ModelError(`${this.shortName}: ${message}`, this.file);
    return new ModelError(`${this.shortName} line ${this.line(node)}: ${message}`, this.file, this.range(node));
  }
}

/** The value node of property `key` of an object node. */
export function prop(node: Node, key: string): Node | undefined {
  if (node.type !== 'object' || !node.children) return undefined;
  for (const p of node.children) {
    const [k, v] = p.children ?? [];
    if (k && k.value === key) return v;
  }
  return undefined;
}

/** The property nodes of an object node, as [key, key node, value node]. */
export function entries(node: Node): [string, Node, Node][] {
  if (node.type !== 'object' || !node.children) return [];
  const out: [string, Node, Node][] = [];
  for (const p of node.children) {
    const [k, v] = p.children ?? [];
    if (k && v) out.push([String(k.value), k, v]);
  }
  return out;
}

/** Items of an array node. */
export function items(node: Node): Node[] {
  return node.type === 'array' ? node.children ?? [] : [];
}

/** Describes a node's kind for messages: `a string`, `an array`, `the number 3`. */
export function describe(node: Node): string {
  switch (node.type) {
    case 'object': return 'an object';
    case 'array': return 'an array';
    case 'string': return `the string ${JSON.stringify(node.value)}`;
    case 'number': return `the number ${node.value}`;
    case 'boolean': return `${node.value}`;
    case 'null': return 'null';
    default: return 'a value';
  }
}
