import { LOSS_NAMES } from '../../engine/grad/losses';
import { OPTIMIZER_NAMES } from '../../engine/grad/optimizers';
import { ACTIVATION_NAMES, ACTIVATIONS } from './activations';
import { FORMAT, TOP_KEYS } from './document';
import { INITIALIZERS } from './init';
import { LAYER_TYPES } from './layers/index';
import type { LayerType } from './layers/types';
import type { ParamSpec } from './params';

/**
 * The JSON Schema (draft-07) of `layerstep/1`, generated from the layer registry so that the schema, the loader
 * and the docs cannot drift apart. docs/model.schema.json is this object, pretty-printed; a unit test checks it.
 * Layers use `if`/`then` per type, which VS Code's JSON language service follows for completion and hovers.
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

function withDefault(s: Schema, d: unknown): Schema {
  return d === undefined ? s : { ...s, default: d };
}

function paramSchema(spec: ParamSpec): Schema {
  const description = spec.doc;
  const int = (min?: number): Schema => (min === undefined ? { type: 'integer' } : { type: 'integer', minimum: min });
  switch (spec.kind) {
    case 'integer': return withDefault({ ...int(spec.min), description }, spec.default);
    case 'number': return withDefault({ type: 'number', ...(spec.min !== undefined ? { minimum: spec.min } : {}), description }, spec.default);
    case 'boolean': return withDefault({ type: 'boolean', description }, spec.default);
    case 'enum': return withDefault({ enum: [...spec.values], description }, spec.default);
    case 'activation': return withDefault({ ...ref('activation'), description }, spec.default);
    case 'integers':
      return withDefault({ type: 'array', items: int(spec.min), ...(spec.minItems ? { minItems: spec.minItems } : {}), description }, spec.default);
    case 'numbers': return { type: 'array', items: { type: 'number' }, description };
    case 'spatial':
      return withDefault({ anyOf: [int(spec.min), { type: 'array', items: int(spec.min), minItems: 1 }], description }, spec.default);
    case 'numberOrNumbers':
      return withDefault({ anyOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' }, minItems: 1 }], description }, spec.default);
    case 'padding':
      return withDefault({ anyOf: [{ enum: ['valid', 'same'] }, { type: 'array', items: int(0), minItems: 2 }], description }, spec.default);
    case 'layers': return { ...ref('layers'), description };
    case 'branches': return { type: 'array', minItems: 1, items: { anyOf: [ref('layers'), ref('layer')] }, description };
  }
}

function required(lt: LayerType): string[] {
  return Object.entries(lt.params).filter(([, s]) => 'required' in s && s.required).map(([k]) => k);
}

function layerSchema(lt: LayerType): Schema {
  const roles = lt.weights ?? {};
  const properties: Schema = {
    type: { const: lt.type, description: lt.doc },
    name: { ...ref('layerName'), description: 'The layer\'s name, unique among its siblings, without "/" (default: its type, then type_1, type_2...).' },
    description: { type: 'string', description: 'Free text about the layer.' },
    weights: {
      type: 'object',
      description: Object.keys(roles).length
        ? `Weights by role: ${Object.entries(roles).map(([r, s]) => `${r} ${s}`).join('; ')}. Roles left out are looked up in weightsFile under '<layer id>.<role>'.`
        : 'This layer takes no weights.',
      properties: Object.fromEntries(Object.entries(roles).map(([r, s]) => [r, { ...ref('weight'), description: `Shape ${s}.` }])),
      additionalProperties: false,
    },
  };
  for (const [k, spec] of Object.entries(lt.params)) properties[k] = paramSchema(spec);
  const req = required(lt);
  return {
    description: lt.doc,
    properties,
    ...(req.length ? { required: req } : {}),
    additionalProperties: false,
  };
}

/** A completion snippet per layer type: its type, a name, and its required settings. */
function snippet(lt: LayerType): Schema {
  const body: Record<string, unknown> = { name: '${1:' + lt.type + '}', type: lt.type };
  let i = 2;
  for (const k of required(lt)) {
    const s = lt.params[k];
    body[k] = s.kind === 'layers' || s.kind === 'branches' ? [] : s.kind === 'integer' || s.kind === 'spatial' ? `^\${${i++}:1}` : `\${${i++}}`;
  }
  return { label: lt.type, description: lt.doc, body };
}

