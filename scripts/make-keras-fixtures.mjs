// Writes the Keras fixtures of test/fixtures/keras/: small models built with @tensorflow/tfjs, their weights
// written in Keras' own layouts with h5wasm (HDF5) and fflate (zip), and a few broken files. Beside each good
// model, `<file>.oracle.json` holds the same model as TF.js artifacts (topology, weight specs, values), from
// which the tests build the TF.js model that checks our outputs.
//
//   node scripts/make-keras-fixtures.mjs
//
// Layouts written:
// - Keras 2 .h5: root attributes `model_config` (JSON), `keras_version`, `backend`; group `model_weights` with
//   `layer_names`, each layer a group with `weight_names` and its datasets at `<layer>/<weight name>`.
// - Keras 3 .keras: a zip of config.json (Keras 3 config: module / registered_name, dtype policies as objects,
//   InputLayer `batch_shape`, inbound_nodes as { args, kwargs } of __keras_tensor__), metadata.json and
//   model.weights.h5 (`layers/<layer>/vars/<i>`, nested models under `layers/<model>/layers/...`).
import * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm/node';
import { zipSync, strToU8 } from 'fflate';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'keras');
const TMP = mkdtempSync(join(tmpdir(), 'keras-fixtures-'));
const MTIME = new Date('2026-01-01T00:00:00Z');
const L = tf.layers;

await tf.setBackend('cpu');
await h5wasm.ready;
mkdirSync(OUT, { recursive: true });

/** Reproducible weights, variances positive, so that no layer is an identity by accident. */
function randomize(model, seed) {
  model.setWeights(model.weights.map((w, i) => {
    const positive = /variance/.test(w.originalName);
    return tf.randomUniform(w.shape, positive ? 0.5 : -0.5, positive ? 1.5 : 0.5, 'float32', seed + i);
  }));
}

/** TF.js artifacts of the model: what the tests load into TF.js as the oracle. */
async function oracle(model, file) {
  const topology = model.toJSON(null, false);
  const weights = await Promise.all(model.weights.map(async (w) => ({ name: w.originalName, shape: w.shape, values: Array.from(await w.read().data()) })));
  writeFileSync(join(OUT, `${file}.oracle.json`), `${JSON.stringify({ topology, weights })}\n`);
}

const maxLen = (names) => Math.max(1, ...names.map((n) => n.length));

/** A Keras 2 HDF5 model file, as tf.keras `model.save('x.h5')` writes it. */
async function kerasH5(model, file, { splitLayerNames = false } = {}) {
  const { class_name, config } = model.toJSON(null, false);
  const path = join(TMP, file);
  const f = new h5wasm.File(path, 'w');
  f.create_attribute('model_config', JSON.stringify({ class_name, config }));
  f.create_attribute('keras_version', '2.15.0');
  f.create_attribute('backend', 'tensorflow');
  const mw = f.create_group('model_weights');
  mw.create_attribute('keras_version', '2.15.0');
  mw.create_attribute('backend', 'tensorflow');
  const names = model.layers.map((l) => l.name);
  if (splitLayerNames) {
    // Keras splits a names attribute past HDF5's 64 KiB limit into numbered parts.
    const half = Math.ceil(names.length / 2);
    mw.create_attribute('layer_names0', names.slice(0, half), null, `A${maxLen(names)}`);
    mw.create_attribute('layer_names1', names.slice(half), null, `A${maxLen(names)}`);
  } else {
    mw.create_attribute('layer_names', names, null, `A${maxLen(names)}`);
  }
  for (const layer of model.layers) {
    const g = mw.create_group(layer.name);
    const weightNames = layer.weights.map((w) => `${w.originalName}:0`);
    g.create_attribute('weight_names', weightNames, null, `A${maxLen(weightNames)}`);
    for (const [i, w] of layer.weights.entries()) {
      const [scope, leaf] = [weightNames[i].split('/').slice(0, -1), weightNames[i].split('/').pop()];
      let at = g;
      for (const s of scope) at = at.keys().includes(s) ? at.get(s) : at.create_group(s);
      at.create_dataset({ name: leaf, data: new Float32Array(await w.read().data()), shape: w.shape, dtype: '<f4' });
    }
  }
  // Optimizer state is never read.
  f.create_group('optimizer_weights').create_dataset({ name: 'iter:0', data: new Float32Array([7]), shape: [], dtype: '<f4' });
  f.close();
  const bytes = readFileSync(path);
  writeFileSync(join(OUT, file), bytes);
  return bytes;
}

const DTYPE_POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'];

