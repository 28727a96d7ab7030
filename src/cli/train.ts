import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseTrainingJson } from '../loaders/tensors';
import { encodeSafetensorsFile } from '../loaders/safetensorsWrite';
import { examplesData, trainData } from '../runner/train/data';
import { trainSettings } from '../runner/train/defaults';
import { Trainer } from '../runner/train/trainer';
import { describeIoError } from '../service/inputs';
import { yieldToEventLoop } from '../node/ports';
import type { TrainCommand } from './args';
import { CliError } from './errors';
import type { Io } from './errors';
import { checkOutputFolder, writeFileAtomically } from './files';
import { progressReporter } from './progress';
import { openModelFile } from './session';

/**
 * `layerstep train`: steps of gradient descent on MODEL, each the same training step the debugger steps through
 * (src/runner/train/). Prints `step K loss VALUE` as each step ends (the loss measured in that step's forward pass,
 * before its update), or `{"losses": [...]}` at the end with --json; --save writes every weight as trained.
 */
export async function trainCommand(command: TrainCommand, io: Io): Promise<void> {
  if (command.save !== undefined) await checkOutputFolder(command.save);
  const model = await openModelFile(command.model);
  let data;
  if (command.data !== undefined) {
    const file = command.data;
    const bytes = await readFile(file).catch((e: unknown) => {
      throw new CliError(`${file}: cannot read the training data (${describeIoError(e)}).`);
    });
    const parsed = parseTrainingJson(basename(file), new TextDecoder().decode(bytes));
    data = trainData(parsed.inputs, parsed.targets, basename(file));
  } else {
    data = examplesData(model);
  }
  // Without --batch, every step uses the whole data (the model's own hint aside).
  const settings = trainSettings(model, { loss: command.loss, optimizer: command.optimizer, learningRate: command.lr, steps: command.steps, batch: command.batch ?? model.training?.batch ?? data.rows }, data.rows);
  const progress = progressReporter(io, 'training');
  const trainer = await Trainer.create(model, data, { ...settings, runner: { yieldToHost: yieldToEventLoop } });
  try {
    await trainer.train(settings.steps, (step, loss) => {
      if (!command.json) io.out(`step ${step} loss ${loss}\n`);
      progress.update(step, settings.steps);
    });
  } finally {
    progress.done();
  }
  if (command.json) io.out(`${JSON.stringify({ losses: trainer.losses })}\n`);
  if (command.save !== undefined) {
    const weights = [...trainer.weights()].map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype, start: 0, values: t.data }));
    const metadata = {
      trainedFrom: basename(command.model), loss: settings.loss, optimizer: settings.optimizer, learningRate: String(settings.learningRate),
      steps: String(trainer.steps), batch: String(trainer.batch), data: data.source,
    };
    await writeFileAtomically(command.save, encodeSafetensorsFile(weights, { file: command.save, metadata }));
  }
}
