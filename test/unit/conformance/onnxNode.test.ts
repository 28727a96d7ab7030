import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../../src/engine/tensor';
import { ByteBudget } from '../../../src/loaders/onnx/budget';
import { decodeTensorProto } from '../../../src/loaders/onnx/decode';
import { onnxLoader } from '../../../src/loaders/onnx/index';
import { decodeTensor } from '../../../src/loaders/onnx/tensors';
import { DEFAULT_LOAD_OPTIONS } from '../../../src/loaders/types';
import type { ModelSource } from '../../../src/loaders/types';
import { Runner } from '../../../src/runner/runner';

/**
 * The ONNX project's backend node tests (../shared/conformance/onnx-node, see its README), every one run
 * through the ONNX loader and the runner (all nodes in order) and compared with the expected outputs:
 * float32 within rtol 1e-3 + atol 1e-4 (as ONNX's backend tests), integers and bools exactly, dtypes and
 * shapes equal. The cases known to fail are listed below with the reason, mirrored in docs/onnx.md; a
 * listed case that starts passing fails the test too, so the list stays honest.
 */

const CASES_DIR = resolve(__dirname, '../../../../shared/conformance/onnx-node');
const HAVE_CASES = existsSync(join(CASES_DIR, 'index.json'));

/** Cases that fail, and why. Keep in step with the table in docs/onnx.md ("Conformance"). */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  test_identity_opt: 'its input is an optional value (OptionalProto); the engine has tensors only',
  test_identity_sequence: 'its input is a sequence (SequenceProto); the engine has tensors only',
  test_maxpool_2d_uint8: "the engine's maxPool computes in float32, so a uint8 input gives a float32 output (with the right values)",
};

const RTOL = 1e-3;
const ATOL = 1e-4;

/** A folder on disk as a model source (the case folders hold no external data). */
function folderSource(dir: string): ModelSource {
  return {
    name: join(dir, 'model.onnx'),
    read: async () => new Uint8Array(readFileSync(join(dir, 'model.onnx'))),
    readSibling: async (p) => new Uint8Array(readFileSync(join(dir, p))),
    statSibling: async () => undefined,
  };
}

function readTensor(path: string): Tensor {
  const budget = new ByteBudget(DEFAULT_LOAD_OPTIONS.maxBytes, path);
  return decodeTensor(decodeTensorProto(readFileSync(path), path), path, { file: path, budget });
}

/** Why `got` differs from `want`, or undefined when it matches. */
function mismatch(name: string, got: Tensor | undefined, want: Tensor): string | undefined {
  if (!got) return `output '${name}' was not produced`;
  if (got.dtype !== want.dtype) return `output '${name}' is ${got.dtype}, expected ${want.dtype}`;
  if (got.shape.join(',') !== want.shape.join(',')) return `output '${name}' has shape [${got.shape}], expected [${want.shape}]`;
  const exact = want.dtype !== 'float32';
  for (let i = 0; i < want.size; i++) {
    const a = got.data[i];
    const e = want.data[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : exact || !Number.isFinite(e) ? a === e : Math.abs(a - e) <= ATOL + RTOL * Math.abs(e);
    if (!ok) return `output '${name}' differs at flat index ${i}: got ${a}, expected ${e}`;
  }
  return undefined;
}

/** Runs one case; returns undefined when it passes, else the reason. */
async function runCase(name: string): Promise<string | undefined> {
  const dir = join(CASES_DIR, name);
  const data = join(dir, 'test_data_set_0');
  try {
    const model = await onnxLoader.open(folderSource(dir), DEFAULT_LOAD_OPTIONS);
    const inputs: Record<string, Tensor> = {};
    model.inputs.forEach((v, i) => {
      const file = join(data, `input_${i}.pb`);
      if (existsSync(file)) inputs[v.name] = readTensor(file);
    });
    const runner = new Runner(model, inputs);
    await runner.continue();
    if (runner.error) return runner.error.message;
    const outputs = runner.outputs();
    for (const [i, v] of model.outputs.entries()) {
      const why = mismatch(v.name, outputs.get(v.name), readTensor(join(data, `output_${i}.pb`)));
      if (why) return why;
    }
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const names = HAVE_CASES ? readdirSync(CASES_DIR).filter((n) => n.startsWith('test_')).sort() : [];
const results = new Map<string, string | undefined>();

describe.skipIf(!HAVE_CASES)('ONNX backend node tests through the ONNX loader and the runner', () => {
  it('lists only cases that exist, the same ones with the same reasons as docs/onnx.md', () => {
    expect(Object.keys(KNOWN_FAILURES).filter((n) => !names.includes(n))).toEqual([]);
    const docs = readFileSync(resolve(__dirname, '../../../docs/onnx.md'), 'utf8');
    const documented = Object.fromEntries([...docs.matchAll(/^\| `(test_\w+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]));
    expect(documented).toEqual(KNOWN_FAILURES);
  });

  for (const name of names) {
    const known = KNOWN_FAILURES[name];
    it(known ? `${name} (known failure: ${known})` : name, async () => {
      const failure = await runCase(name);
      results.set(name, failure);
      if (known) expect(failure, `${name} passes now: remove it from KNOWN_FAILURES and docs/onnx.md`).toBeDefined();
      else expect(failure).toBeUndefined();
    });
  }

  afterAll(() => {
    const passed = [...results.values()].filter((r) => r === undefined).length;
    console.log(`ONNX node conformance: ${passed} of ${names.length} cases pass (${((100 * passed) / Math.max(names.length, 1)).toFixed(1)}%)`);
  });
});
