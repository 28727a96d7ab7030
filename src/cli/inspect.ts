import { formatSummary } from '../engine/stats';
import { templatesOf } from '../model/ir';
import type { Item, Model, ModuleDef, ValueInfo } from '../model/ir';
import { loadPendingWeights, weightInfo } from '../model/lazyWeights';
import { nodeWeights, paramsOf } from '../model/weightUse';
import { configureEngine } from '../node/engineSetup';
import type { RunSummary } from '../protocol/engine';
import { summaryCsv, summaryMarkdown, summaryTable } from '../protocol/runSummaryText';
import { buildRunSummary } from '../runner/runSummary';
import type { InspectCommand, InspectRun } from './args';
import { CliError } from './errors';
import type { Io } from './errors';
import { resolveInputs } from './inputs';
import type { InputOrigin } from './inputs';
import { progressReporter } from './progress';
import { createRunner, openModelFile } from './session';

/**
 * `layerstep inspect MODEL`: the model's structure (see {@link formatInspect}). With `--run`, the summary of an
 * actual run instead (see {@link inspectRun}).
 */
export async function inspectCommand(command: InspectCommand, io: Io): Promise<void> {
  if (!command.run) {
    io.out(formatInspect(await openModelFile(command.model)));
    return;
  }
  configureEngine({ threads: command.run.threads });
  await inspectRun(command.model, command.run, io);
}

/**
 * `layerstep inspect MODEL --run`: runs the model once (on --input, else its first example, else a seeded random
 * input, as `run` does) and prints the summary of the run (src/runner/runSummary.ts) as a table, `--json`,
 * `--markdown` or `--csv`. When an op fails, the summary runs up to it and marks it, the error follows on stderr,
 * and the exit code is 1.
 */
export async function inspectRun(modelPath: string, run: InspectRun, io: Io): Promise<void> {
  const model = await openModelFile(modelPath);
  const { inputs, origin } = await resolveInputs(model, run.input, run.preprocess, run.shapes);
  const progress = progressReporter(io, 'running');
  const runner = createRunner(model, inputs, { onProgress: progress.update });
  // An engine error stops the run where it happened instead of rejecting: the summary shows the rows up to it.
  runner.setExceptionFilters(['engineError']);
  let summary: RunSummary;
  try {
    await loadPendingWeights(runner.model);
    await runner.continue();
    summary = buildRunSummary(runner);
  } finally {
    progress.done();
  }
  io.out(formatRunSummary(summary, origin, run.format));
  if (summary.failed) throw new CliError(summary.failed.message);
}

/** The summary in the format asked for; JSON as docs/cli.md documents it. */
export function formatRunSummary(s: RunSummary, origin: InputOrigin, format: InspectRun['format']): string {
  switch (format) {
    case 'json': return JSON.stringify(summaryJson(s, origin), null, 2) + '\n';
    case 'markdown': return summaryMarkdown(s);
    case 'csv': return summaryCsv(s);
    case 'text': return `summary of ${s.model} on ${originText(origin)}\n\n${summaryTable(s)}`;
  }
}

/**
 * The stable JSON of `inspect --run`: `{ model, input, rows: [{ name, path, depth, kind, type, shape, params,
 * flops, timeMs, bytes, weightBytes, health, error? }], totals, failed? }`.
 */
export function summaryJson(s: RunSummary, origin: InputOrigin): unknown {
  return {
    model: s.model,
    input: origin,
    rows: s.rows.map((r) => ({
      name: r.name, path: r.path, depth: r.depth, kind: r.kind, type: r.type, shape: r.shape, params: r.params, flops: r.flops,
      timeMs: r.timeMs, bytes: r.bytes, weightBytes: r.weightBytes, health: r.health, ...(r.error ? { error: r.error } : {}),
    })),
    totals: s.totals,
    ...(s.failed ? { failed: s.failed } : {}),
  };
}

function originText(origin: InputOrigin): string {
  switch (origin.kind) {
    case 'file': return `input ${origin.path}`;
    case 'example': return `example '${origin.name}'`;
    case 'random': return `a random input (seed ${origin.seed})`;
  }
}

