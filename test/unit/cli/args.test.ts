import { describe, expect, it } from 'vitest';
import { UsageError, parseArgs } from '../../../src/cli/args';

const usage = (argv: string[]): string => {
  try {
    parseArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};

describe('command line parsing', () => {
  it('parses each command with its flags', () => {
    expect(parseArgs(['run', 'm.json', '--input', 'in.npy', '--output=out.json']).command)
      .toEqual({ kind: 'run', model: 'm.json', input: 'in.npy', output: 'out.json' });
    expect(parseArgs(['trace', 'm.onnx', '--break', 'conv*', '--break=dense']).command)
      .toEqual({ kind: 'trace', model: 'm.onnx', input: undefined, breaks: ['conv*', 'dense'] });
    expect(parseArgs(['inspect', 'm.json', '--verbose'])).toEqual({ command: { kind: 'inspect', model: 'm.json' }, verbose: true });
    expect(parseArgs(['bench', '--quick', '--json', 'r.json']).command).toEqual({ kind: 'bench', quick: true, json: 'r.json' });
    expect(parseArgs(['bench']).command).toEqual({ kind: 'bench', quick: false, json: undefined });
  });

  it('takes a model path that starts with a dash after --', () => {
    expect(parseArgs(['inspect', '--', '-odd.json']).command).toEqual({ kind: 'inspect', model: '-odd.json' });
  });

  it('answers --help, help COMMAND and --version', () => {
    expect(parseArgs(['--help']).command).toEqual({ kind: 'help' });
    expect(usage([])).toBe('no command given.');
    expect(parseArgs(['run', '--help']).command).toEqual({ kind: 'help', topic: 'run' });
    expect(parseArgs(['help', 'trace']).command).toEqual({ kind: 'help', topic: 'trace' });
    expect(parseArgs(['--version']).command).toEqual({ kind: 'version' });
  });

  it('refuses what does not make sense, saying what is wrong', () => {
    expect(usage(['frobnicate'])).toBe("unknown command 'frobnicate'.");
    expect(usage(['run'])).toBe("'run' needs a MODEL file.");
    expect(usage(['run', 'a.json', 'b.json'])).toBe("'run' takes one MODEL file, got also 'b.json'.");
    expect(usage(['run', 'm.json', '--input'])).toBe("option '--input' needs a value.");
    expect(usage(['run', 'm.json', '--input', '--output', 'x.json'])).toBe("option '--input' needs a value.");
    expect(usage(['run', 'm.json', '--frob'])).toBe("unknown option '--frob'.");
    expect(usage(['run', 'm.json', '-x'])).toBe("unknown option '-x'.");
    expect(usage(['inspect', 'm.json', '--input', 'a.json'])).toBe("'inspect' does not take '--input'.");
    expect(usage(['run', 'm.json', '--break', 'x'])).toBe("'run' does not take '--break'.");
    expect(usage(['run', 'm.json', '--output', 'out.txt'])).toBe("--output 'out.txt' must be a tensor file ending in .json or .npy.");
    expect(usage(['run', 'm.json', '--input', 'a.json', '--input', 'b.json'])).toBe("option '--input' is given more than once.");
    expect(usage(['bench', 'extra'])).toBe("'bench' takes no arguments, got 'extra'.");
    expect(usage(['bench', '--quick=yes'])).toBe("option '--quick' takes no value.");
    expect(usage(['help', 'nope'])).toBe("unknown command 'nope'.");
  });

  it('takes --threads N for run, trace and bench, a whole number of at least 1', () => {
    expect(parseArgs(['run', 'm.onnx', '--threads', '2']).command).toMatchObject({ kind: 'run', threads: 2 });
    expect(parseArgs(['trace', 'm.onnx', '--threads=1']).command).toMatchObject({ kind: 'trace', threads: 1 });
    expect(parseArgs(['bench', '--quick', '--threads', '8']).command).toMatchObject({ kind: 'bench', threads: 8 });
    expect(parseArgs(['run', 'm.onnx']).command).toMatchObject({ threads: undefined });
    for (const bad of ['0', '-1', '1.5', 'two', '1e3', ' 2', '99999999999999999999']) {
      expect(usage(['run', 'm.onnx', `--threads=${bad}`])).toBe(`--threads '${bad}' must be a whole number of threads, 1 or more (e.g. --threads 4).`);
    }
    expect(usage(['run', 'm.onnx', '--threads'])).toBe("option '--threads' needs a value.");
    expect(usage(['inspect', 'm.onnx', '--threads', '2'])).toBe("'inspect' does not take '--threads'.");
    expect(usage(['run', 'm.onnx', '--threads', '2', '--threads', '3'])).toBe("option '--threads' is given more than once.");
  });
});
