import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { spawnCli } from './spawnCli';

/** `layerstep inspect MODEL --run`: the summary of an actual run, spawned on fixtures (dist/ built by the global set-up). */

const known = resolve(__dirname, '../../fixtures/summary/known.json');
const fails = resolve(__dirname, '../../fixtures/summary/fails.json');
let tmp: string;
const cli = (...args: string[]) => spawnCli(tmp, args);

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'layerstep-inspect-run-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const usage = (argv: string[]): string => {
  try {
    parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('inspect --run flags', () => {
  it('takes --run with --input, --shape, --threads and one of --json, --markdown, --csv', () => {
    expect(parseArgs(['inspect', 'm.json', '--run']).command).toEqual({ kind: 'inspect', model: 'm.json', run: { format: 'text' } });
    expect(parseArgs(['inspect', 'm.json', '--run', '--input', 'x.npy', '--json']).command)
      .toEqual({ kind: 'inspect', model: 'm.json', run: { input: 'x.npy', format: 'json' } });
    expect(parseArgs(['inspect', 'm.json', '--run', '--csv', '--threads', '2']).command).toMatchObject({ run: { format: 'csv', threads: 2 } });
    expect(usage(['inspect', 'm.json', '--run', '--json', '--csv'])).toBe("'inspect --run' prints one format, got both --json and --csv.");
    expect(usage(['inspect', 'm.json', '--run', '--input', 'x.txt'])).toBe("--input 'x.txt' must be a tensor file ending in .json or .npy, or an image ending in .png.");
  });

  it('keeps inspect without --run as it was: the flags of a run are refused', () => {
    expect(parseArgs(['inspect', 'm.json']).command).toEqual({ kind: 'inspect', model: 'm.json' });
    expect(usage(['inspect', 'm.json', '--input', 'a.json'])).toBe("'inspect' does not take '--input'.");
    expect(usage(['inspect', 'm.json', '--json'])).toBe("'inspect' does not take '--json'.");
    expect(usage(['run', 'm.json', '--run'])).toBe("'run' does not take '--run'.");
  });
});

describe('layerstep inspect --run', () => {
  it('prints a table of the run, indented by depth, with totals', () => {
    const r = cli('inspect', known, '--run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("summary of known on example 'rising'");
    expect(lines[2]).toMatch(/^Layer +Type +Output shape +Params +FLOPs +Time \(ms\) +Output bytes +Health$/);
    expect(r.stdout).toMatch(/\n {4}relu +relu +\[2, 4\] +0 +8 +[\d.]+ +32 B +⚠ dead 50%\n/);
    expect(r.stdout).toMatch(/\nTotal +26 +104 +[\d.]+ +144 B\n/);
    expect(r.stdout).toContain('weights: 104 B');
  });

  it('prints the documented JSON', () => {
    const r = cli('inspect', known, '--run', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['model', 'input', 'rows', 'totals']);
    expect(j.input).toEqual({ kind: 'example', name: 'rising' });
    expect(Object.keys(j.rows[0])).toEqual(['name', 'path', 'depth', 'kind', 'type', 'shape', 'params', 'flops', 'timeMs', 'bytes', 'weightBytes', 'health']);
    expect(j.rows[4]).toMatchObject({ name: 'relu', path: 'known/hidden/relu', depth: 2, kind: 'node', type: 'relu', shape: [2, 4], params: 0, flops: 8, bytes: 32 });
    expect(j.rows[4].health).toMatchObject({ nan: 0, inf: 0, dead: 0.5, units: 4 });
    expect(j.totals).toMatchObject({ params: 26, flops: 104, bytes: 144, weightBytes: 104 });
  });

  it('runs on --input as run does', () => {
    const input = join(tmp, 'zeros.json');
    writeFileSync(input, JSON.stringify({ x: { shape: [2, 3], data: [0, 0, 0, 0, 0, 0] } }));
    const j = JSON.parse(cli('inspect', known, '--run', '--input', input, '--json').stdout);
    expect(j.input).toEqual({ kind: 'file', path: input });
    // All zeros in: every relu unit is dead.
    expect(j.rows[4].health.dead).toBe(1);
  });

  it('exports Markdown and CSV', () => {
    expect(cli('inspect', known, '--run', '--markdown').stdout).toContain('| **Total** |');
    const csv = cli('inspect', known, '--run', '--csv').stdout.split('\r\n');
    expect(csv[0]).toMatch(/^path,name,depth,/);
  });

  it('prints the rows up to a failing layer, marks it, says the error and exits 1', () => {
    const r = cli('inspect', fails, '--run');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\n {4}gather +gather +— +8 +0 +— +0 B +✖ fails\.json line 7: layer 'embed', op gather/);
    expect(r.stderr).toMatch(/^layerstep: fails\.json line 7: layer 'embed', op gather \(embed\/gather\): index 9 .*\n$/);
    const j = JSON.parse(cli('inspect', fails, '--run', '--json').stdout);
    expect(j.failed).toMatchObject({ name: 'gather' });
    expect(j.rows.map((x: { name: string }) => x.name)).toEqual(['fails', 'embed', 'gather']);
  });
});
