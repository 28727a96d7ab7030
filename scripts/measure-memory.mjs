// Resident memory after loading a large ONNX model and one recorded run, through the CLI's code path
// (FileModelSource → loadModel → pending weights read → Runner.continue). Not run by the tests:
//
//   node scripts/measure-memory.mjs [megabytes of weights, default 300]
//   node scripts/measure-memory.mjs --model FILE     (any model file, e.g. the bench's GPT-2 stack)
//
// It writes an ONNX chain of square MatMuls whose initializers add up to about that size to a temporary
// folder, then measures in a fresh `node --expose-gc` process: rss and arrayBuffers after a full gc, next to
// the weights' and recorded values' bytes. The target is rss ≤ (weights + recorded values) × 1.2 + the
// baseline of an empty process that has loaded the same code (measured first, in the same process).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelArg = process.argv.indexOf('--model');
const given = modelArg >= 0 ? process.argv[modelArg + 1] : undefined;
const megabytes = given ? 0 : Number(process.argv[2] ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'layerstep-memory-'));

/** Writes model.onnx: x[1, n] through `layers` MatMuls by n×n float32 weights (seeded, small values). */
const makeModel = `
import { writeFileSync } from 'node:fs';
import { onnx } from './src/loaders/onnx/proto';
const [file, mb] = [process.argv[2], Number(process.argv[3])];
const n = 2048;
const layers = Math.max(1, Math.round((mb * 1024 * 1024) / (n * n * 4)));
const node: onnx.INodeProto[] = [];
const initializer: onnx.ITensorProto[] = [];
let seed = 1;
let x = 'x';
for (let l = 0; l < layers; l++) {
  const w = new Float32Array(n * n);
  for (let i = 0; i < w.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; w[i] = (seed / 2 ** 32 - 0.5) / n; }
  initializer.push({ name: 'w' + l, dims: [n, n], dataType: 1, rawData: new Uint8Array(w.buffer) });
  node.push({ name: 'mm' + l, opType: 'MatMul', input: [x, 'w' + l], output: ['y' + l] });
  x = 'y' + l;
}
const info = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: n }] } } } });
const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'measure-memory', opsetImport: [{ domain: '', version: 17 }],
  graph: { name: 'chain', node, initializer, input: [info('x')], output: [info(x)] } });
writeFileSync(file, onnx.ModelProto.encode(model).finish());
console.log(JSON.stringify({ layers, n }));
`;

/** Loads and runs the model the way \`layerstep run\` does, and reports memory after a full gc. */
const measure = `
import { openModelFile, createRunner } from './src/cli/session';
import { Tensor } from './src/engine/tensor';
const gc = (globalThis as { gc?: () => void }).gc!;
const mb = (b: number) => Math.round(b / 2 ** 20);
const usage = () => { gc(); gc(); const m = process.memoryUsage(); return { rss: m.rss, arrayBuffers: m.arrayBuffers }; };
async function main(): Promise<void> {
  const base = usage();
  const model = await openModelFile(process.argv[2]);
  let weightBytes = 0;
  for (const t of model.weights.values()) weightBytes += t.bytes;
  const loaded = usage();
  const info = model.inputs[0];
  const x = Tensor.zeros(info.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1)), 'float32');
  for (let i = 0; i < x.size; i++) x.data[i] = Math.sin(i);
  const runner = createRunner(model, new Map([[info.name, x]]));
  await runner.continue();
  if (!runner.finished) throw new Error('the run did not finish');
  let recordedBytes = 0;
  for (const v of runner.recorded()) recordedBytes += v.kept ? runner.value(v.name).bytes : 0;
  const ran = usage();
  const ceiling = base.rss + 1.2 * (weightBytes + recordedBytes);
  console.log(JSON.stringify({
    baselineRssMB: mb(base.rss), weightsMB: mb(weightBytes), recordedMB: mb(recordedBytes),
    afterLoad: { rssMB: mb(loaded.rss), arrayBuffersMB: mb(loaded.arrayBuffers) },
    afterRun: { rssMB: mb(ran.rss), arrayBuffersMB: mb(ran.arrayBuffers) },
    ceilingMB: mb(ceiling), withinTarget: ran.rss <= ceiling,
  }));
}
void main();
`;

function bundle(source, name) {
  const outfile = join(dir, name);
  esbuild.buildSync({
    stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: name.replace(/\.cjs$/, '.ts') },
    outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
    mainFields: ['module', 'main'], define: { LAYERSTEP_TEST_HOOKS: 'false' },
  });
  return outfile;
}

try {
  const model = given ?? join(dir, 'model.onnx');
  const shape = given ? JSON.stringify(given) : execFileSync(process.execPath, [bundle(makeModel, 'make.cjs'), model, String(megabytes)], { encoding: 'utf8' }).trim();
  const report = execFileSync(process.execPath, ['--expose-gc', bundle(measure, 'measure.cjs'), model], { encoding: 'utf8' }).trim();
  console.log(JSON.stringify({ model: JSON.parse(shape), ...JSON.parse(report) }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
