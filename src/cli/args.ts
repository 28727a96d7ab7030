import type { ImagePreprocess } from '../loaders/tensors/image';
import { InputError } from '../loaders/tensors/image';
import { isImageFile } from '../loaders/tensors/inputFile';
import { DEFAULT_TOLERANCE, parseTolerance } from '../runner/divergence';
import type { Tolerance } from '../runner/divergence';
import { IMAGE_FLAGS, imageOptions } from './imageOptions';
import { isLossName, LOSS_NAMES } from '../engine/grad/losses';
import type { LossName } from '../engine/grad/losses';
import { isOptimizerName, OPTIMIZER_NAMES } from '../engine/grad/optimizers';
import type { OptimizerName } from '../engine/grad/optimizers';

/** The command line, parsed. Each command takes only its own flags; anything else is a {@link UsageError}. */
export type Command =
  | { readonly kind: 'help'; readonly topic?: CommandName }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly model: string; readonly input?: string; readonly output?: string; readonly preprocess?: ImagePreprocess; readonly shapes?: ShapeFlags; readonly threads?: number
      /** `--set EXPR`, in the order given; undefined when there is none. */
      readonly sets?: readonly string[] }
  | { readonly kind: 'trace'; readonly model: string; readonly input?: string; readonly breaks: readonly string[]; readonly preprocess?: ImagePreprocess; readonly shapes?: ShapeFlags; readonly threads?: number
      /** `--dump DIR`: the folder every produced value is written to as `.npy`. */
      readonly dump?: string }
  | DiffCommand
  | TrainCommand
  | InspectCommand
  | { readonly kind: 'bench'; readonly quick: boolean; readonly json?: string; readonly threads?: number; readonly workloads?: readonly string[] };

/** `layerstep diff`: MODEL's run against one counterpart, value by value. */
export interface DiffCommand {
  readonly kind: 'diff';
  readonly model: string;
  readonly input?: string;
  readonly against: DiffCounterpart;
  readonly tolerance: Tolerance;
  /** `--json`: the report as one JSON document instead of text. */
  readonly json: boolean;
  /** Image options; they apply to whichever of --input and --against-input is a `.png`. */
  readonly preprocess?: ImagePreprocess;
  readonly shapes?: ShapeFlags;
  readonly threads?: number;
}

/** `layerstep train`: steps of gradient descent on MODEL; what is left out comes from the model file's hints. */
export interface TrainCommand {
  readonly kind: 'train';
  readonly model: string;
  /** `--data FILE`: inputs and targets; the model's examples with targets when left out. */
  readonly data?: string;
  readonly loss?: LossName;
  readonly optimizer?: OptimizerName;
  readonly lr?: number;
  readonly steps?: number;
  readonly batch?: number;
  /** `--save FILE.safetensors`: the trained weights. */
  readonly save?: string;
  readonly json: boolean;
  readonly threads?: number;
}

/** `layerstep inspect`: the model's structure, or with `run` the summary of an actual run. */
export interface InspectCommand {
  readonly kind: 'inspect';
  readonly model: string;
  /** `--run`: run the model and print the summary of the run (src/cli/inspect.ts). */
  readonly run?: InspectRun;
}

export interface InspectRun {
  readonly input?: string;
  readonly preprocess?: ImagePreprocess;
  readonly shapes?: ShapeFlags;
  readonly threads?: number;
  /** `--json`, `--markdown`, `--csv`: how the summary is printed; a text table by default. */
  readonly format: 'text' | 'json' | 'markdown' | 'csv';
}

/** What MODEL's run is compared with: the same model on another input, another model, or a dumped run. */
export type DiffCounterpart =
  | { readonly kind: 'input'; readonly file: string }
  | { readonly kind: 'model'; readonly file: string }
  | { readonly kind: 'reference'; readonly dir: string };

/** `--shape NAME=1,3,48,192` by input name; `''` for a shape given without a name (a model with one input). */
export type ShapeFlags = Readonly<Record<string, readonly number[]>>;

