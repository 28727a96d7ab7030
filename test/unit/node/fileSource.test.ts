import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileModelSource } from '../../../src/node/fileSource';
import { ModelError } from '../../../src/model/errors';

let root: string;
let source: FileModelSource;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'layerstep-source-'));
  mkdirSync(join(root, 'model', 'shards'), { recursive: true });
  writeFileSync(join(root, 'model', 'model.json'), '{}');
  writeFileSync(join(root, 'model', 'weights.bin'), new Uint8Array([1, 2, 3]));
  writeFileSync(join(root, 'model', 'shards', 'a.bin'), new Uint8Array([9]));
  writeFileSync(join(root, 'secret.txt'), 'secret');
  symlinkSync(join(root, 'secret.txt'), join(root, 'model', 'escape.bin'));
  symlinkSync(join(root, 'model', 'weights.bin'), join(root, 'model', 'alias.bin'));
  source = new FileModelSource(join(root, 'model', 'model.json'), 'model/model.json');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('FileModelSource', () => {
  it('reads the model and files beside it, in subfolders too', async () => {
    expect(new TextDecoder().decode(await source.read())).toBe('{}');
    expect([...(await source.readSibling('weights.bin'))]).toEqual([1, 2, 3]);
    expect([...(await source.readSibling('shards/a.bin'))]).toEqual([9]);
    expect([...(await source.readSibling('./shards/../weights.bin'))]).toEqual([1, 2, 3]);
    expect(await source.statSibling('weights.bin')).toBe(3);
  });

  it('follows symlinks that stay in the folder', async () => {
    expect([...(await source.readSibling('alias.bin'))]).toEqual([1, 2, 3]);
  });

  it('answers undefined for a missing sibling, and a sentence when reading it', async () => {
    expect(await source.statSibling('nope.bin')).toBeUndefined();
    await expect(source.readSibling('nope.bin')).rejects.toThrow("model/model.json: 'nope.bin' does not exist beside the model.");
  });

  it('refuses absolute paths, .. escapes and symlinks out of the folder', async () => {
    await expect(source.readSibling(join(root, 'secret.txt'))).rejects.toThrow(/refuses to read .*: files beside a model are named by paths relative to the model's folder/);
    await expect(source.readSibling('../secret.txt')).rejects.toThrow("model/model.json: refuses to read '../secret.txt': the path leaves the model's folder.");
    await expect(source.readSibling('shards/../../secret.txt')).rejects.toThrow(/the path leaves the model's folder/);
    await expect(source.readSibling('escape.bin')).rejects.toThrow("model/model.json: refuses to read 'escape.bin': it is a link to a file outside the model's folder.");
    await expect(source.statSibling('escape.bin')).rejects.toBeInstanceOf(ModelError);
    await expect(source.statSibling('../secret.txt')).rejects.toBeInstanceOf(ModelError);
  });

  it('names the model file when it cannot be read', async () => {
    const missing = new FileModelSource(join(root, 'none.json'), 'none.json');
    await expect(missing.read()).rejects.toThrow('none.json: cannot read the model file (no such file).');
  });
});
