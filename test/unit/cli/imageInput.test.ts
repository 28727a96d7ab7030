import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../../src/cli/args';
import type { Io } from '../../../src/cli/errors';
import { helpText } from '../../../src/cli/help';
import { main } from '../../../src/cli/main';
import { parseTensorJson } from '../../../src/loaders/tensors';
import { encodeModel } from '../loaders/onnxHelpers';
import { encodePng } from '../loaders/pngEncoder';

/** `layerstep run|trace --input FILE.png` with the image options, in process (no build needed). */

let dir: string;
let model: string;
let png: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'layerstep-png-'));
  // Identity on a [1, 1, 2, 3] input: the output is the preprocessed image.
  model = join(dir, 'identity.onnx');
  writeFileSync(model, encodeModel({
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'], name: '/id/Identity' }],
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 1, 2, 3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, 1, 2, 3] }],
  }));
  png = join(dir, 'gray.png');
  writeFileSync(png, encodePng({ width: 3, height: 2, colorType: 0, samples: [0, 51, 102, 153, 204, 255] }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), stderrIsTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('image input on the command line', () => {
  it('parses the image options into a preprocess object', () => {
    expect(parseArgs(['run', 'm.onnx', '--input', 'd.png', '--size', '28,28', '--channels', '1', '--scale', '1/255',
      '--mean', '0.5', '--std=0.25,0.5,1', '--layout', 'nhwc']).command).toEqual({
      kind: 'run', model: 'm.onnx', input: 'd.png', output: undefined,
      preprocess: { size: [28, 28], channels: 1, scale: 1 / 255, mean: 0.5, std: [0.25, 0.5, 1], layout: 'NHWC' },
    });
    expect(parseArgs(['trace', 'm.onnx', '--input', 'd.png', '--size', '32x32']).command)
      .toMatchObject({ kind: 'trace', preprocess: { size: [32, 32] } });
  });

  it('refuses image options without a .png input, and bad values, as usage errors naming the option', () => {
    const usage = (argv: string[]) => {
      try {
        parseArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(usage(['run', 'm.onnx', '--size', '28,28'])).toBe('--size applies to an image input: give --input FILE.png.');
    expect(usage(['run', 'm.onnx', '--input', 'x.npy', '--scale', '2'])).toBe('--scale applies to an image input: give --input FILE.png.');
    expect(usage(['run', 'm.onnx', '--input', 'd.png', '--size', '28'])).toBe('--size must be [height, width], two whole numbers from 1 to 8192, got [28].');
    expect(usage(['run', 'm.onnx', '--input', 'd.png', '--channels', '4'])).toBe('--channels must be 1 (grayscale) or 3 (RGB), got 4.');
    expect(usage(['run', 'm.onnx', '--input', 'd.bmp'])).toBe("--input 'd.bmp' must be a tensor file ending in .json or .npy, or an image ending in .png.");
    expect(usage(['inspect', 'm.onnx', '--size', '1,1'])).toBe("'inspect' does not take '--size'.");
  });

  it('runs a model on a PNG, preprocessed as asked', async () => {
    const r = await run('run', model, '--input', png, '--scale', '1/51', '--mean', '1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const y = parseTensorJson('out', r.out).get('y')!;
    expect(y.shape).toEqual([1, 1, 2, 3]);
    expect(Array.from(y.data, (v) => Math.round(v * 1e5) / 1e5)).toEqual([-1, 0, 1, 2, 3, 4]);
  });

  it('says in one sentence why an image does not fit the model', async () => {
    const r = await run('run', model, '--input', png, '--size', '4,4');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`layerstep: ${png}: input 'x' expects shape [1, 1, 2, 3], but the preprocessed image is [1, 1, 4, 4]: set preprocess size, channels or layout to match.\n`);
  });

  it('documents the image options in the help of run', () => {
    const help = helpText('run');
    for (const flag of ['--size H,W', '--channels 1|3', '--scale S', '--mean', '--std', '--layout NCHW|NHWC']) expect(help).toContain(flag);
  });
});
