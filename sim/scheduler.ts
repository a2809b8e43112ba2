// The virtual clock and event queue. Time is an integer number of microseconds.
// Events are ordered by (time, insertion sequence): ties break by who scheduled first,
// which is what makes a run a pure function of its seed.
import { assert } from "../core/assert";

export interface EventHandle {
  readonly timeUs: number;
  readonly seq: number;
  cancelled: boolean;
}

interface QueuedEvent extends EventHandle {
  fn: () => void;
}

export const EVENTS_QUEUED_MAX = 50_000_000;

export class Scheduler {
  private heap: QueuedEvent[] = [];
  private seqNext = 0;
  private nowUsValue = 0;
  /** Events executed so far (cancelled ones are not counted). */
  eventsRun = 0;

  get nowUs(): number {
    return this.nowUsValue;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Schedules fn at absolute virtual time timeUs (never in the past). */
  at(timeUs: number, fn: () => void): EventHandle {
    assert(Number.isInteger(timeUs), () => `event time must be integer µs, got ${timeUs}`);
    assert(timeUs >= this.nowUsValue, () => `event scheduled in the past: ${timeUs} < ${this.nowUsValue}`);
    assert(this.heap.length < EVENTS_QUEUED_MAX, "event queue limit reached");
    const event: QueuedEvent = { timeUs, seq: this.seqNext++, cancelled: false, fn };
    this.push(event);
    return event;
  }

  /** Schedules fn after delayUs (rounded to whole µs, at least 0). */
  after(delayUs: number, fn: () => void): EventHandle {
    return this.at(this.nowUsValue + Math.max(0, Math.round(delayUs)), fn);
  }

  cancel(handle: EventHandle | undefined): void {
    if (handle) handle.cancelled = true;
  }

  /** Runs one event; returns false when the queue is empty. */
  step(): boolean {
    for (;;) {
      const event = this.pop();
      if (!event) return false;
      if (event.cancelled) continue;
      this.nowUsValue = event.timeUs;
      this.eventsRun++;
      event.fn();
      return true;
    }
  }

  /** Runs every event with time ≤ timeUs, then sets the clock to timeUs. */
  runUntil(timeUs: number): void {
    assert(timeUs >= this.nowUsValue, () => `runUntil into the past: ${timeUs} < ${this.nowUsValue}`);
    for (;;) {
      const top = this.heap[0];
      if (!top || top.timeUs > timeUs) break;
      this.step();
    }
    this.nowUsValue = timeUs;
  }

  /** Runs until no events remain, or maxEvents ran; returns how many ran. */
  runUntilIdle(maxEvents = Number.MAX_SAFE_INTEGER): number {
    let ran = 0;
    while (ran < maxEvents && this.step()) ran++;
    return ran;
  }

  /** Runs at most n events; returns how many ran. */
  runEvents(n: number): number {
    return this.runUntilIdle(n);
  }

  private push(event: QueuedEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.timeUs < event.timeUs || (p.timeUs === event.timeUs && p.seq < event.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  private pop(): QueuedEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        let child = heap[l]!;
        if (r < n) {
          const rc = heap[r]!;
          if (rc.timeUs < child.timeUs || (rc.timeUs === child.timeUs && rc.seq < child.seq)) {
            c = r;
            child = rc;
          }
        }
        if (last.timeUs < child.timeUs || (last.timeUs === child.timeUs && last.seq < child.seq)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
