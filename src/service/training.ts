import type { Tolerance } from '../runner/divergence';
import type { HealthThresholds } from '../runner/healthWatch';
import type { Runner } from '../runner/runner';
import type { Trainer } from '../runner/train/trainer';
import type { BreakpointStatus, ExceptionFilter, LineBreakpoint, NameBreakpoint, StopEvent } from '../runner/types';
import type { StepKind, TrainingInfo } from '../protocol/engine';

/** How long steps run one after another before the event loop gets a turn. */
const YIELD_MS = 10;

/**
 * A training run in the service: the trainer and the runner of the step it is in. Each step is a run of its own;
 * a forward move at the end of a step goes on into the next one (Continue runs on through the steps to a
 * breakpoint, an exception or the last step's end; a step stops at the next step's start). Breakpoints and
 * exception filters are set again on every step's runner, under the ids the first answer gave them.
 */
export class TrainingRun {
  runner: Runner;
  private step = 1;
  private committed = false;
  private pauseRequested = false;
  private lines: readonly LineBreakpoint[] = [];
  private names: readonly NameBreakpoint[] = [];
  private filters: readonly ExceptionFilter[] = [];
  private tolerance?: Tolerance;
  private thresholds?: HealthThresholds;
  /** The ids breakpoints were first given, by the current runner's ids. */
  private readonly ids = new Map<number, number>();
  private lineIds: number[] = [];
  private nameIds: number[] = [];
  /** Added to a runner's generation, so that a new step reads as a new timeline. */
  private generationBase = 0;

  constructor(
    readonly trainer: Trainer,
    readonly steps: number,
    private readonly info: Omit<TrainingInfo, 'step' | 'steps' | 'losses' | 'trainable'>,
    private readonly onLoss: (step: number, loss: number) => void,
    /** Lets the event loop run between steps (a pause gets in even when every step is quicker than a runner's yield). */
    private readonly yieldToHost: () => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 0)),
  ) {
    this.runner = trainer.nextStep();
  }

  get generation(): number {
    return this.generationBase + this.runner.generation;
  }

  training(): TrainingInfo {
    return { ...this.info, step: this.step, steps: this.steps, losses: [...this.trainer.losses], trainable: this.trainer.trainable };
  }

  setLineBreakpoints(bps: readonly LineBreakpoint[]): BreakpointStatus[] {
    this.lines = bps;
    const answer = this.runner.setLineBreakpoints([...bps]);
    this.lineIds = answer.map((s) => s.id);
    this.remember();
    return answer;
  }

  setNameBreakpoints(bps: readonly NameBreakpoint[]): BreakpointStatus[] {
    this.names = bps;
    const answer = this.runner.setNameBreakpoints([...bps]);
    this.nameIds = answer.map((s) => s.id);
    this.remember();
    return answer;
  }

  setExceptionFilters(filters: readonly ExceptionFilter[], tolerance?: Tolerance, thresholds?: HealthThresholds): void {
    this.filters = filters;
    this.tolerance = tolerance ?? this.tolerance;
    this.thresholds = thresholds ?? this.thresholds;
    this.runner.setExceptionFilters([...filters], tolerance, thresholds);
  }

  /** A breakpoint id as the client knows it. */
  breakpointId(id: number): number {
    return this.ids.get(id) ?? id;
  }

  pause(): void {
    this.pauseRequested = true;
    this.runner.pause();
  }

  /** A move of the current step's runner; forward moves at a step's end go on into the next step. */
  async move(kind: StepKind | 'runTo', run: (r: Runner) => Promise<StopEvent>): Promise<StopEvent> {
    this.pauseRequested = false;
    const forward = kind !== 'back' && kind !== 'reverseContinue';
    const r = this.runner;
    const atEnd = r.finished && r.position.index === r.timeline().length - 1;
    if (forward && atEnd && this.advance()) {
      if (kind !== 'continue' && kind !== 'runTo') return { reason: 'step', position: this.runner.position };
    }
    let ev = await run(this.runner);
    this.settle();
    let yielded = Date.now();
    while (forward && (kind === 'continue' || kind === 'runTo') && ev.reason === 'end' && !this.pauseRequested) {
      if (Date.now() - yielded >= YIELD_MS) {
        await this.yieldToHost();
        yielded = Date.now();
        if (this.pauseRequested) break;
      }
      if (!this.advance()) break;
      ev = await run(this.runner);
      this.settle();
    }
    if (this.pauseRequested && ev.reason === 'end' && this.step < this.steps) ev = { ...ev, reason: 'pause' };
    return ev;
  }

  dispose(): void {
    this.runner.dispose();
  }

  /** Takes the step's loss and new weights once it has run to its end. */
  private settle(): void {
    if (this.committed || !this.runner.finished) return;
    const loss = this.trainer.finish(this.runner);
    this.committed = true;
    this.onLoss(this.step, loss);
  }

  /** Starts the next step, when the current one is done and steps remain. */
  private advance(): boolean {
    this.settle();
    if (!this.committed || this.step >= this.steps) return false;
    const old = this.runner;
    this.generationBase += old.generation + 1;
    this.runner = this.trainer.nextStep();
    old.dispose();
    this.step++;
    this.committed = false;
    const lines = this.runner.setLineBreakpoints([...this.lines]);
    const names = this.runner.setNameBreakpoints([...this.names]);
    this.ids.clear();
    lines.forEach((s, i) => this.ids.set(s.id, this.lineIds[i] ?? s.id));
    names.forEach((s, i) => this.ids.set(s.id, this.nameIds[i] ?? s.id));
    this.runner.setExceptionFilters([...this.filters], this.tolerance, this.thresholds);
    return true;
  }

  private remember(): void {
    // Set on the current runner: its ids are the client's.
    for (const id of [...this.lineIds, ...this.nameIds]) this.ids.set(id, id);
  }
}