/** A TF.js (Keras 2 style) layer config rewritten as Keras 3 serialises it. */
function keras3Layer(layer, shapes, modelLayers) {
  const cls = layer.class_name === 'Model' ? 'Functional' : layer.class_name;
  if (cls === 'InputLayer') {
    const { batch_input_shape, dtype, name, sparse } = layer.config;
    return { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: batch_input_shape, dtype, sparse: sparse ?? false, name }, registered_name: null, name, inbound_nodes: [] };
  }
  const isModel = MODEL_CLASSES.includes(cls);
  const config = isModel ? keras3Model(layer).config : { ...layer.config, dtype: DTYPE_POLICY };
  delete config.batch_input_shape;
  const tensor = ([name, node, index]) => ({
    class_name: '__keras_tensor__',
    // Keras 3 counts a nested model's calls from 0; Keras 2 and TF.js from 1.
    config: { shape: shapes.get(name), dtype: 'float32', keras_history: [name, modelLayers.has(name) ? node - 1 : node, index] },
  });
  const inbound = (layer.inbound_nodes ?? []).map((call) => ({ args: call.length === 1 ? [tensor(call[0])] : [call.map(tensor)], kwargs: {} }));
  return { module: isModel ? 'keras' : 'keras.layers', class_name: cls, config, registered_name: isModel ? cls : null, name: layer.config.name, inbound_nodes: inbound };
}

/** A TF.js model's topology as a Keras 3 config.json. */
function keras3Model(topology, model) {
  const cls = topology.class_name === 'Model' ? 'Functional' : topology.class_name;
  const c = topology.config;
  const shapes = new Map();
  if (model) for (const l of model.layers) shapes.set(l.name, [null, ...l.outputShape.slice(1)]);
  const nested = new Set((c.layers ?? []).filter((l) => MODEL_CLASSES.includes(l.class_name)).map((l) => l.config.name));
  let layers = c.layers.map((l) => keras3Layer(l, shapes, nested));
  if (cls === 'Sequential' && c.layers[0]?.config.batch_input_shape) {
    const name = `${c.name}_input`;
    layers = [{ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: c.layers[0].config.batch_input_shape, dtype: 'float32', sparse: false, name }, registered_name: null }, ...layers];
    for (const l of layers) delete l.inbound_nodes;
  }
  const ref = ([name, node, index]) => [name, nested.has(name) ? node - 1 : node, index];
  const config = { name: c.name, trainable: true, layers };
  if (cls !== 'Sequential') Object.assign(config, { input_layers: c.input_layers.map(ref), output_layers: c.output_layers.map(ref) });
  else config.dtype = DTYPE_POLICY;
  return { module: 'keras', class_name: cls, config, registered_name: cls, build_config: {}, compile_config: null };
}

/** model.weights.h5 as Keras 3 saves it; `extra` adds groups the loader must skip. */
async function keras3Weights(model, path) {
  const f = new h5wasm.File(path, 'w');
  f.create_group('vars');
  const layersGroup = f.create_group('layers');
  const writeVars = async (g, weights) => {
    const vars = g.create_group('vars');
    for (const [i, w] of weights.entries()) {
      vars.create_dataset({ name: String(i), data: new Float32Array(await w.read().data()), shape: w.shape, dtype: '<f4' });
    }
  };
  const write = async (container, m) => {
    for (const layer of m.layers) {
      const g = container.create_group(layer.name);
      if (layer.layers) {
        g.create_group('vars');
        await write(g.create_group('layers'), layer);
      } else if (layer.forwardLayer) {
        // Bidirectional: each direction is a recurrent layer whose variables live in its cell.
        g.create_group('vars');
        for (const [key, sub] of [['forward_layer', layer.forwardLayer], ['backward_layer', layer.backwardLayer]]) {
          const d = g.create_group(key);
          d.create_group('vars');
          await writeVars(d.create_group('cell'), sub.weights);
        }
      } else if (layer.cell) {
        g.create_group('vars');
        await writeVars(g.create_group('cell'), layer.weights);
      } else {
        await writeVars(g, layer.weights);
      }
    }
  };
  await write(layersGroup, model);
  f.create_group('optimizer').create_group('vars').create_dataset({ name: '0', data: new Float32Array([3]), shape: [], dtype: '<f4' });
  f.close();
  return readFileSync(path);
}

async function kerasArchive(model, file, { omit = [] } = {}) {
  const config = keras3Model(model.toJSON(null, false), model);
  const weights = await keras3Weights(model, join(TMP, `${file}.weights.h5`));
  const entries = {
    'metadata.json': strToU8(JSON.stringify({ keras_version: '3.3.3', date_saved: '2026-01-01@00:00:00' })),
    'config.json': strToU8(JSON.stringify(config)),
    'model.weights.h5': weights,
  };
  for (const o of omit) delete entries[o];
  const zip = zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: 6, mtime: MTIME }]])));
  writeFileSync(join(OUT, file), zip);
  return zip;
}

// --- good models -----------------------------------------------------------------------------------------

const mlp = tf.sequential({ name: 'mlp', layers: [
  L.dense({ units: 8, activation: 'relu', inputShape: [5], name: 'hidden' }),
  L.dense({ units: 3, activation: 'softmax', name: 'probs' }),
] });
randomize(mlp, 11);
const mlpBytes = await kerasH5(mlp, 'mlp.h5');
await oracle(mlp, 'mlp.h5');

