import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { openModel } from '../../../src/loaders/registry';
import { modelSchema } from '../../../src/loaders/native/schema';
import { MemorySource } from './memorySource';
import { loadPendingWeights } from '../../../src/model/lazyWeights';

const root = join(__dirname, '../../..');
const fixtures = join(root, 'test/fixtures/native');
const schemaPath = join(root, 'docs/model.schema.json');

interface Entry {
  file: string;
  loads: boolean;
  schemaValid: boolean;
  error?: string;
  modules?: string[];
  output?: { name: string; shape: number[] };
  examples?: number;
}
const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as { fixtures: Entry[] };

/** Opens a fixture as the file `model.json` in its folder (messages then start with `model.json`). */
function source(file: string): MemorySource {
  return MemorySource.fromDir(dirname(join(fixtures, file)), basename(file), 'model.json');
}

let compiled: ReturnType<Ajv['compile']> | undefined;
/** The schema compiled once (compiling takes about half a second). */
function validator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  return compiled;
}

describe('native loader: fixture manifest', () => {
  for (const entry of manifest.fixtures) {
    it(`${entry.file} ${entry.loads ? 'loads' : 'is refused with a clear sentence'}`, async () => {
      const result = await openModel(source(entry.file)).then((m) => ({ model: m, error: '' }), (e: Error) => ({ model: undefined, error: e.message }));
      if (!entry.loads) {
        expect(result.error.slice(0, entry.error!.length)).toBe(entry.error);
        return;
      }
      expect(result.error).toBe('');
      const m = result.model!;
      expect(m.root.body.map((b) => b.id)).toEqual(entry.modules);
      expect(m.outputs[0]).toMatchObject({ name: entry.output!.name, shape: entry.output!.shape });
      expect(m.examples).toHaveLength(entry.examples ?? 0);
    });
  }

  it('reads F16 and BF16 weights from a safetensors file and finds unlisted weights by value name', async () => {
    const m = await openModel(source('safetensors/model.json'));
    await loadPendingWeights(m);
    expect(m.weights.get('out.kernel')!.toArray()).toEqual([1, -2, 0.5]);
    expect(m.weights.get('out.bias')!.toArray()).toEqual([0.25]);
    expect(m.weights.get('hidden.kernel')!.toArray()).toEqual([0.5, -1, 0.25, 1.5, 0.75, -0.5]);
  });
});

describe('docs/model.schema.json', () => {
  it('is the schema generated from the layer registry (UPDATE_SCHEMA=1 rewrites it)', () => {
    const generated = `${JSON.stringify(modelSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA) writeFileSync(schemaPath, generated);
    expect(readFileSync(schemaPath, 'utf8')).toBe(generated);
  });

  it('accepts exactly the fixtures the manifest calls schema-valid', () => {
    const validate = validator();
    for (const entry of manifest.fixtures) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(join(fixtures, entry.file), 'utf8'));
      } catch {
        expect(entry.schemaValid, entry.file).toBe(false);
        continue;
      }
      expect(validate(json), `${entry.file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(entry.schemaValid);
    }
  });

  it('leaves TF.js model.json files alone and refuses unknown top-level properties of our own', () => {
    const validate = validator();
    expect(validate({ format: 'layers-model', modelTopology: {}, weightsManifest: [] })).toBe(true);
    expect(validate({ format: 'layerstep/1', inputs: [{ shape: [1] }], layers: [{ type: 'relu' }] })).toBe(true);
    expect(validate({ format: 'layerstep/1', inputs: [{ shape: [1] }], layers: [{ type: 'relu' }], outputs: [] })).toBe(false);
    expect(validate({ format: 'layerstep/1', inputs: [{ shape: [1] }], layers: [{ type: 'dense' }] })).toBe(false);
    expect(validate({ format: 'layerstep/1', inputs: [{ shape: [1] }], layers: [{ type: 'dense', units: 2, unit: 3 }] })).toBe(false);
  });

  it('accepts every example model in examples/', () => {
    const validate = validator();
    const dir = join(root, 'examples');
    const models = existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d, 'model.json')).filter(existsSync) : [];
    for (const file of models) {
      const ok = validate(JSON.parse(readFileSync(file, 'utf8')));
      expect(ok, `${file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('describes every property it declares', () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      const obj = node as Record<string, unknown>;
      if (obj.properties && typeof obj.properties === 'object') {
        for (const [k, v] of Object.entries(obj.properties as Record<string, Record<string, unknown>>)) {
          if (!v.description) missing.push(`${path}.${k}`);
        }
      }
      for (const [k, v] of Object.entries(obj)) if (k !== 'if') walk(v, `${path}/${k}`);
    };
    walk(modelSchema(), '#');
    expect(missing).toEqual([]);
  });
});

describe('examples/ with the native loader', () => {
  const dir = join(root, 'examples');
  const folders = existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, 'model.json'))) : [];
  it.each(folders)('examples/%s/model.json loads', async (folder) => {
    const m = await openModel(MemorySource.fromDir(join(dir, folder)));
    expect(m.root.body.length).toBeGreaterThan(0);
  });
});
