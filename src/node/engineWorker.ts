import { parentPort } from 'node:worker_threads';
import { EngineService } from '../service/engineService';
import { toWireError } from '../service/wireError';
import { configureEngine } from './engineSetup';
import { nodePorts } from './ports';
import type { FromWorker, ToWorker } from './workerProtocol';

/**
 * An engine's thread: it owns one model and the runners of its debug sessions, so a forward pass never blocks
 * the extension host. Requests are answered in the order they finish; `pause` is answered while a long
 * `continue` yields. `configure` sets the thread count of this thread's engine (the `layerstep.threads` setting).
 */
const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

const service = new EngineService(nodePorts());

const post = (m: FromWorker) => port.postMessage(m);
service.onEvent((event, run) => post({ kind: 'event', run, event }));

port.on('message', (msg: ToWorker) => {
  if (msg.kind === 'configure') {
    try {
      configureEngine(msg.threads === undefined ? {} : { threads: msg.threads });
    } catch (e) {
      // The engine keeps the threads it has; requests go on. The reason shows in the extension host's log.
      console.error(`Layerstep engine: the thread setting was not applied: ${e instanceof Error ? e.message : String(e)}`);
    }
    return;
  }
  service.handle(msg.method, msg.params as never, msg.run).then(
    (result) => post({ kind: 'result', id: msg.id, result }),
    (e) => post({ kind: 'error', id: msg.id, error: toWireError(e) }),
  );
});
