import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tensor } from '../engine/tensor';
import { parseNpy } from '../loaders/tensors/npy';
import type { Model } from '../model/ir';
import { compareTensors, dumpFileName } from '../runner/divergence';
import type { Comparison } from '../runner/divergence';
import { baseName } from '../runner/errors';
import type { Runner } from '../runner/runner';
import { describeIoError } from '../service/inputs';
import type { DiffCommand } from './args';
import { CliError } from './errors';
import type { Io } from './errors';
import { resolveInputs } from './inputs';
import { progressReporter } from './progress';
import { createRunner, openModelFile } from './session';

/** One compared value: where it was made, and how far MODEL's run is from the counterpart's. */
interface Row extends Comparison {
  readonly value: string;
  readonly node: string;
  readonly op: string;
  /** The name of the module whose body holds the node. */
  readonly layer: string;
  /** Set when the shapes differ: `[1,3] vs [3]`. */
  readonly shapes?: string;
}

/** The other side of the comparison: whether it has a value, and its data, asked for in MODEL's execution order. */
interface Counterpart {
  has(name: string): Promise<boolean>;
  value(name: string): Promise<Tensor>;
}

/** What a node's return brought: the values it produced, and where. */
interface Produced {
  readonly names: readonly string[];
  readonly node: string;
  readonly op: string;
  readonly layer: string;
}

/**
 * `layerstep diff`: runs MODEL and compares every value it produces, in execution order, with the value of the
 * same name on the other side (another input, another model, or a folder of `.npy` files as `trace --dump`
 * writes them). Values the other side lacks are skipped. Prints where the runs first part and a row per value,
 * as text or as one JSON document. Finding a divergence is a result, not a failure: the exit code stays 0.
 *
 * Each value is compared as its node returns, while the runner still holds it (past its memory budget the runner
 * drops old values and would recompute them); a second run goes along in step, as far as the value asked for.
 */
export async function diffCommand(command: DiffCommand, io: Io): Promise<void> {
  const model = await openModelFile(command.model);
  const { inputs } = await resolveInputs(model, command.input, command.preprocess, command.shapes);
  const { against } = command;
  // Whatever can fail without running fails first: the other model, the other input, the folder.
  const other = against.kind === 'model' ? await openModelFile(against.file) : model;
  const otherInputs = against.kind === 'input' ? (await resolveInputs(model, against.file, command.preprocess)).inputs : inputs;
  const counterpart = against.kind === 'reference'
    ? referenceSide(against.dir, await referenceFiles(against.dir))
    : new RunSide(createRunner(other, otherInputs));

  const progress = progressReporter(io, 'comparing');
  const runner = createRunner(model, inputs, { onProgress: progress.update });
  const rows: Row[] = [];
  try {
    for await (const made of producedValues(runner)) {
      for (const name of made.names) {
        if (!(await counterpart.has(name))) continue;
        const a = runner.value(name);
        const b = await counterpart.value(name);
        const shapes = sameShape(a, b) ? undefined : `[${a.shape.join(',')}] vs [${b.shape.join(',')}]`;
        rows.push({ value: name, node: made.node, op: made.op, layer: made.layer, ...compareTensors(a, b, command.tolerance), ...(shapes ? { shapes } : {}) });
      }
    }
  } finally {
    progress.done();
  }
  if (rows.length === 0) throw new CliError(`${nothingInCommon(command, model, other)}; there is nothing to compare.`);
  io.out(command.json ? formatJson(rows) : formatText(rows));
}

/**
 * Steps a runner through its whole forward pass, yielding at each node's return the values it produced, with the
 * node and its module. An op that fails rejects with the runner's sentence.
 */
async function* producedValues(runner: Runner): AsyncGenerator<Produced> {
  for (;;) {
    const stop = await runner.stepIn();
    const pos = runner.position;
    if (pos.point === 'return' && pos.frame.item.kind === 'node') {
      const item = pos.frame.item;
      const parent = pos.frame.parentId === undefined ? undefined : runner.frame(pos.frame.parentId);
      yield { names: item.outputs.filter((n) => n), node: item.origin?.name ?? item.id, op: item.origin?.op ?? item.op, layer: parent?.item.name ?? '' };
    }
    if (stop.reason === 'end') return;
    if (stop.reason !== 'step') throw new CliError(`${baseName(runner.model.file)}: the run stopped early (${stop.reason}${stop.description ? `: ${stop.description}` : ''}).`);
  }
}