export type CommandName = 'run' | 'trace' | 'diff' | 'train' | 'inspect' | 'bench';

export interface ParsedArgs {
  readonly command: Command;
  /** Show stack traces with errors. */
  readonly verbose: boolean;
}

/** A command line that does not make sense: exit code 2, with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Flags taking a value, and the commands that accept them. */
const VALUE_FLAGS: Readonly<Record<string, readonly CommandName[]>> = {
  input: ['run', 'trace', 'diff', 'inspect'],
  shape: ['run', 'trace', 'diff', 'inspect'],
  output: ['run'],
  set: ['run'],
  break: ['trace'],
  dump: ['trace'],
  'against-input': ['diff'],
  'against-model': ['diff'],
  reference: ['diff'],
  tolerance: ['diff'],
  json: ['bench'],
  workload: ['bench'],
  data: ['train'],
  loss: ['train'],
  optimizer: ['train'],
  lr: ['train'],
  steps: ['train'],
  batch: ['train'],
  save: ['train'],
  threads: ['run', 'trace', 'diff', 'train', 'bench', 'inspect'],
  ...Object.fromEntries(IMAGE_FLAGS.map((f) => [f, ['run', 'trace', 'diff', 'inspect'] as const])),
};
/** Flags without a value. `--json` is one for 'diff' (print JSON) but takes a FILE for 'bench'. */
const BOOLEAN_FLAGS: Readonly<Record<string, readonly CommandName[]>> = {
  quick: ['bench'],
  json: ['diff', 'train', 'inspect'],
  run: ['inspect'],
  markdown: ['inspect'],
  csv: ['inspect'],
};
const COMMANDS: readonly CommandName[] = ['run', 'trace', 'diff', 'train', 'inspect', 'bench'];
const COUNTERPARTS = ['against-input', 'against-model', 'reference'] as const;

const TENSOR_FILE = /\.(json|npy)$/i;
const INPUT_FILE = /\.(json|npy|png)$/i;

