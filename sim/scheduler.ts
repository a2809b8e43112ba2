// The virtual clock and event queue. Time is an integer number of microseconds.
// Events are ordered by (time, insertion sequence): ties break by who scheduled first,
// which is what makes a run a pure function of its seed.
//
// The queue is a binary heap kept in parallel arrays (times and sequence numbers in
// Float64Arrays, the callbacks beside them), so ordering compares numbers without
// following a pointer per event, and post() queues an event without allocating anything
// but the caller's closure. at()/after() also return a handle that can cancel the event.
import { assert } from "../core/assert";

export interface EventHandle {
  readonly timeUs: number;
  readonly seq: number;
  cancelled: boolean;
}

class QueuedEvent implements EventHandle {
  cancelled = false;
  constructor(
    readonly timeUs: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
}

/** What the heap holds per event: the callback itself (post) or a cancellable handle (at/after). */
type Item = (() => void) | QueuedEvent;

export const EVENTS_QUEUED_MAX = 50_000_000;

const CAPACITY_INITIAL = 256;

export class Scheduler {
  private times = new Float64Array(CAPACITY_INITIAL);
  private seqs = new Float64Array(CAPACITY_INITIAL);
  private items: Item[] = [];
  private size = 0;
  private seqNext = 0;
  private nowUsValue = 0;
  /** Events executed so far (cancelled ones are not counted). */
  eventsRun = 0;

  get nowUs(): number {
    return this.nowUsValue;
  }

  get pending(): number {
    return this.size;
  }

  /** Schedules fn at absolute virtual time timeUs (never in the past). */
  at(timeUs: number, fn: () => void): EventHandle {
    this.check(timeUs);
    const event = new QueuedEvent(timeUs, this.seqNext++, fn);
    this.push(timeUs, event.seq, event);
    return event;
  }

  /** Schedules fn after delayUs (rounded to whole µs, at least 0). */
  after(delayUs: number, fn: () => void): EventHandle {
    return this.at(this.nowUsValue + Math.max(0, Math.round(delayUs)), fn);
  }

  /** after() for an event that is never cancelled: no handle is made. */
  post(delayUs: number, fn: () => void): void {
    const timeUs = this.nowUsValue + Math.max(0, Math.round(delayUs));
    this.check(timeUs);
    this.push(timeUs, this.seqNext++, fn);
  }

  cancel(handle: EventHandle | undefined): void {
    if (handle) handle.cancelled = true;
  }

  /** Runs one event; returns false when the queue is empty. */
  step(): boolean {
    while (this.size > 0) if (this.runTop()) return true;
    return false;
  }

  /** Runs every event with time ≤ timeUs, then sets the clock to timeUs. */
  runUntil(timeUs: number): void {
    assert(timeUs >= this.nowUsValue, () => `runUntil into the past: ${timeUs} < ${this.nowUsValue}`);
    // Checked per event, cancelled ones included: a cancelled event at the top never lets
    // a later one past timeUs run early.
    while (this.size > 0 && this.times[0]! <= timeUs) this.runTop();
    this.nowUsValue = timeUs;
  }

  /** Removes the earliest event and runs it unless cancelled; returns whether it ran. */
  private runTop(): boolean {
    const timeUs = this.times[0]!;
    const item = this.popTop();
    if (typeof item === "function") {
      this.nowUsValue = timeUs;
      this.eventsRun++;
      item();
      return true;
    }
    if (item.cancelled) return false;
    this.nowUsValue = timeUs;
    this.eventsRun++;
    item.fn();
    return true;
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

  private check(timeUs: number): void {
    assert(Number.isInteger(timeUs), () => `event time must be integer µs, got ${timeUs}`);
    assert(timeUs >= this.nowUsValue, () => `event scheduled in the past: ${timeUs} < ${this.nowUsValue}`);
    assert(this.size < EVENTS_QUEUED_MAX, "event queue limit reached");
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
  }

  private push(timeUs: number, seq: number, item: Item): void {
    if (this.size === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < timeUs || (pt === timeUs && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    times[i] = timeUs;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Removes the earliest event (the queue is not empty) and returns its item. */
  private popTop(): Item {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const top = items[0]!;
    const n = --this.size;
    if (n > 0) {
      // Sift the last event down from the root.
      const lastT = times[n]!;
      const lastS = seqs[n]!;
      const lastItem = items[n]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        let c = l;
        let ct = times[l]!;
        let cs = seqs[l]!;
        const r = l + 1;
        if (r < n) {
          const rt = times[r]!;
          if (rt < ct || (rt === ct && seqs[r]! < cs)) {
            c = r;
            ct = rt;
            cs = seqs[r]!;
          }
        }
        if (lastT < ct || (lastT === ct && lastS < cs)) break;
        times[i] = ct;
        seqs[i] = cs;
        items[i] = items[c]!;
        i = c;
      }
      times[i] = lastT;
      seqs[i] = lastS;
      items[i] = lastItem;
    }
    // Release the callback (the closure and what it captured) for the collector.
    items[n] = undefined as unknown as Item;
    return top;
  }
}
