import { cpus } from 'node:os';
import { defaultOps } from '../engine/ops';
import { runBench } from '../bench/bench';
import { FULL, QUICK } from '../bench/measure';
import { loadOrtPeer } from '../bench/ortPeer';
import { formatBenchJson, formatBenchTable } from '../bench/report';
import { loadTfjsPeer } from '../bench/tfjsPeer';
import type { Io } from './errors';
import { checkOutputFolder, writeFileAtomically } from './files';
import { recordedRun } from './session';
import { VERSION } from './version';

/** `layerstep bench`: the table on stdout, progress on stderr when it is a terminal, `--json` to a file. */
export async function benchCommand(quick: boolean, jsonFile: string | undefined, io: Io): Promise<void> {
  if (jsonFile !== undefined) await checkOutputFolder(jsonFile);
  const peers = [await loadTfjsPeer(), await loadOrtPeer()];
  const status = (text: string): void => {
    if (io.stderrIsTTY) io.err(`\r\x1b[2Klayerstep bench: ${text}`);
  };
  let result;
  try {
    result = await runBench({ measure: quick ? QUICK : FULL, ops: defaultOps, recorded: recordedRun, peers, onStep: status });
  } finally {
    status('');
    if (io.stderrIsTTY) io.err('\r\x1b[2K');
  }
  io.out(formatBenchTable(result));
  if (jsonFile !== undefined) {
    const meta = {
      layerstep: VERSION, node: process.version, platform: `${process.platform} ${process.arch}`,
      cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical)`, date: new Date().toISOString(),
    };
    await writeFileAtomically(jsonFile, formatBenchJson(result, meta));
  }
}
