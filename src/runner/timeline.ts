import type { Item, ModuleDef, NodeDef } from '../model/ir';
import { unfold } from './control';
import type { ControlHost } from './control';
import type { Frame, Position, StopPoint } from './types';

/** A frame and where its events sit in the timeline. */
export interface FrameRecord {
  readonly frame: Frame;
  readonly callIndex: number;
  /** Set once the frame has returned. */
  returnIndex?: number;
}

/** One timeline event in plain numbers, for the panel's stack-over-time view. */
export interface TimelineEntry {
  readonly point: StopPoint;
  readonly frameId: number;
}

/**
 * The forward pass as a list of call and return events, produced lazily: a module's call, its body's
 * events, its return; a node's call, then (when the next event is asked for) its op runs, then its return.
 * Events once produced never change, so moving backwards and forwards again only moves an index.
 */
export class Timeline {
  readonly events: Position[] = [];
  readonly entries: TimelineEntry[] = [];
  private readonly frames = new Map<number, FrameRecord>();
  private readonly walker: Generator<void, void, void>;
  private nextFrameId = 1;
  private failure?: unknown;

  /** `run` executes a node's op and records its outputs; what it throws cuts the timeline short for good. */
  constructor(
    root: ModuleDef,
    private readonly run: (node: NodeDef, frame: Frame) => void,
    /** Makes the bodies of control-flow modules as the run reaches them (./control). */
    private readonly control?: ControlHost,
  ) {
    this.walker = this.walk(root, undefined, []);
    this.produce();
  }

  /** True once the root's return has been produced. */
  get complete(): boolean {
    const last = this.events[this.events.length - 1];
    return last !== undefined && last.point === 'return' && last.frame.depth === 0;
  }

  get length(): number {
    return this.events.length;
  }

  /** Produces one more event. Throws what the node's op threw, again on every later call. */
  produce(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.complete) return;
    try {
      this.walker.next();
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  record(id: number): FrameRecord | undefined {
    return this.frames.get(id);
  }

  private *walk(item: Item, parent: Frame | undefined, parentStack: readonly Frame[]): Generator<void, void, void> {
    const frame: Frame = { id: this.nextFrameId++, item, parentId: parent?.id, depth: parentStack.length };
    const stack = [...parentStack, frame];
    const record: FrameRecord = { frame, callIndex: this.events.length };
    this.frames.set(frame.id, record);
    this.push('call', frame, stack);
    yield;
    if (item.kind === 'module') {
      const body = item.control && this.control ? unfold(item, this.control) : item.body;
      for (const child of body) yield* this.walk(child, frame, stack);
    } else {
      this.run(item, frame);
    }
    record.returnIndex = this.events.length;
    this.push('return', frame, stack);
    yield;
  }

  private push(point: StopPoint, frame: Frame, stack: readonly Frame[]): void {
    this.events.push({ index: this.events.length, point, frame, stack });
    this.entries.push({ point, frameId: frame.id });
  }
}
