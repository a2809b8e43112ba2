// Finds the intervals overlapping a time window without scanning all of them: the viewer
// redraws on every scrub frame, and a 100k-event trace holds tens of thousands of intervals.
// Intervals are sorted by start and grouped in blocks that remember their latest end, so a
// query skips whole blocks that finished before the window.

export interface Interval {
  startUs: number;
  endUs: number;
}

const BLOCK = 64;

export class IntervalIndex<T extends Interval> {
  readonly items: T[];
  private readonly blockMaxEndUs: number[] = [];

  constructor(items: T[]) {
    this.items = [...items].sort((a, b) => a.startUs - b.startUs);
    for (let b = 0; b < this.items.length; b += BLOCK) {
      let maxEnd = -Infinity;
      for (let i = b; i < Math.min(b + BLOCK, this.items.length); i++) maxEnd = Math.max(maxEnd, this.items[i]!.endUs);
      this.blockMaxEndUs.push(maxEnd);
    }
  }

  /** Calls fn for each interval with startUs <= toUs and endUs >= fromUs, in start order. */
  forEachOverlapping(fromUs: number, toUs: number, fn: (item: T) => void): void {
    const last = upperBound(this.items, toUs, (x) => x.startUs); // first with start > toUs
    for (let b = 0; b * BLOCK < last; b++) {
      if (this.blockMaxEndUs[b]! < fromUs) continue;
      const end = Math.min((b + 1) * BLOCK, last);
      for (let i = b * BLOCK; i < end; i++) {
        const item = this.items[i]!;
        if (item.endUs >= fromUs) fn(item);
      }
    }
  }

  overlapping(fromUs: number, toUs: number): T[] {
    const out: T[] = [];
    this.forEachOverlapping(fromUs, toUs, (x) => out.push(x));
    return out;
  }
}

/** Index of the first item whose key is > value (items sorted by key). */
export function upperBound<T>(items: ArrayLike<T>, value: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid] as T) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first item whose key is >= value (items sorted by key). */
export function lowerBound<T>(items: ArrayLike<T>, value: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid] as T) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
