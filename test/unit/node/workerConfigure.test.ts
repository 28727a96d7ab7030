import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineWorker } from '../../../src/node/workerClient';

/**
 * The `layerstep.threads` setting's road to an engine worker (src/node/workerClient.ts): the thread count goes
 * before any request, and again on each change. A stand-in worker answers every request with the `configure`
 * messages it has received so far.
 */

const dir = mkdtempSync(join(tmpdir(), 'layerstep-worker-'));
const script = join(dir, 'echo.js');
writeFileSync(script, `
const { parentPort } = require('node:worker_threads');
const configured = [];
parentPort.on('message', (m) => {
  if (m.kind === 'configure') configured.push(m.threads === undefined ? 'default' : m.threads);
  else parentPort.postMessage({ kind: 'result', id: m.id, result: { method: m.method, configured: [...configured] } });
});
`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('engine worker: the thread setting', () => {
  it('sends the thread count before the first request, and each change before later requests', async () => {
    const worker = new EngineWorker(script, 3);
    try {
      expect(await worker.request('position', {})).toEqual({ method: 'position', configured: [3] });
      worker.configure(undefined);
      worker.configure(1);
      expect(await worker.request('position', {})).toEqual({ method: 'position', configured: [3, 'default', 1] });
    } finally {
      worker.dispose();
    }
  });

  it('starts on every core when no count is set', async () => {
    const worker = new EngineWorker(script);
    try {
      expect(await worker.request('position', {})).toEqual({ method: 'position', configured: ['default'] });
      worker.dispose();
      worker.configure(2);
      expect(worker.stopped).toBe(true);
    } finally {
      worker.dispose();
    }
  });
});
