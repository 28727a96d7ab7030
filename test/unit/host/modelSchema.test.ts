import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';

/**
 * The schema VS Code applies to every `model.json` and `*.model.json` (package.json `contributes.jsonValidation`):
 * it must constrain Layerstep models (`"format": "layerstep/1"`) and leave everyone else's model.json alone, so a
 * TF.js model or any unrelated file named model.json gets no squiggles from Layerstep.
 */

const ROOT = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { jsonValidation: { fileMatch: string[]; url: string }[] };
};
const schemaUrl = pkg.contributes.jsonValidation.find((v) => v.fileMatch.includes('model.json'))!.url;
const schema = JSON.parse(readFileSync(join(ROOT, schemaUrl), 'utf8')) as Record<string, unknown>;

let compiled: ReturnType<Ajv['compile']> | undefined;
/** The schema compiled once (compiling takes about half a second). */
function validate(doc: unknown): boolean {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return compiled(doc) as boolean;
}

const readJson = (rel: string): unknown => JSON.parse(readFileSync(join(ROOT, rel), 'utf8'));

/** A small Layerstep model that loads. */
const good = { format: 'layerstep/1', inputs: [{ shape: [1, 4] }], layers: [{ type: 'dense', units: 2 }] };

describe('the model.json schema as VS Code applies it', () => {
  it('is the file package.json registers for model.json and *.model.json', () => {
    expect(schemaUrl).toBe('./docs/model.schema.json');
  });

  it('keeps its title, description and definitions at the top level, for hovers and completion', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toMatch(/Layerstep/);
    expect(typeof schema.description).toBe('string');
    expect(Object.keys(schema.definitions as object)).toEqual(expect.arrayContaining(['layer', 'layers', 'weight', 'input']));
  });

  it('constrains nothing at the top level: every rule sits behind `if` "format" is "layerstep/1"', () => {
    for (const key of ['type', 'properties', 'required', 'propertyNames', 'additionalProperties', 'allOf', 'anyOf', 'oneOf', '$ref']) {
      expect(schema, key).not.toHaveProperty(key);
    }
    expect(schema.if).toMatchObject({ required: ['format'], properties: { format: { const: 'layerstep/1' } } });
    expect(schema).not.toHaveProperty('else');
  });

  it('accepts a TF.js layers model.json', () => {
    expect(validate(readJson('test/fixtures/tfjs/mlp/model.json'))).toBe(true);
    expect(validate({ format: 'layers-model', generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: {}, weightsManifest: [] })).toBe(true);
    expect(validate({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] })).toBe(true);
  });

  it('accepts any other JSON named model.json', () => {
    expect(validate({ foo: 1 })).toBe(true);
    expect(validate({})).toBe(true);
    expect(validate({ name: 'my-package', version: '1.0.0', dependencies: {} })).toBe(true);
    expect(validate({ format: 'some-other-format', layers: 'not ours' })).toBe(true);
    expect(validate([1, 2, 3])).toBe(true);
    expect(validate('model')).toBe(true);
    expect(validate(null)).toBe(true);
  });

  it('accepts Layerstep models that load', () => {
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, inputs: [{ shape: [null, 4] }] })).toBe(true);
    expect(validate(readJson('examples/mnist-mlp/model.json'))).toBe(true);
    expect(validate(readJson('test/fixtures/native/residual.json'))).toBe(true);
  });

  it('still refuses broken Layerstep models', () => {
    const broken: Record<string, unknown> = {
      'no layers': { format: 'layerstep/1', inputs: [{ shape: [1, 4] }] },
      'no inputs': { format: 'layerstep/1', layers: [] },
      'an unknown top-level property': { ...good, outputs: [] },
      'an unknown layer type': { ...good, layers: [{ type: 'denes', units: 2 }] },
      'a layer without its required setting': { ...good, layers: [{ type: 'dense' }] },
      'a misspelt layer setting': { ...good, layers: [{ type: 'dense', units: 2, unit: 3 }] },
      'an input shape that is not a list of sizes': { ...good, inputs: [{ shape: '1x4' }] },
      'an input size of 0': { ...good, inputs: [{ shape: [0, 4] }] },
      'a layer name with a slash': { ...good, layers: [{ type: 'dense', units: 2, name: 'a/b' }] },
    };
    for (const [what, doc] of Object.entries(broken)) expect(validate(doc), what).toBe(false);
    expect(validate(readJson('test/fixtures/native/broken/unknown-type.json'))).toBe(false);
  });

  it('offers in an empty file a snippet that is itself a valid Layerstep model', () => {
    const snippets = schema.defaultSnippets as { label: string; body: unknown }[];
    expect(snippets.length).toBeGreaterThan(0);
    for (const s of snippets) {
      // Snippet placeholders: "^${2:4}" inserts the number 4, "${1:model}" the text model.
      const text = JSON.stringify(s.body).replace(/"\^\$\{\d+:([^}]*)\}"/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1');
      expect(validate(JSON.parse(text)), s.label).toBe(true);
    }
  });
});
