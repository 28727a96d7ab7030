import { mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { formatNpy } from '../loaders/tensors/npy';
import type { Item, Model } from '../model/ir';
import { dumpFileCollision, dumpFileName } from '../runner/divergence';
import type { Runner } from '../runner/runner';
import { describeIoError } from '../service/inputs';
import { CliError } from './errors';
import { writeFileAtomically } from './files';

/**
 * `trace --dump DIR`: every value the run produces, as `DIR/<name>.npy` (see {@link dumpFileName}), the files
 * `diff --reference DIR` reads back. Model inputs and weights are not produced, so they are not written.
 *
 * Each value is written as its node returns, while the runner still holds it: past its memory budget the runner
 * drops old values and would recompute each one, from the nearest value it kept, if asked for it at the end.
 */
export class ValueDump {
  /** File name → the value written there. */
  private readonly written = new Map<string, string>();

  private constructor(private readonly dir: string) {}

  /**
   * Makes the folder (and its parents), and refuses two values of the model that would share a file, before the
   * run: nothing is written then. (Values made at run time, a loop's iterations, are checked as they come.)
   */
  static async open(dir: string, model: Model): Promise<ValueDump> {
    const clash = dumpFileCollision(producedNames(model.root));
    if (clash) throw new CliError(collisionMessage(dir, clash.first, clash.second, clash.file, 'nothing was written'));
    const existing = await stat(dir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new CliError(`--dump ${dir}: cannot write the values there (it is a file, not a folder).`);
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new CliError(`--dump ${dir}: cannot make the folder (${describeIoError(e)}).`);
    }
    return new ValueDump(dir);
  }

  /** Writes values the run has just produced (the outputs of the node that returned). */
  async write(runner: Runner, names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (!name) continue;
      const file = dumpFileName(name);
      const other = this.written.get(file);
      if (other === name) continue;
      if (other !== undefined) {
        await Promise.all([...this.written.keys()].map((f) => unlink(join(this.dir, f)).catch(() => undefined)));
        throw new CliError(collisionMessage(this.dir, other, name, file, 'the files written were removed'));
      }
      await writeFileAtomically(join(this.dir, file), formatNpy(runner.value(name)));
      this.written.set(file, name);
    }
  }

  /** Once the run has ended: writes what was not seen as it was produced (none when every event was visited). */
  async finish(runner: Runner): Promise<void> {
    await this.write(runner, runner.recorded().map((v) => v.name).filter((name) => this.written.get(dumpFileName(name)) !== name));
  }
}

function collisionMessage(dir: string, first: string, second: string, file: string, outcome: string): string {
  return `--dump ${dir}: values '${first}' and '${second}' would both be written to ${file}; ${outcome}.`;
}

/** The values a model's nodes produce, in order; control flow's bodies are made, and named, at run time. */
function producedNames(item: Item, out: string[] = []): string[] {
  if (item.kind === 'node') out.push(...item.outputs.filter((n) => n));
  else for (const child of item.body) producedNames(child, out);
  return out;
}