/** The counterpart run: stepped only as far as the value asked for, so that it still holds it. */
class RunSide implements Counterpart {
  private readonly produced = new Set<string>();
  private readonly steps: AsyncGenerator<Produced>;
  private ended = false;

  constructor(private readonly runner: Runner) {
    this.steps = producedValues(runner);
  }

  async has(name: string): Promise<boolean> {
    while (!this.produced.has(name) && !this.ended) {
      const next = await this.steps.next();
      if (next.done) this.ended = true;
      else for (const n of next.value.names) this.produced.add(n);
    }
    return this.produced.has(name);
  }

  async value(name: string): Promise<Tensor> {
    return this.runner.value(name);
  }
}

/** The `.npy` files of a reference folder, by file name. */
async function referenceFiles(dir: string): Promise<ReadonlySet<string>> {
  const info = await stat(dir).catch((e: unknown) => {
    const missing = (e as { code?: unknown }).code === 'ENOENT';
    throw new CliError(`--reference ${dir}: ${missing ? 'there is no such folder' : `cannot read the folder (${describeIoError(e)})`}.`);
  });
  if (!info.isDirectory()) throw new CliError(`--reference ${dir}: is a file; give the folder that 'layerstep trace --dump' wrote.`);
  try {
    return new Set((await readdir(dir)).filter((f) => f.endsWith('.npy')));
  } catch (e) {
    throw new CliError(`--reference ${dir}: cannot read the folder (${describeIoError(e)}).`);
  }
}

/** A folder of `.npy` files. A file that two of MODEL's values would both read is an error, not a guess. */
function referenceSide(dir: string, files: ReadonlySet<string>): Counterpart {
  const readers = new Map<string, string>();
  return {
    has: async (name) => {
      const file = dumpFileName(name);
      if (!files.has(file)) return false;
      const first = readers.get(file);
      if (first !== undefined && first !== name) {
        throw new CliError(`--reference ${dir}: ${file} could be the value '${first}' or '${name}', whose names both become that file name.`);
      }
      readers.set(file, name);
      return true;
    },
    value: async (name) => {
      const file = join(dir, dumpFileName(name));
      const bytes = await readFile(file).catch((e: unknown) => {
        throw new CliError(`${file}: cannot read the reference value '${name}' (${describeIoError(e)}).`);
      });
      return parseNpy(file, bytes);
    },
  };
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

/** Why no value was compared, naming the side that has none of MODEL's values. */
function nothingInCommon(command: DiffCommand, model: Model, other: Model): string {
  const mine = baseName(model.file);
  switch (command.against.kind) {
    case 'reference': return `--reference ${command.against.dir}: none of the values of ${mine} has a file there (named as 'layerstep trace --dump' names them)`;
    case 'model': return `${baseName(other.file)} produces none of the values of ${mine} (diff pairs values by name)`;
    case 'input': return `${mine} produced no value`;
  }
}

/** The first line, exactly `first divergence: VALUE (node NODE, OP)` or `no divergence`, then one row per value. */
function formatText(rows: readonly Row[]): string {
  const first = rows.find((r) => r.diverged);
  const head = first ? `first divergence: ${first.value} (node ${first.node}, ${first.op})` : 'no divergence';
  const table = [
    ['value', 'layer', 'op', 'max abs', 'max rel', 'cosine', ''],
    ...rows.map((r) => [
      r.value, r.layer, r.op,
      ...(r.shapes ? ['—', '—', '—'] : [number(r.maxAbs), number(r.maxRel), r.cosine.toFixed(6)]),
      r.diverged ? `✗${r.shapes ? ` shapes ${r.shapes}` : ''}` : '',
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  return [head, ...lines].join('\n') + '\n';
}

/**
 * One JSON document, a value per line. Non-finite numbers (NaN from a NaN against a number or from differing
 * shapes, Infinity) are written as null.
 */
function formatJson(rows: readonly Row[]): string {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  const first = rows.find((r) => r.diverged);
  const firstDivergence = first ? { value: first.value, node: first.node, op: first.op, maxAbs: finite(first.maxAbs), maxRel: finite(first.maxRel) } : null;
  const values = rows.map((r) => JSON.stringify({ value: r.value, maxAbs: finite(r.maxAbs), maxRel: finite(r.maxRel), cosine: finite(r.cosine) }));
  return `{\n  "firstDivergence": ${JSON.stringify(firstDivergence)},\n  "values": [\n${values.map((v) => `    ${v}`).join(',\n')}\n  ]\n}\n`;
}

/** Four significant digits; NaN (a NaN against a number) and infinities as such. */
function number(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  return x >= 1e-3 && x < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}
