// Serves VS Code (code-server) on 127.0.0.1 with this extension loaded in development mode and examples/
// open, prints the URL, and runs until Ctrl-C. Used by scripts/open-vscode.sh where desktop VS Code is absent.
//   PORT=<n>  the port (default 3850, or a free one if that is taken)
// Settings and state persist in .vscode-test/run-open between runs; a rebuilt dist/ is picked up on reload.
import { examplesDir, freePort, repoRoot, startCodeServer, workbenchUrl } from './lib/index.mjs';
import { createServer } from 'node:net';

/** Resolves true if `port` can be bound on 127.0.0.1 right now. */
function portIsFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const wanted = Number(process.env.PORT ?? 3850);
const port = (await portIsFree(wanted)) ? wanted : await freePort();
const server = await startCodeServer('open', { port, clean: false });
const url = workbenchUrl(server, { folder: examplesDir, extensionDevelopmentPath: repoRoot });
console.log(`
VS Code with Layerstep (development mode) on examples/:

  ${url}

Open it at exactly this host and port: the extension is addressed through it (forward the port as-is when
connecting from another machine). Reload the page after \`npm run build\`. Ctrl-C stops code-server.
Log: ${server.log}`);

// Ctrl-C: the harness stops code-server and its extension hosts (lib/codeServer.mjs).
