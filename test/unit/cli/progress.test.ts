import { describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/errors';
import { progressReporter } from '../../../src/cli/progress';

function io(tty: boolean): Io & { text: string } {
  const o = { text: '', stderrIsTTY: tty, out: () => undefined, err: (t: string) => { o.text += t; } };
  return o;
}

describe('progress on stderr', () => {
  it('shows nothing when stderr is not a terminal', () => {
    const sink = io(false);
    let now = 0;
    const p = progressReporter(sink, 'running', () => now);
    now = 5000;
    p.update(1, 2);
    p.done();
    expect(sink.text).toBe('');
  });

  it('shows a counter on a terminal only after a second, and clears it at the end', () => {
    const sink = io(true);
    let now = 0;
    const p = progressReporter(sink, 'running', () => now);
    now = 500;
    p.update(1, 10);
    expect(sink.text).toBe('');
    now = 1500;
    p.update(5, 10);
    expect(sink.text).toBe('\r\x1b[2Klayerstep: running 5/10 (50%)');
    p.done();
    expect(sink.text.endsWith('\r\x1b[2K')).toBe(true);
  });
});
