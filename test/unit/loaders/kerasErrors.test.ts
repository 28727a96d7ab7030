import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openModel } from '../../../src/loaders/registry';
import type { LoadOptions } from '../../../src/loaders/types';
import { MemorySource } from './memorySource';

/**
 * Broken Keras files (scripts/make-keras-fixtures.mjs writes them): each is refused with one sentence that
 * names the file and what is wrong, before anything of the size a hostile header claims is allocated.
 */

const DIR = join(__dirname, '../../fixtures/keras');
const bytes = (file: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, file)));

async function errorOf(file: string, data: Uint8Array = bytes(file), options: Partial<LoadOptions> = {}): Promise<string> {
  try {
    const model = await openModel(new MemorySource(`/models/${file}`, data), options);
    // Weights are read at the first run: read them all, as a run would.
    for (const w of model.pendingWeights?.values() ?? []) await w.load();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** One sentence on one line that starts with the file's name. */
function expectSentence(message: string, file: string): void {
  expect(message.startsWith(file), message).toBe(true);
  expect(message).toMatch(/^[^\n]+\.$/);
}

describe('keras loader: broken files', () => {
  const cases: [string, RegExp][] = [
    ['truncated.h5', /^truncated\.h5: is cut short: its HDF5 superblock says the file is 9338 bytes long, but it holds 4669\.$/],
    ['hostile-shape.h5', /^hostile-shape\.h5: dataset 'model_weights\/hidden\/hidden\/kernel:0' has shape \[5, 2147483647\] of 4-byte elements, 42949672940 bytes, more than the 9338 bytes of the file\.$/],
    ['missing-weights.keras', /^missing-weights\.keras: the archive holds no 'model\.weights\.h5'; a \.keras file holds config\.json, model\.weights\.h5 and metadata\.json\.$/],
    ['bomb.keras', /^bomb\.keras: entry 'model\.weights\.h5' declares 4294967280 bytes from \d+ stored bytes, which no honest zip holds \(a zip bomb or a damaged archive\)\.$/],
    ['truncated.keras', /^truncated\.keras: is not a complete zip archive/],
    ['weights-only.h5', /^weights-only\.h5: holds no 'model_config' attribute, so it holds weights only/],
    ['bad-config.h5', /^bad-config\.h5: its model_config is not valid JSON \(.+\), so the Keras model cannot be read\.$/],
  ];
  for (const [file, expected] of cases) {
    it(`refuses ${file}`, async () => {
      const message = await errorOf(file);
      expectSentence(message, file);
      expect(message).toMatch(expected);
    });
  }

  it('refuses a file that is neither HDF5 nor zip', async () => {
    const message = await errorOf('model.h5', new TextEncoder().encode('not a model at all'));
    expect(message).toBe('model.h5 is neither an HDF5 file (Keras 2 .h5) nor a zip archive (Keras 3 .keras).');
  });

  it('refuses a file larger than maxBytes, and zip entries that declare more than maxBytes', async () => {
    expect(await errorOf('mlp.h5', bytes('mlp.h5'), { maxBytes: 1000 })).toBe('mlp.h5 is 9338 bytes, more than the 1000 bytes a model may load (maxBytes).');
    const zip = bytes('volume.keras');
    const message = await errorOf('volume.keras', zip, { maxBytes: zip.length });
    expectSentence(message, 'volume.keras');
    expect(message).toMatch(new RegExp(`^volume\\.keras: its entries declare \\d+ bytes, more than the ${zip.length} bytes a model may load \\(maxBytes\\)\\.$`));
  });

  it('refuses every truncation of an .h5 and a .keras file with one sentence', async () => {
    for (const file of ['mlp.h5', 'volume.keras']) {
      const data = bytes(file);
      for (let cut = 0; cut < data.length; cut += Math.max(1, Math.floor(data.length / 97))) {
        const message = await errorOf(file, data.subarray(0, cut));
        expect(message, `${file} cut at ${cut}`).not.toBe('');
        expectSentence(message, file);
      }
    }
  });

  it('gives one sentence or a working model for files with damaged bytes anywhere', async () => {
    for (const file of ['mlp.h5', 'cnn.h5']) {
      const data = bytes(file);
      for (let at = 8; at < data.length; at += 89) {
        const damaged = data.slice();
        damaged.fill(0xff, at, at + 24);
        const message = await errorOf(file, damaged);
        if (message !== '') expectSentence(message, file);
      }
    }
  });

  it('names the layer when the config asks for a weight the file does not hold', async () => {
    const data = bytes('mlp.h5');
    const text = new TextDecoder('latin1').decode(data);
    // Rename the second layer in model_config only (same length), so its weights are not found.
    const at = text.indexOf('"name":"probs"');
    expect(at).toBeGreaterThan(0);
    const edited = data.slice();
    edited.set(new TextEncoder().encode('"name":"probz"'), at);
    const message = await errorOf('mlp.h5', edited);
    expect(message).toMatch(/^mlp\.h5 \(model_config\): layer 'probz' needs its weight 'kernel' \[8, 3\], but the file has none under 'probz\/' .*\.$/);
  });
});
