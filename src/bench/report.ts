import type { BenchResult } from './bench';

function ms(t: number | undefined): string {
  if (t === undefined) return '–';
  return t >= 100 ? `${t.toFixed(0)} ms` : t >= 10 ? `${t.toFixed(1)} ms` : `${t.toFixed(2)} ms`;
}

function ratio(peer: number | undefined, engine: number): string {
  return peer === undefined ? '–' : `${(peer / engine).toFixed(2)}×`;
}

/**
 * The bench table: median times, the recording overhead, and each peer's time over the engine's (plain)
 * time, so a ratio above 1 means the engine is faster.
 */
export function formatBenchTable(result: BenchResult): string {
  const header = ['workload', 'engine', 'engine+rec', 'rec. overhead', ...result.peers, ...result.peers.map((p) => `${p}/engine`)];
  const rows = result.rows.map((r) => [
    r.workload,
    ms(r.engine.medianMs),
    ms(r.recorded.medianMs),
    `${r.overheadPct >= 0 ? '+' : ''}${r.overheadPct.toFixed(1)}%`,
    ...result.peers.map((p) => ms(r.peers[p]?.medianMs)),
    ...result.peers.map((p) => ratio(r.peers[p]?.medianMs, r.engine.medianMs)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(header), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
  out.push('');
  const m = result.measure;
  out.push(`Median times of ≥${m.minReps} interleaved rounds (≥${m.minMillis} ms per workload) after ${m.warmup} warm-up, one thread; outputs checked to agree first.`);
  out.push('engine: the ops in order, nothing recorded; engine+rec: the stepping runner, continue() to the end, every value recorded.');
  if (result.peers.length) out.push('peer/engine above 1× means the engine is faster.');
  for (const s of result.skipped) out.push(`${s.name}: skipped, ${s.reason}.`);
  return out.join('\n') + '\n';
}

/** The results as JSON for `--json FILE`: everything in the table and the repetition counts. */
export function formatBenchJson(result: BenchResult, meta: Readonly<Record<string, string>>): string {
  return JSON.stringify({ ...meta, ...result }, null, 2) + '\n';
}
