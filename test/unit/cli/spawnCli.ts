import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** What a spawned `layerstep` said and how it ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const root = resolve(__dirname, '../../..');

/** Runs the built `dist/cli.js` with `args` in the folder `cwd`, as a user's shell would. */
export function spawnCli(cwd: string, args: readonly string[]): CliResult {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
