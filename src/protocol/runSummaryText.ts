import type { FrameHealth, RunSummary, SummaryRow } from './engine';
import { healthParts, percent } from './healthBadge';

/**
 * A run's summary (src/runner/runSummary.ts) as text: the CLI's table, Markdown and CSV (the CLI's `--markdown`
 * and `--csv`, the panel's Copy as Markdown and Save as CSV). Pure, and shared by the CLI, the host and the panel.
 */

/** `1,234`. */
export function countText(n: number): string {
  return n.toLocaleString('en-US');
}

/** FLOPs for people: `812`, `1.2K`, `3.4M`, `5.6G`. */
export function flopsText(n: number): string {
  if (n < 1000) return String(n);
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${Number(v.toPrecision(3))}${units[u]}`;
}

/** Bytes for people: `512 B`, `1.5 KiB`, `3.2 MiB`. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Milliseconds: `0.012`, `1.23`, `45.6`; `—` when not run. */
export function msText(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 0.01 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

export function shapeText(shape: readonly number[] | null): string {
  return shape ? `[${shape.join(', ')}]` : '—';
}

/**
 * The health cell: NaN and Inf counts, dead units of a relu-like output and saturated units of a sigmoid or tanh
 * one, with `⚠` first when something is notable (see src/protocol/healthBadge.ts).
 */
export function healthCell(h: FrameHealth | null): string {
  if (!h) return '';
  const parts: string[] = [];
  if (h.nan) parts.push(`NaN×${h.nan}`);
  if (h.inf) parts.push(`Inf×${h.inf}`);
  if (h.dead !== undefined) parts.push(`dead ${percent(h.dead)}`);
  if (h.saturated !== undefined) parts.push(`sat ${percent(h.saturated)}`);
  const text = parts.join(' ');
  return healthParts(h).length ? `⚠ ${text}` : text;
}

export const SUMMARY_COLUMNS = ['Layer', 'Type', 'Output shape', 'Params', 'FLOPs', 'Time (ms)', 'Output bytes', 'Health'] as const;

/** The cells of one row, as the text table and Markdown show them (the name without its indent). */
export function rowCells(r: SummaryRow): string[] {
  return [
    r.name, r.type, shapeText(r.shape), r.params ? countText(r.params) : '0', flopsText(r.flops), msText(r.timeMs),
    bytesText(r.bytes), r.error ? `✖ ${r.error}` : healthCell(r.health),
  ];
}

function totalCells(s: RunSummary): string[] {
  const t = s.totals;
  const bad = [t.nan ? `NaN×${t.nan}` : '', t.inf ? `Inf×${t.inf}` : ''].filter(Boolean).join(' ');
  return ['Total', '', '', countText(t.params), flopsText(t.flops), msText(t.timeMs), bytesText(t.bytes), bad];
}

/** The summary as a plain-text table, names indented by depth, then totals and the weights' size. */
export function summaryTable(s: RunSummary): string {
  const body = s.rows.map((r) => {
    const cells = rowCells(r);
    cells[0] = `${'  '.repeat(r.depth)}${cells[0]}`;
    return cells;
  });
  const total = totalCells(s);
  const all = [[...SUMMARY_COLUMNS], ...body, total];
  // The last column (health, an error sentence) is not padded: it is the one that may run long.
  const widths = SUMMARY_COLUMNS.map((_, c) => Math.max(...all.map((cells) => cells[c].length)));
  const right = new Set([3, 4, 5, 6]);
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.slice(0, -1).reduce((a, w) => a + w + 2, 0) + Math.min(widths[widths.length - 1], 12));
  const lines = [line(all[0]), rule, ...body.map(line), rule, line(total)];
  lines.push(`weights: ${bytesText(s.totals.weightBytes)}`);
  return lines.join('\n') + '\n';
}

const mdCell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The summary as a Markdown table (names indented by depth with non-breaking spaces), with a totals row. */
export function summaryMarkdown(s: RunSummary): string {
  const head = `| ${SUMMARY_COLUMNS.join(' | ')} |`;
  const align = `|${SUMMARY_COLUMNS.map((_, i) => (i >= 3 && i <= 6 ? ' ---: ' : ' --- ')).join('|')}|`;
  const rows = s.rows.map((r) => {
    const cells = rowCells(r).map(mdCell);
    cells[0] = `${'\u00a0\u00a0'.repeat(r.depth)}${cells[0]}`;
    return `| ${cells.join(' | ')} |`;
  });
  const total = totalCells(s).map(mdCell);
  total[0] = `**${total[0]}**`;
  const lines = [`**${mdCell(s.model)}**: run summary`, '', head, align, ...rows, `| ${total.join(' | ')} |`, '', `Weights: ${bytesText(s.totals.weightBytes)}.`];
  if (s.failed) lines.push(`Failed at **${mdCell(s.failed.name)}**: ${mdCell(s.failed.message)}`);
  return lines.join('\n') + '\n';
}

const csvCell = (v: string | number | null | undefined): string => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const CSV_COLUMNS = [
  'path', 'name', 'depth', 'kind', 'type', 'shape', 'params', 'flops', 'time_ms', 'bytes', 'weight_bytes',
  'nan', 'inf', 'max_abs', 'scale', 'dead', 'zeros', 'saturated', 'error',
] as const;

/** The summary as CSV (RFC 4180): one line per row with raw numbers (shares 0..1), then a `total` line. */
export function summaryCsv(s: RunSummary): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of s.rows) {
    const h = r.health;
    lines.push([
      r.path, r.name, r.depth, r.kind, r.type, r.shape ? r.shape.join('x') : '', r.params, r.flops, r.timeMs, r.bytes, r.weightBytes,
      h?.nan, h?.inf, h?.maxAbs, h?.scale, h?.dead, h?.zeros, h?.saturated, r.error,
    ].map(csvCell).join(','));
  }
  const t = s.totals;
  lines.push(['', 'total', '', '', '', '', t.params, t.flops, t.timeMs, t.bytes, t.weightBytes, t.nan, t.inf, '', '', '', '', '', s.failed?.message].map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}