/**
 * The text of `layerstep inspect`: inputs and outputs, the module tree with each module's parameter count,
 * its weights as one-line summaries and its ops, then the ops used and how often, then every weight by its name.
 *
 * Parameters are the float32 weights a module's subtree uses, each counted once: the weights a module
 * declares by role, and constant inputs of its nodes, directly or through identity/cast ops (ONNX initializers
 * and Constant-node tensors are node inputs). src/model/weightUse.ts counts them, for the outline too.
 */
export function formatInspect(model: Model): string {
  const lines: string[] = [];
  lines.push(`${model.file}: ${model.name} (${model.format})`);
  lines.push(`inputs:  ${model.inputs.map(formatValue).join(', ')}`);
  lines.push(`outputs: ${model.outputs.map(formatValue).join(', ')}`);
  const total = paramsOf(model, model.root);
  lines.push(`parameters: ${total.toLocaleString('en-US')} (${formatBytes(total * 4)} as float32)`);
  if (model.metadata?.moduleTree === 'inferred') lines.push('module tree: inferred from the graph (the file names no modules)');
  if (model.labels?.length) lines.push(`labels: ${model.labels.length} (${model.labels.slice(0, 5).join(', ')}${model.labels.length > 5 ? ', …' : ''})`);
  if (model.examples.length) lines.push(`examples: ${model.examples.map((e) => e.name).join(', ')}`);
  lines.push('', 'modules:');
  tree(model, model.root, 1, new Set(), lines);
  lines.push('', 'ops:');
  const counts = new Map<string, number>();
  const countOps = (item: Item): void => {
    if (item.kind === 'node') counts.set(item.op, (counts.get(item.op) ?? 0) + 1);
    else [...item.body, ...templatesOf(item).map((t) => t.module)].forEach(countOps);
  };
  countOps(model.root);
  const ops = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(0, ...ops.map(([op]) => op.length));
  for (const [op, n] of ops) lines.push(`  ${op.padEnd(width)}  ×${n}`);
  // Every weight by its own name (ONNX: the initializer's): what `run --set weight('NAME')` and `diff` name.
  const names = [...new Set([...model.weights.keys(), ...(model.pendingWeights?.keys() ?? [])])];
  if (names.length) {
    lines.push('', 'weights:');
    for (const name of names) {
      const t = model.weights.get(name);
      const info = t ?? weightInfo(model, name);
      lines.push(`  ${name}  ${info ? `${info.dtype}[${info.shape.join(',')}]` : ''}`.trimEnd());
    }
  }
  return lines.join('\n') + '\n';
}

function formatValue(v: ValueInfo): string {
  return `${v.name} ${v.dtype}[${v.shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** One module and its body, indented by depth. `shown` holds weights already listed by an enclosing module. */
function tree(model: Model, mod: ModuleDef, depth: number, shown: ReadonlySet<string>, lines: string[]): void {
  const pad = '  '.repeat(depth);
  const params = paramsOf(model, mod);
  lines.push(`${pad}${mod.name} [${mod.type}]${params ? `  ${params.toLocaleString('en-US')} params` : ''}`);
  const inner = new Set(shown);
  for (const [role, name] of Object.entries(mod.weights)) {
    lines.push(`${pad}  ${role} = ${weightText(model, name)}`);
    inner.add(name);
  }
  // Control flow lists its branches or loop body: they run as copies made when the run reaches them.
  for (const item of [...mod.body, ...templatesOf(mod).map((t) => t.module)]) {
    if (item.kind === 'module') {
      tree(model, item, depth + 1, inner, lines);
      continue;
    }
    lines.push(`${pad}  ${item.name}: ${item.op}`);
    for (const [read, w] of nodeWeights(model, item)) {
      if (inner.has(w)) continue;
      lines.push(`${pad}    ${read === w ? w : `${read} (${w})`} = ${weightText(model, w)}`);
      inner.add(w);
    }
  }
}

/** A weight's one-line summary; one still in its file shows its dtype and shape. */
function weightText(model: Model, name: string): string {
  const t = model.weights.get(name);
  if (t) return formatSummary(t);
  const info = weightInfo(model, name);
  return info ? `${info.dtype}[${info.shape.join(',')}] (not read yet)` : `missing weight '${name}'`;
}
