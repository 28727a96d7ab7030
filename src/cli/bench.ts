import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOps } from '../engine/ops';
import { runBench } from '../bench/bench';
import type { OpenProbe } from '../bench/bench';
import { FULL, QUICK } from '../bench/measure';
import { onnxModel } from '../bench/onnxModel';
import { loadOrtPeer, loadOrtWebPeer } from '../bench/ortPeer';
import { formatBenchJson, formatBenchTable } from '../bench/report';
import { loadTfjsPeer } from '../bench/tfjsPeer';
import { TRAIN_WORKLOAD_IDS, buildTrainWorkloads, runTrainBench } from '../bench/train';
import { loadTfjsTrainPeer } from '../bench/trainTfjs';
import { WORKLOAD_IDS, buildWorkloads } from '../bench/workloads';
import type { Workload } from '../bench/workloads';
import { configureEngine, releaseEngineThreads } from '../node/engineSetup';
import { yieldToEventLoop } from '../node/ports';
import { UsageError } from './args';
import type { Io } from './errors';
import { CliError } from './errors';
import { checkOutputFolder, writeFileAtomically } from './files';
import { createRunner, openModelFile, recordedRun } from './session';
import { VERSION } from './version';

export interface BenchFlags {
  readonly quick: boolean;
  readonly json?: string;
  /** The engine's thread count for the all-threads timings; every core by default. */
  readonly threads?: number;
  /** `--workload ID`, repeatable; all by default. */
  readonly workloads?: readonly string[];
}

/**
 * `layerstep bench`: the tables on stdout, progress on stderr when it is a terminal, `--json` to a file. The peers
 * (onnxruntime-node, onnxruntime-web, tfjs-backend-wasm, tfjs cpu) all run in the same process and the same run;
 * the engine is timed on one thread and on all threads.
 */
export async function benchCommand(flags: BenchFlags, io: Io): Promise<void> {
  const ids = [...WORKLOAD_IDS, ...TRAIN_WORKLOAD_IDS];
  for (const id of flags.workloads ?? []) {
    if (!ids.includes(id)) throw new UsageError(`--workload '${id}' is not a workload; choose from ${ids.join(', ')}.`);
  }
  if (flags.json !== undefined) await checkOutputFolder(flags.json);
  // The reference first: every ratio is against onnxruntime-node on one thread.
  const peers = [await loadOrtPeer(), await loadOrtWebPeer(), await loadTfjsPeer('wasm'), await loadTfjsPeer('cpu')];
  const trainIds = TRAIN_WORKLOAD_IDS.filter((id) => !flags.workloads || flags.workloads.includes(id));
  // The reference of the training table first: TensorFlow.js's wasm backend.
  const trainPeers = trainIds.length ? [await loadTfjsTrainPeer('wasm'), await loadTfjsTrainPeer('cpu')] : [];
  const status = (text: string): void => {
    if (io.stderrIsTTY) io.err(`\r\x1b[2Klayerstep bench: ${text}`);
  };
  const measure = flags.quick ? QUICK : FULL;
  const threads = { configure: (n: number) => configureEngine({ threads: n }), all: flags.threads ?? availableParallelism() };
  let result;
  try {
    result = await runBench({
      measure, ops: defaultOps, recorded: recordedRun, peers, onStep: status,
      workloads: buildWorkloads(flags.workloads ?? WORKLOAD_IDS),
      threads, openProbe,
    });
    if (trainIds.length) {
      // Each step's runner as the CLI's recorded runs: nothing dropped for memory, yielding by setImmediate.
      const training = await runTrainBench({
        measure, peers: trainPeers, workloads: buildTrainWorkloads(trainIds), threads, onStep: status,
        runner: { memoryBudgetBytes: Infinity, yieldToHost: yieldToEventLoop },
      });
      result = { ...result, training };
    }
  } finally {
    status('');
    if (io.stderrIsTTY) io.err('\r\x1b[2K');
    releaseEngineThreads();
  }
  io.out(formatBenchTable(result));
  if (flags.json !== undefined) {
    const meta = {
      layerstep: VERSION, node: process.version, platform: `${process.platform} ${process.arch}`,
      cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical)`, date: new Date().toISOString(),
    };
    await writeFileAtomically(flags.json, formatBenchJson(result, meta));
  }
}

/**
 * Writes the workload as an ONNX file to a temporary folder, opens it as `layerstep run` does (the ONNX loader
 * through the file port, every weight read), and runs it once through the runner with every value recorded.
 * Resident memory is measured apart (see OpenProbe).
 */
async function openProbe(w: Workload): Promise<OpenProbe> {
  const dir = await mkdtemp(join(tmpdir(), 'layerstep-bench-'));
  try {
    const file = join(dir, `${w.id}.onnx`);
    const fileBytes = await writeOnnx(file, w);
    const t0 = performance.now();
    const model = await openModelFile(file);
    const openMs = performance.now() - t0;
    const runner = createRunner(model, new Map([[model.inputs[0].name, w.input]]), { memoryBudgetBytes: Infinity });
    const t1 = performance.now();
    await runner.continue();
    const recordedMs = performance.now() - t1;
    if (!runner.finished) throw new CliError(`bench: the recorded pass on ${file} stopped early.`);
    let weightsBytes = 0;
    for (const t of model.weights.values()) weightsBytes += t.bytes;
    let recordedBytes = 0;
    for (const v of runner.recorded()) if (v.kept && !model.weights.has(v.name)) recordedBytes += runner.value(v.name).bytes;
    return { fileBytes, openMs, recordedMs, weightsBytes, recordedBytes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** In its own function so that the encoded bytes are garbage once written. */
async function writeOnnx(file: string, w: Workload): Promise<number> {
  const { bytes } = onnxModel(w);
  await writeFile(file, bytes);
  return bytes.length;
}