export function parseArgs(argv: readonly string[]): ParsedArgs {
  let verbose = false;
  let help = false;
  let version = false;
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositional || !arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    if (arg === '--') { onlyPositional = true; continue; }
    if (arg === '--verbose') { verbose = true; continue; }
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (arg === '--version' || arg === '-V') { version = true; continue; }
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`unknown option '${arg}'.`);
    const [, name, inline] = m;
    // A flag that is both kinds goes by the command named before it.
    const isBoolean = name in BOOLEAN_FLAGS && (!(name in VALUE_FLAGS) || BOOLEAN_FLAGS[name].includes(positional[0] as CommandName));
    if (name in VALUE_FLAGS && !isBoolean) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`option '--${name}' needs a value.`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else if (isBoolean) {
      if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value.`);
      flags.set(name, ['']);
    } else {
      throw new UsageError(`unknown option '--${name}'.`);
    }
  }

  const [first, ...rest] = positional;
  if (version && !first) return { command: { kind: 'version' }, verbose };
  if (first === 'help') return { command: helpFor(rest[0]), verbose };
  if (!first) {
    if (help) return { command: { kind: 'help' }, verbose };
    throw new UsageError('no command given.');
  }
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command '${first}'.`);
  const kind = first as CommandName;
  if (help) return { command: { kind: 'help', topic: kind }, verbose };

  for (const name of flags.keys()) {
    const allowed = [...(VALUE_FLAGS[name] ?? []), ...(BOOLEAN_FLAGS[name] ?? [])];
    if (!allowed.includes(kind)) throw new UsageError(`'${kind}' does not take '--${name}'.`);
  }
  const one = (name: string): string | undefined => {
    const values = flags.get(name);
    if (values && values.length > 1) throw new UsageError(`option '--${name}' is given more than once.`);
    return values?.[0];
  };
  const tensorFile = (name: string): string | undefined => {
    const file = one(name);
    if (file !== undefined && !TENSOR_FILE.test(file)) {
      throw new UsageError(`--${name} '${file}' must be a tensor file ending in .json or .npy.`);
    }
    return file;
  };
  const preprocess = (input: string | undefined): ImagePreprocess | undefined => {
    try {
      return imageOptions(one, input);
    } catch (e) {
      throw e instanceof InputError ? new UsageError(e.message) : e;
    }
  };
  const inputFile = (name = 'input'): string | undefined => {
    const file = one(name);
    if (file !== undefined && !INPUT_FILE.test(file)) {
      throw new UsageError(`--${name} '${file}' must be a tensor file ending in .json or .npy, or an image ending in .png.`);
    }
    return file;
  };

  const shapes = (input: string | undefined): ShapeFlags | undefined => {
    const given = flags.get('shape');
    if (!given) return undefined;
    if (input !== undefined) throw new UsageError('--shape sets the sizes of random inputs; it cannot be used with --input.');
    const out: Record<string, number[]> = {};
    for (const flag of given) {
      const m = /^(?:(.+)=)?(\d+(?:,\d+)*)$/s.exec(flag);
      const dims = m ? m[2].split(',').map(Number) : [];
      if (!m || dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
        throw new UsageError(`--shape '${flag}' must be NAME=SIZES, sizes separated by commas, each at least 1 (e.g. --shape x=1,3,48,192).`);
      }
      const name = m[1] ?? '';
      if (Object.hasOwn(out, name)) throw new UsageError(`--shape gives input ${name ? `'${name}'` : 'the input'} a shape more than once.`);
      out[name] = dims;
    }
    return out;
  };

  /** `--threads N`: the engine's thread count, a positive whole number. */
  const threads = (): number | undefined => {
    const flag = one('threads');
    if (flag === undefined) return undefined;
    const n = /^\d+$/.test(flag) ? Number(flag) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--threads '${flag}' must be a whole number of threads, 1 or more (e.g. --threads 4).`);
    return n;
  };

  if (kind === 'bench') {
    if (rest.length) throw new UsageError(`'bench' takes no arguments, got '${rest[0]}'.`);
    return { command: { kind, quick: flags.has('quick'), json: one('json'), threads: threads(), workloads: flags.get('workload') }, verbose };
  }
  if (rest.length === 0) throw new UsageError(`'${kind}' needs a MODEL file.`);
  if (rest.length > 1) throw new UsageError(`'${kind}' takes one MODEL file, got also '${rest[1]}'.`);
  const model = rest[0];
  switch (kind) {
    case 'run': {
      const input = inputFile();
      return { command: { kind, model, input, output: tensorFile('output'), preprocess: preprocess(input), shapes: shapes(input), threads: threads(), sets: flags.get('set') }, verbose };
    }
    case 'trace': {
      const input = inputFile();
      return { command: { kind, model, input, breaks: flags.get('break') ?? [], preprocess: preprocess(input), shapes: shapes(input), threads: threads(), dump: one('dump') }, verbose };
    }
    case 'diff': {
      const input = inputFile();
      const against = counterpart(one, inputFile);
      // Image options go with the image: --input's, else --against-input's.
      const image = [input, against.kind === 'input' ? against.file : undefined].find((f) => f !== undefined && isImageFile(f));
      return {
        command: {
          kind, model, input, against, tolerance: tolerance(one('tolerance')), json: flags.has('json'),
          preprocess: preprocess(image ?? input), shapes: shapes(input), threads: threads(),
        },
        verbose,
      };
    }
    case 'train': return { command: trainCommand(model, one, threads(), flags.has('json')), verbose };
    case 'inspect': {
      if (!flags.has('run')) {
        // Without --run, inspect reads the file only: the flags of a run are not its own.
        const runOnly = [...flags.keys()].find((name) => name !== 'run');
        if (runOnly) throw new UsageError(`'inspect' does not take '--${runOnly}'.`);
        return { command: { kind, model }, verbose };
      }
      const formats = (['json', 'markdown', 'csv'] as const).filter((f) => flags.has(f));
      if (formats.length > 1) throw new UsageError(`'inspect --run' prints one format, got both --${formats[0]} and --${formats[1]}.`);
      const input = inputFile();
      const run: InspectRun = { input, preprocess: preprocess(input), shapes: shapes(input), threads: threads(), format: formats[0] ?? 'text' };
      return { command: { kind, model, run }, verbose };
    }
  }
}

/** The flags of `train`, checked. */
function trainCommand(model: string, one: (name: string) => string | undefined, threads: number | undefined, json: boolean): TrainCommand {
  const data = one('data');
  if (data !== undefined && !/\.json$/i.test(data)) throw new UsageError(`--data '${data}' must be a JSON file: { "inputs": { NAME: tensor }, "targets": { OUTPUT: tensor } }.`);
  const loss = one('loss');
  if (loss !== undefined && !isLossName(loss)) throw new UsageError(`--loss '${loss}' must be one of ${LOSS_NAMES.join(', ')}.`);
  const optimizer = one('optimizer');
  if (optimizer !== undefined && !isOptimizerName(optimizer)) throw new UsageError(`--optimizer '${optimizer}' must be one of ${OPTIMIZER_NAMES.join(', ')}.`);
  const lrFlag = one('lr');
  const lr = lrFlag === undefined ? undefined : Number(lrFlag);
  if (lr !== undefined && (!/^[0-9.eE+-]+$/.test(lrFlag!) || !Number.isFinite(lr) || lr <= 0)) throw new UsageError(`--lr '${lrFlag}' must be a learning rate above 0 (e.g. --lr 0.01).`);
  const whole = (name: string): number | undefined => {
    const flag = one(name);
    if (flag === undefined) return undefined;
    const n = /^\d+$/.test(flag) ? Number(flag) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} '${flag}' must be a whole number, 1 or more.`);
    return n;
  };
  const save = one('save');
  if (save !== undefined && !/\.safetensors$/i.test(save)) throw new UsageError(`--save '${save}' must be a file ending in .safetensors.`);
  return {
    kind: 'train', model, data, loss: loss as LossName | undefined, optimizer: optimizer as OptimizerName | undefined, lr,
    steps: whole('steps'), batch: whole('batch'), save, json, threads,
  };
}

