import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { FileModelSource } from '../../../src/node/fileSource';
import { defaultOps } from '../../../src/engine/ops/index';
import { openModel } from '../../../src/loaders/registry';
import type { Item, Model } from '../../../src/model/ir';
import { Runner } from '../../../src/runner/runner';
import { expectGolden, fullTrace, runScript } from './golden';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const names = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((n) => existsSync(join(EXAMPLES, n, 'model.json'))).sort() : [];

const opsOf = (i: Item): string[] => (i.kind === 'node' ? [i.op] : i.body.flatMap(opsOf));

async function load(name: string): Promise<Model> {
  return openModel(new FileModelSource(join(EXAMPLES, name, 'model.json'), `examples/${name}/model.json`));
}

/** Examples run on the engine's real ops; an example waits (skipped) until every op it uses is registered. */
describe.each(names)('example %s', (name) => {
  it('steps as in its golden trace', async (ctx) => {
    const model = await load(name);
    const missing = [...new Set(opsOf(model.root))].filter((op) => !defaultOps.has(op));
    if (missing.length) {
      console.warn(`example ${name} waits for engine ops: ${missing.join(', ')}`);
      ctx.skip();
    }
    const inputs = model.examples[0].inputs;
    expectGolden(`examples/${name}-steps`, await runScript(new Runner(model, inputs), ['in', 'in', 'in', 'over', 'out', 'over', 'back', 'reverse', 'continue']));
    expectGolden(`examples/${name}-trace`, await fullTrace(new Runner(model, inputs)));
  });
});
