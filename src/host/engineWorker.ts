import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { FileModelSource } from '../cli/fileSource';
import { EngineService } from '../debug/engineService';
import { toWireError } from '../debug/wireError';
import type { FromWorker, ToWorker } from './workerProtocol';
import { asBytes } from '../cli/fileSource';

/**
 * The engine's thread: it owns the model and the runner, so a forward pass never blocks the extension host.
 * Requests are answered in the order they finish; `pause` is answered while a long `continue` yields.
 */
const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

const service = new EngineService({
  openSource: (path) => new FileModelSource(path),
  readFile: async (path) => asBytes(await readFile(path)),
});

const post = (m: FromWorker) => port.postMessage(m);
service.onEvent((event) => post({ kind: 'event', event }));

port.on('message', (msg: ToWorker) => {
  service.handle(msg.method, msg.params as never).then(
    (result) => post({ kind: 'result', id: msg.id, result }),
    (e) => post({ kind: 'error', id: msg.id, error: toWireError(e) }),
  );
});