{
  const x = tf.input({ shape: [8, 8, 3], name: 'image' });
  let y = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }).apply(x);
  y = L.batchNormalization({ name: 'bn1' }).apply(y);
  y = L.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(y);
  y = L.conv2d({ filters: 6, kernelSize: 3, padding: 'valid', name: 'conv2' }).apply(y);
  y = L.averagePooling2d({ poolSize: 2, name: 'pool2' }).apply(y);
  y = L.flatten({ name: 'flat' }).apply(y);
  y = L.dense({ units: 3, name: 'logits' }).apply(y);
  const cnn = tf.model({ inputs: x, outputs: y, name: 'cnn' });
  randomize(cnn, 23);
  await kerasH5(cnn, 'cnn.h5', { splitLayerNames: true });
  await oracle(cnn, 'cnn.h5');
}

let volBytes;
{
  const x = tf.input({ shape: [4, 6, 6, 2], name: 'volume' });
  const c1 = L.conv3d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(x);
  const c2 = L.conv3d({ filters: 3, kernelSize: 1, name: 'c2' }).apply(c1);
  const res = L.add({ name: 'residual' }).apply([c1, c2]);
  const pooled = L.maxPooling3d({ poolSize: 2, name: 'pool' }).apply(res);
  const flat = L.flatten({ name: 'flat' }).apply(pooled);
  const head = tf.sequential({ name: 'head', layers: [
    L.dense({ units: 4, inputShape: [54], name: 'head_dense' }),
    L.batchNormalization({ name: 'head_bn' }),
  ] });
  const out = head.apply(flat);
  const vol = tf.model({ inputs: x, outputs: out, name: 'volume_net' });
  randomize(vol, 37);
  volBytes = await kerasArchive(vol, 'volume.keras');
  await oracle(vol, 'volume.keras');
  await kerasArchive(vol, 'missing-weights.keras', { omit: ['model.weights.h5'] });
}

{
  const rnn = tf.sequential({ name: 'sequence_net', layers: [
    L.bidirectional({ layer: L.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }), mergeMode: 'concat', inputShape: [5, 3], name: 'bi' }),
    L.simpleRNN({ units: 3, activation: 'tanh', name: 'rnn' }),
    L.dense({ units: 2, name: 'out' }),
  ] });
  randomize(rnn, 53);
  await kerasArchive(rnn, 'sequence.keras');
  await oracle(rnn, 'sequence.keras');
}

// --- broken files ----------------------------------------------------------------------------------------

// Cut short: the superblock is there, the objects it points to are not.
writeFileSync(join(OUT, 'truncated.h5'), mlpBytes.subarray(0, Math.floor(mlpBytes.length / 2)));

// A dataset whose header claims [5, 2^31 - 1] elements: the kernel's dimensions (and maximum dimensions, which
// the dataspace message stores right after them) rewritten in place.
{
  const bytes = Buffer.from(mlpBytes);
  const dims = Buffer.alloc(16);
  dims.writeBigUInt64LE(5n, 0);
  dims.writeBigUInt64LE(8n, 8);
  const hits = [];
  for (let at = bytes.indexOf(dims); at >= 0; at = bytes.indexOf(dims, at + 1)) hits.push(at);
  if (hits.length < 1 || hits.length > 2 || (hits.length === 2 && hits[1] !== hits[0] + 16)) throw new Error(`the kernel's dataspace is not found once (${hits})`);
  for (const at of hits) bytes.writeBigUInt64LE(2n ** 31n - 1n, at + 8);
  writeFileSync(join(OUT, 'hostile-shape.h5'), bytes);
}

// The archive cut short: its central directory is gone.
writeFileSync(join(OUT, 'truncated.keras'), volBytes.subarray(0, Math.floor(volBytes.length * 0.6)));

// model.weights.h5 declaring 4 GB uncompressed (local header and central directory both say so).
{
  const bytes = Buffer.from(volBytes);
  const name = Buffer.from('model.weights.h5');
  for (let i = 0; i + 46 < bytes.length; i++) {
    const sig = bytes.readUInt32LE(i);
    if (sig === 0x04034b50 && bytes.subarray(i + 30, i + 30 + name.length).equals(name)) bytes.writeUInt32LE(0xfffffff0, i + 22);
    if (sig === 0x02014b50 && bytes.subarray(i + 46, i + 46 + name.length).equals(name)) bytes.writeUInt32LE(0xfffffff0, i + 24);
  }
  writeFileSync(join(OUT, 'bomb.keras'), bytes);
}

// Weights only (model.save_weights): no model_config.
{
  const path = join(TMP, 'weights-only.h5');
  const f = new h5wasm.File(path, 'w');
  f.create_attribute('layer_names', ['hidden'], null, 'A6');
  f.create_group('hidden').create_attribute('weight_names', ['hidden/bias:0'], null, 'A13');
  f.close();
  writeFileSync(join(OUT, 'weights-only.h5'), readFileSync(path));
}

// A model_config that is not JSON.
{
  const path = join(TMP, 'bad-config.h5');
  const f = new h5wasm.File(path, 'w');
  f.create_attribute('model_config', '{"class_name": "Sequential", "config": {"layers": [');
  f.create_group('model_weights').create_attribute('layer_names', ['x'], null, 'A1');
  f.close();
  writeFileSync(join(OUT, 'bad-config.h5'), readFileSync(path));
}

rmSync(TMP, { recursive: true, force: true });
console.log(`fixtures written to ${OUT}`);
