import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileModelSource } from '../../../src/node/fileSource';
import { openModel } from '../../../src/loaders/registry';
import { expectClose, randomTensor } from '../engine/helpers';
import { run } from './tfjsHelpers';

/** A TF.js model saved to disk, opened from its files as the CLI and the extension open it. */

const dir = join(__dirname, '../../fixtures/tfjs/mlp');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfjs loader: models on disk', () => {
  it('opens mlp/model.json and its extensionless shards like TF.js does', async () => {
    const model = await openModel(new FileModelSource(join(dir, 'model.json')));
    expect(model.format).toBe('tfjs-layers');
    expect(model.inputs).toEqual([{ name: 'features', dtype: 'float32', shape: [null, 4] }]);
    expect(model.outputs).toEqual([{ name: 'probs', dtype: 'float32', shape: [null, 3] }]);

    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const shards = json.weightsManifest[0].paths.map((p: string) => readFileSync(join(dir, p)));
    const oracle = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: new Uint8Array(Buffer.concat(shards)).buffer,
    }));
    const x = randomTensor([1, 4], 41);
    const got = (await run(model, { features: x })).get('probs')!;
    const expected = oracle.predict(tf.tensor2d(Array.from(x.data), [1, 4])) as tf.Tensor;
    expectClose(got, await expected.data(), [1, 3], { atol: 1e-6, rtol: 1e-5 });
  });
});
