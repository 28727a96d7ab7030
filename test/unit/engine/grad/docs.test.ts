import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAD_OPS } from '../../../../src/engine/grad/index';

describe('docs/ops.md', () => {
  it('lists exactly the ops that have a gradient rule', () => {
    const text = readFileSync(join(__dirname, '../../../../docs/ops.md'), 'utf8');
    const section = text.slice(text.indexOf('## Gradients'));
    const list = section.slice(section.indexOf('These ops have a rule:'), section.indexOf('\n- '));
    const listed = [...list.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]);
    expect(listed).toEqual([...GRAD_OPS]);
  });
});
