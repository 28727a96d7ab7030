import type { Io } from './errors';

/** Progress appears only after this long, so quick runs print nothing extra. */
const DELAY_MS = 1000;
const INTERVAL_MS = 200;

export interface ProgressReporter {
  /** Nodes done of nodes in all. */
  update(done: number, total: number): void;
  /** Clears the progress line. */
  done(): void;
}

/**
 * A one-line progress counter on stderr, redrawn in place, only when stderr is a terminal (never in pipes,
 * files or tests) and only for runs that last longer than a second.
 */
export function progressReporter(io: Io, verb: string, now: () => number = Date.now): ProgressReporter {
  const start = now();
  let last = 0;
  let shown = false;
  return {
    update: (done, total) => {
      if (!io.stderrIsTTY) return;
      const t = now();
      if (t - start < DELAY_MS || t - last < INTERVAL_MS) return;
      last = t;
      shown = true;
      io.err(`\r\x1b[2Klayerstep: ${verb} ${done}/${total} (${Math.round((100 * done) / Math.max(1, total))}%)`);
    },
    done: () => {
      if (shown) io.err('\r\x1b[2K');
      shown = false;
    },
  };
}
