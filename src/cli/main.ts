import { encodeTensorFile, formatTensorJson } from '../loaders/tensors';
import type { ImagePreprocess } from '../loaders/tensors/image';
import { parseArgs } from './args';
import type { Command } from './args';
import { benchCommand } from './bench';
import { diffCommand } from './diff';
import { CliError, reportError } from './errors';
import type { Io } from './errors';
import { checkOutputFolder, writeFileAtomically } from './files';
import { helpText } from './help';
import { resolveInputs } from './inputs';
import type { ShapeFlags } from './args';
import { inspectCommand } from './inspect';
import { progressReporter } from './progress';
import { openModelFile, runToEnd } from './session';
import { traceCommand } from './trace';
import { trainCommand } from './train';
import { VERSION } from './version';
import { configureEngine } from '../node/engineSetup';

/**
 * The `layerstep` command line (DESIGN.md §4). Returns the exit code: 0, 1 for a failure (one sentence on
 * stderr), 2 for a usage error. Never throws.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let verbose = argv.includes('--verbose');
  try {
    const parsed = parseArgs(argv);
    verbose = parsed.verbose;
    await execute(parsed.command, io);
    return 0;
  } catch (e) {
    return reportError(e, verbose, io);
  }
}

async function execute(command: Command, io: Io): Promise<void> {
  switch (command.kind) {
    case 'help': io.out(helpText(command.topic)); return;
    case 'version': io.out(`${VERSION}\n`); return;
    case 'inspect': return inspectCommand(command, io);
    case 'run':
      configureEngine({ threads: command.threads });
      return runCommand(command.model, command.input, command.output, io, command.preprocess, command.shapes, command.sets);
    case 'trace':
      configureEngine({ threads: command.threads });
      return traceCommand(command.model, command.input, command.breaks, io, command.preprocess, command.shapes, command.dump);
    case 'diff':
      configureEngine({ threads: command.threads });
      return diffCommand(command, io);
    case 'train':
      configureEngine({ threads: command.threads });
      return trainCommand(command, io);
    // `--threads` (undefined: every core) sets the engine up before the model runs; bench uses it in its own way.
    case 'bench': return benchCommand(command, io);
  }
}

async function runCommand(
  modelPath: string, inputFile: string | undefined, outputFile: string | undefined, io: Io, preprocess?: ImagePreprocess, shapes?: ShapeFlags,
  sets?: readonly string[],
): Promise<void> {
  if (outputFile !== undefined) await checkOutputFolder(outputFile);
  const model = await openModelFile(modelPath);
  if (outputFile?.toLowerCase().endsWith('.npy') && model.outputs.length !== 1) {
    throw new CliError(`${outputFile}: a .npy file holds one tensor but ${modelPath} has ${model.outputs.length} outputs (${model.outputs.map((o) => o.name).join(', ')}); write .json instead.`);
  }
  const { inputs } = await resolveInputs(model, inputFile, preprocess, shapes);
  const progress = progressReporter(io, 'running');
  let outputs;
  try {
    outputs = await runToEnd(model, inputs, { onProgress: progress.update, edits: sets });
  } finally {
    progress.done();
  }
  if (outputFile === undefined) io.out(formatTensorJson(outputs));
  else await writeFileAtomically(outputFile, encodeTensorFile(outputFile, outputs));
}
