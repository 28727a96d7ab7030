import type { BenchResult, BenchRow } from './bench';
import type { Timing } from './measure';
import type { TrainRow } from './train';

/** The reference every ratio is taken against: onnxruntime-node on one thread. */
const REFERENCE = 'ort';

function ms(t: number | undefined): string {
  if (t === undefined) return '–';
  return t >= 100 ? `${t.toFixed(0)} ms` : t >= 10 ? `${t.toFixed(1)} ms` : `${t.toFixed(2)} ms`;
}

function times(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(1)}×`;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** The columns: each peer, then the engine plain and recorded on one thread and on all threads. */
function columns(result: BenchResult): { label: string; time: (r: BenchRow) => Timing | undefined }[] {
  const all = result.engine?.all.threads;
  return [
    ...result.peers.map((p) => ({ label: p, time: (r: BenchRow) => r.peers[p] })),
    { label: 'layerstep 1T', time: (r: BenchRow) => r.engine },
    { label: 'rec 1T', time: (r: BenchRow) => r.recorded },
    ...(all === undefined ? [] : [
      { label: `layerstep ${all}T`, time: (r: BenchRow) => r.engineAll },
      { label: `rec ${all}T`, time: (r: BenchRow) => r.recordedAll },
    ]),
  ];
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
}

/**
 * The bench tables: median times of every peer and of the engine (plain and recorded, on one thread and on all
 * threads), then each of them as times slower than onnxruntime-node on one thread (`ort`), so 1× is that
 * reference and below 1× is faster than it. Then the large model's opening time and memory, if measured. Then the
 * training step's two tables, if training workloads ran (alone when only they ran).
 */
export function formatBenchTable(result: BenchResult): string {
  const cols = columns(result);
  const out: string[] = [];
  const training = result.training ?? [];
  // With only training workloads asked for, the forward tables would be empty.
  const forward = result.rows.length > 0 || !training.length;
  if (forward) {
    out.push('Median times', '');
    out.push(...table(['workload', ...cols.map((c) => c.label), 'rec. overhead'], result.rows.map((r) => [
      r.workload, ...cols.map((c) => ms(c.time(r)?.medianMs)), `${r.overheadPct >= 0 ? '+' : ''}${r.overheadPct.toFixed(1)}%`,
    ])));
  }
  if (forward && result.peers.includes(REFERENCE)) {
    const others = cols.filter((c) => c.label !== REFERENCE);
    out.push('', 'Times slower than onnxruntime-node on one thread (ort = 1×)', '');
    out.push(...table(['workload', ...others.map((c) => c.label)], result.rows.map((r) => [
      r.workload, ...others.map((c) => times((c.time(r)?.medianMs ?? NaN) / r.peers[REFERENCE].medianMs)),
    ])));
  }
  for (const r of result.rows) {
    for (const [peer, why] of Object.entries(r.leftOut ?? {})) out.push('', `${r.workload}: ${peer} not run (${why}).`);
  }
  for (const r of result.rows) {
    const o = r.open;
    if (!o) continue;
    out.push('', `${r.workload}: opened from a ${mb(o.fileBytes)} ONNX file in ${ms(o.openMs)}; a recorded pass on it took ${ms(o.recordedMs)}.`);
    out.push(`It holds ${mb(o.weightsBytes)} of weights and ${mb(o.recordedBytes)} of recorded values; \`node scripts/measure-memory.mjs --model FILE\` measures resident memory in a fresh process.`);
  }
  if (training.length) {
    if (forward) out.push('');
    out.push(...trainingTables(training, result.engine?.all.threads));
  }
  out.push('');
  const m = result.measure;
  out.push(`Medians of interleaved runs after warm-up: at least ${m.minMillis} ms of runs per column, ≥${m.minReps} runs unless that takes over ${m.maxMillis} ms (slow workloads get fewer); outputs checked to agree first.`);
  if (forward) out.push('Peers run on one thread. layerstep: the ops in order, nothing recorded; rec: the stepping runner, continue() to the end, every value recorded.');
  const e = result.engine;
  if (e) out.push(`layerstep 1T / ${e.all.threads}T: the engine configured for 1 and ${e.all.threads} threads (WebAssembly SIMD ${e.one.simd ? 'on' : 'off'}, relaxed SIMD ${e.one.relaxedSimd ? 'on' : 'off'}).`);
  if (training.length) {
    out.push('Training step: forward, loss, backward and update on one batch. layerstep: the Trainer, train(1), each step run through the stepping runner with every value recorded; tfjs: optimizer.minimize on tf.variable weights. The losses of the first two steps are checked to agree first.');
  }
  for (const s of result.skipped) out.push(`${s.name}: skipped, ${s.reason}.`);
  return out.join('\n') + '\n';
}

/** The reference of the training table's ratios: TensorFlow.js's WebAssembly backend on one thread. */
const TRAIN_REFERENCE = 'tfjs-wasm';

/** The training step's medians by peer and the Trainer on one and all threads, then ratios to tfjs-wasm. */
function trainingTables(rows: readonly TrainRow[], allThreads: number | undefined): string[] {
  const peers = [...new Set(rows.flatMap((r) => [...Object.keys(r.peers), ...Object.keys(r.leftOut ?? {})]))];
  const cols: { label: string; time: (r: TrainRow) => Timing | undefined }[] = [
    ...peers.map((p) => ({ label: p, time: (r: TrainRow) => r.peers[p] })),
    { label: 'layerstep 1T', time: (r: TrainRow) => r.engine },
    ...(allThreads === undefined || !rows.some((r) => r.engineAll) ? [] : [{ label: `layerstep ${allThreads}T`, time: (r: TrainRow) => r.engineAll }]),
  ];
  const out = ['Training step: median times', ''];
  out.push(...table(['workload', ...cols.map((c) => c.label), 'loss'], rows.map((r) => [
    r.workload, ...cols.map((c) => ms(c.time(r)?.medianMs)), `${r.loss}, ${r.optimizer}`,
  ])));
  if (peers.includes(TRAIN_REFERENCE)) {
    const others = cols.filter((c) => c.label !== TRAIN_REFERENCE);
    out.push('', `Training step: times slower than TensorFlow.js wasm on one thread (${TRAIN_REFERENCE} = 1×)`, '');
    out.push(...table(['workload', ...others.map((c) => c.label)], rows.map((r) => [
      r.workload, ...others.map((c) => times((c.time(r)?.medianMs ?? NaN) / (r.peers[TRAIN_REFERENCE]?.medianMs ?? NaN))),
    ])));
  }
  for (const r of rows) {
    for (const [peer, why] of Object.entries(r.leftOut ?? {})) out.push('', `${r.workload} training: ${peer} not run (${why}).`);
  }
  return out;
}

/** The results as JSON for `--json FILE`: every raw median, the repetition counts and agreement, the engine's set-up. */
export function formatBenchJson(result: BenchResult, meta: Readonly<Record<string, string>>): string {
  return JSON.stringify({ ...meta, ...result }, null, 2) + '\n';
}
