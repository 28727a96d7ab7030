import { parentPort } from 'node:worker_threads';
import { EngineService } from '../service/engineService';
import { toWireError } from '../service/wireError';
import { nodePorts } from './ports';
import type { FromWorker, ToWorker } from './workerProtocol';

/**
 * An engine's thread: it owns one model and the runners of its debug sessions, so a forward pass never blocks
 * the extension host. Requests are answered in the order they finish; `pause` is answered while a long
 * `continue` yields.
 */
const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

const service = new EngineService(nodePorts());

const post = (m: FromWorker) => port.postMessage(m);
service.onEvent((event, run) => post({ kind: 'event', run, event }));

port.on('message', (msg: ToWorker) => {
  service.handle(msg.method, msg.params as never, msg.run).then(
    (result) => post({ kind: 'result', id: msg.id, result }),
    (e) => post({ kind: 'error', id: msg.id, error: toWireError(e) }),
  );
});