const NUMBER_ELEMENT = { anyOf: [{ type: 'number' }, { enum: ['NaN', 'Infinity', '-Infinity'] }] };

export function modelSchema(): Schema {
  const types = [...LAYER_TYPES.values()];
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `Layerstep model (${FORMAT})`,
    description: 'A neural network as Layerstep reads it: one object per layer, nesting for blocks, NCHW images. See docs/model-format.md.',
    // Editors apply this schema to every model.json and *.model.json: it constrains only a document that says it is a
    // Layerstep model, so a TF.js model.json or anyone else's model.json is left alone.
    if: { type: 'object', required: ['format'], properties: { format: { const: FORMAT } } },
    then: {
      type: 'object',
      required: ['format', 'inputs', 'layers'],
      propertyNames: { enum: [...TOP_KEYS] },
      properties: {
        $schema: { type: 'string', description: 'The schema of this file, for editors.' },
        format: { const: FORMAT, description: `Marks the file as a Layerstep model; always "${FORMAT}" (TF.js models say layers-model or graph-model).` },
        name: { type: 'string', minLength: 1, description: 'The model\'s name, shown in the call stack (default: the file name).' },
        description: { type: 'string', description: 'Free text about the model.' },
        metadata: { type: 'object', description: 'Free information (author, license, training) that the loader ignores.' },
        inputs: { type: 'array', minItems: 1, maxItems: 1, items: ref('input'), description: 'The model\'s input: exactly one in this version.' },
        output: { type: 'string', minLength: 1, default: 'output', description: 'Name of the model\'s output value (default "output").' },
        weightsFile: {
          type: 'string', pattern: '\\.safetensors$',
          description: 'A .safetensors file beside the model: the default file of weight references, and where weights a layer does not list are looked up under "<layer id>.<role>".',
        },
        layers: { ...ref('layers'), description: 'The layers, run in order; each reads the previous one\'s output.' },
        labels: { type: 'array', items: { type: 'string' }, description: 'Class names for the last axis of the output.' },
        examples: { type: 'array', items: ref('example'), description: 'Named inputs shipped with the model; `layerstep run` uses the first by default.' },
        training: { ...ref('training'), description: 'How to train the model by default: loss, optimizer, learning rate, steps, batch.' },
      },
    },
    // Offered in an empty model.json: the format line is what turns the rest of the schema on.
    defaultSnippets: [{
      label: 'Layerstep model',
      description: `A new ${FORMAT} model: one input and one layer`,
      body: { format: FORMAT, name: '${1:model}', inputs: [{ shape: [1, '^${2:4}'] }], layers: [{ type: 'dense', units: '^${3:2}' }] },
    }],
    definitions: {
      input: {
        type: 'object',
        required: ['shape'],
        additionalProperties: false,
        description: 'The model\'s input value.',
        properties: {
          name: { type: 'string', minLength: 1, default: 'input', description: 'The input\'s name, used by tensor files and examples (default "input").' },
          shape: {
            type: 'array', minItems: 1, items: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
            description: 'Full shape, batch dimension first, e.g. [1, 784] or [1, 3, 32, 32]; null for an axis of any size (the batch, an image\'s height), e.g. [null, 784], fixed by each run\'s input.',
          },
          dtype: { enum: ['float32', 'int32', 'int64'], default: 'float32', description: 'Element type: float32, or int32/int64 for token ids.' },
          description: { type: 'string', description: 'Free text about the input.' },
        },
      },
      example: {
        type: 'object',
        required: ['inputs'],
        additionalProperties: false,
        description: 'A named input for the model, and what the model should answer for it (targets or a label), which Train measures the loss against.',
        not: { required: ['targets', 'label'] },
        properties: {
          name: { type: 'string', description: 'Shown when picking an example (default "example <i>").' },
          description: { type: 'string', description: 'Free text about the example.' },
          inputs: { type: 'object', additionalProperties: ref('weight'), description: 'The input tensor by input name; same forms as a weight, with the input\'s shape.' },
          targets: {
            type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: ref('weight'),
            description: 'What the model should answer, by output name: a float32 tensor of the output\'s shape (for this example\'s batch). Not with "label".',
          },
          label: {
            anyOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }],
            description: 'The example\'s class: a name from "labels" or a class index; the target is then one-hot, of shape [1, classes]. Not with "targets".',
          },
        },
      },
      training: {
        type: 'object',
        additionalProperties: false,
        description: 'How the model suggests it be trained: the defaults of Train and Train N Steps.',
        properties: {
          loss: {
            enum: [...LOSS_NAMES],
            description: 'mse: mean squared error; bce, cce: binary and categorical cross-entropy from probabilities (a model ending in sigmoid or softmax); bce-logits, cce-logits: the same from logits.',
          },
          optimizer: { enum: [...OPTIMIZER_NAMES], description: 'sgd: w ← w − lr·g; momentum: v ← 0.9·v + g, w ← w − lr·v; adam: β1 0.9, β2 0.999, ε 1e-8.' },
          learningRate: { type: 'number', exclusiveMinimum: 0, description: 'The learning rate, lr.' },
          steps: { type: 'integer', minimum: 1, description: 'How many steps Train N Steps runs.' },
          batch: { type: 'integer', minimum: 1, description: 'Examples per step (default: all of them).' },
        },
      },
      numbers: {
        type: 'array',
        description: 'Numbers, flat or nested; "NaN", "Infinity" and "-Infinity" stand for what JSON cannot hold.',
        items: { anyOf: [NUMBER_ELEMENT, ref('numbers')] },
      },
      weight: {
        description: 'A tensor: a number array, { shape, data }, { file?, key?, shape? } into a .safetensors file, or { init, shape?, seed? }.',
        anyOf: [
          ref('numbers'),
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              shape: { type: 'array', items: { type: 'integer', minimum: 0 }, description: 'The tensor\'s shape (default: what the layer expects).' },
              dtype: { enum: ['float32', 'int32', 'int64'], description: 'Element type, as in tensor files: float32 for weights; an example input\'s must match the input.' },
              data: { ...ref('numbers'), description: 'The values, row-major, flat or nested.' },
              file: { type: 'string', description: 'A .safetensors file relative to the model\'s folder (default: weightsFile).' },
              key: { type: 'string', description: 'The tensor\'s key in the file (default: "<layer id>.<role>").' },
              init: { enum: [...INITIALIZERS], description: 'A seeded initialiser instead of data.' },
              seed: { type: 'integer', description: 'Seed of the initialiser (default: a hash of the weight\'s name).' },
              value: { type: 'number', description: 'init "constant": the value (0).' },
              min: { type: 'number', description: 'init "uniform": lower bound (-0.05).' },
              max: { type: 'number', description: 'init "uniform": upper bound (0.05).' },
              mean: { type: 'number', description: 'init "normal": mean (0).' },
              std: { type: 'number', description: 'init "normal": standard deviation (0.05).' },
            },
          },
        ],
      },
      activation: {
        enum: [...ACTIVATION_NAMES],
        description: `An activation: ${ACTIVATION_NAMES.map((a) => `${a}${ACTIVATIONS[a] ? ` (${ACTIVATIONS[a]!.doc})` : ' (none)'}`).join(', ')}.`,
      },
      layerName: {
        type: 'string', minLength: 1, pattern: '^[^/]+$',
        description: 'Unique among its siblings, without "/". Default: the type, then type_1, type_2...',
      },
      layers: { type: 'array', items: ref('layer'), description: 'Layers, run in order.' },
      layer: {
        type: 'object',
        required: ['type'],
        description: 'One layer: a type, an optional name, its settings and its weights.',
        properties: {
          type: { enum: types.map((t) => t.type), description: 'The layer type.' },
        },
        defaultSnippets: types.map(snippet),
        allOf: types.map((t) => ({
          if: { properties: { type: { const: t.type } }, required: ['type'] },
          then: ref(`layer.${t.type}`),
        })),
      },
      ...Object.fromEntries(types.map((t) => [`layer.${t.type}`, layerSchema(t)])),
    },
  };
}
