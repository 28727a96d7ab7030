import type { ImagePreprocess } from '../loaders/tensors/image';
import { baseName } from '../runner/errors';
import { formatEvent, formatStack } from '../runner/trace';
import { CliError } from './errors';
import type { Io } from './errors';
import { resolveInputs } from './inputs';
import type { ShapeFlags } from './args';
import type { InputOrigin } from './inputs';
import { progressReporter } from './progress';
import { createRunner, openModelFile } from './session';
import { ValueDump } from './dump';

/**
 * `layerstep trace`: steps through every event of the forward pass, printing each call and return as it
 * happens (see `formatEvent`). With `--break NAME`, each hit of a matching layer or op is marked with a
 * `● breakpoint` line and the call stack, and the trace goes on. With `--dump DIR`, every value produced is
 * written to DIR as `.npy` as its node returns (src/cli/dump.ts).
 */
export async function traceCommand(
  modelPath: string, inputFile: string | undefined, breaks: readonly string[], io: Io, preprocess?: ImagePreprocess, shapes?: ShapeFlags,
  dump?: string,
): Promise<void> {
  const model = await openModelFile(modelPath);
  const { inputs, origin } = await resolveInputs(model, inputFile, preprocess, shapes);
  const progress = progressReporter(io, 'tracing');
  const runner = createRunner(model, inputs, { onProgress: progress.update, onOutput: (text) => io.out(`  ${text}\n`) });
  const statuses = runner.setNameBreakpoints(breaks.map((name) => ({ name })));
  statuses.forEach((s, i) => {
    if (!s.verified) throw new CliError(`${baseName(model.file)}: --break '${breaks[i]}': ${s.message ?? 'does not bind'}.`);
  });
  const dumper = dump === undefined ? undefined : await ValueDump.open(dump, runner.model);

  io.out(`trace of ${baseName(model.file)} (${model.name}) on ${describeOrigin(origin)}\n`);
  let printed = -1;
  const print = (): void => {
    const pos = runner.position;
    if (pos.index > printed) {
      io.out(formatEvent(runner, pos) + '\n');
      printed = pos.index;
    }
  };
  try {
    print();
    for (;;) {
      const stop = await runner.stepIn();
      print();
      const pos = runner.position;
      if (dumper && pos.point === 'return' && pos.frame.item.kind === 'node') await dumper.write(runner, pos.frame.item.outputs);
      if (stop.reason === 'breakpoint' || stop.reason === 'function breakpoint') {
        io.out(`● breakpoint${stop.description ? ` (${stop.description})` : ''}\n${indent(formatStack(runner))}\n`);
      }
      if (stop.reason === 'end') break;
    }
  } finally {
    progress.done();
  }
  await dumper?.finish(runner);
}

function describeOrigin(origin: InputOrigin): string {
  switch (origin.kind) {
    case 'file': return `input ${origin.path}`;
    case 'example': return `example '${origin.name}'`;
    case 'random': return `a random input (seed ${origin.seed})`;
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}