/** Exactly one of --against-input FILE, --against-model MODEL2 and --reference DIR. */
function counterpart(one: (name: string) => string | undefined, inputFile: (name: string) => string | undefined): DiffCounterpart {
  const given = COUNTERPARTS.filter((name) => one(name) !== undefined);
  if (given.length === 0) throw new UsageError("'diff' needs what to compare with: --against-input FILE, --against-model MODEL2 or --reference DIR.");
  if (given.length > 1) throw new UsageError(`'diff' compares with one counterpart, got both --${given[0]} and --${given[1]}.`);
  switch (given[0]) {
    case 'against-input': return { kind: 'input', file: inputFile('against-input') as string };
    case 'against-model': return { kind: 'model', file: one('against-model') as string };
    case 'reference': return { kind: 'reference', dir: one('reference') as string };
  }
}

/** `--tolerance ATOL,RTOL`, the default when not given. */
function tolerance(flag: string | undefined): Tolerance {
  if (flag === undefined) return DEFAULT_TOLERANCE;
  try {
    return parseTolerance(flag);
  } catch (e) {
    // Its sentence starts "tolerance '…' must be": the flag's name completes it.
    throw new UsageError(`--${(e as Error).message}`);
  }
}

function helpFor(topic: string | undefined): Command {
  if (topic === undefined) return { kind: 'help' };
  if (!(COMMANDS as readonly string[]).includes(topic)) throw new UsageError(`unknown command '${topic}'.`);
  return { kind: 'help', topic: topic as CommandName };
}
