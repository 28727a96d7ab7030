// Results of one suite: a line per test as it finishes and the closing `N passed, N failed` line that CI
// logs are searched for.

export class Tally {
  constructor(suite) {
    this.suite = suite;
    this.passed = 0;
    this.failed = 0;
    this.t0 = performance.now();
  }

  pass(name, ms) {
    this.passed += 1;
    console.log(`  ✔ ${name} (${(ms / 1000).toFixed(1)} s)`);
  }

  fail(name, error, ms) {
    this.failed += 1;
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    console.log(`  ✘ ${name}${ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`}\n${indent(message, '      ')}`);
  }

  /** Adds counts reported by someone else (the mocha suite in the extension host). */
  add(passed, failed) {
    this.passed += passed;
    this.failed += failed;
  }

  /** Prints the closing line and returns the exit code: 0 only if something ran and nothing failed. */
  finish() {
    const seconds = ((performance.now() - this.t0) / 1000).toFixed(1);
    console.log(`\n${this.suite}: ${this.passed} passed, ${this.failed} failed (${seconds} s)`);
    return this.failed === 0 && this.passed > 0 ? 0 : 1;
  }
}

/** Resolves like `promise` but rejects after `ms` milliseconds with a message naming `what`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function indent(text, pad) {
  return text.split('\n').map((l) => pad + l).join('\n');
}
