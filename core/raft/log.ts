// The replicated log of one node: a compacted prefix (summarised by the last snapshot's
// index and term) followed by in-memory entries. `stabled` marks what the host has
// persisted; entries above it are handed out in Ready for the host to write.
import { assert } from "../assert";
import type { BugSet } from "../canary";
import type { Entry, Snapshot } from "./types";
import { entrySizeBytes } from "./types";

export class RaftLog {
  /** Index and term of the last entry folded into a snapshot (0/0 initially). */
  snapIndex = 0;
  snapTerm = 0;
  /** entries[i].index === snapIndex + 1 + i */
  entries: Entry[] = [];
  committed = 0;
  applied = 0;
  stabled = 0;
  /** Snapshot received from a leader, not yet persisted by the host. */
  pendingSnapshot: Snapshot | undefined;

  constructor(private readonly bugs: BugSet) {}

  firstIndex(): number {
    return this.snapIndex + 1;
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  /** Term of entry `i`, or undefined when it is compacted away or beyond the log. */
  term(i: number): number | undefined {
    if (i === this.snapIndex) return this.snapTerm;
    if (i < this.snapIndex || i > this.lastIndex()) return undefined;
    return this.entries[i - this.snapIndex - 1]!.term;
  }

  entry(i: number): Entry {
    assert(i > this.snapIndex && i <= this.lastIndex(), () => `entry ${i} outside (${this.snapIndex}, ${this.lastIndex()}]`);
    return this.entries[i - this.snapIndex - 1]!;
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /** §5.4.1 election restriction: is (lastIndex, lastTerm) at least as up-to-date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [lo, hi) limited to maxBytes (always at least one entry). */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    assert(lo > this.snapIndex, () => `slice from compacted index ${lo}`);
    hi = Math.min(hi, this.lastIndex() + 1);
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.entries[i - this.snapIndex - 1]!;
      size += entrySizeBytes(e);
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /**
   * Follower side of AppendEntries (§5.3, Figure 2 receiver rules 2–5): if our log has
   * (index, logTerm), append `ents`, truncating from the first conflicting entry, and
   * return the index of the last new entry; otherwise undefined.
   */
  maybeAppend(index: number, logTerm: number, committed: number, ents: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      assert(ci > this.committed, () => `conflict at ${ci} at or below commit ${this.committed} (Log Matching broken)`);
      const from = ci - (index + 1);
      if (this.bugs.has("no-truncate-on-conflict") && ci <= this.lastIndex()) {
        // Canary: keep our conflicting entries, only take what lies past our end.
        const tail = ents.slice(this.lastIndex() - index);
        if (tail.length > 0) this.append(tail);
      } else {
        this.append(ents.slice(from));
      }
    }
    // Rule 5: entries past lastNew were not checked against the leader's log.
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** First index whose term differs from ours, or the first new index past our end; 0 if none. */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (e.index <= this.snapIndex) continue; // already compacted, therefore committed and equal
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast backtracking (thesis §5.3 / etcd findConflictByTerm): the largest index <= `index`
   * whose term is <= `term`. Lets a leader skip a whole term of mismatching entries.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    index = Math.min(index, this.lastIndex());
    for (; index > this.snapIndex; index--) {
      const t = this.term(index)!;
      if (t <= term) return { index, term: t };
    }
    return { index: this.snapIndex, term: this.snapTerm };
  }

  /** Appends, truncating everything from ents[0].index on. */
  append(ents: readonly Entry[]): void {
    if (ents.length === 0) return;
    const first = ents[0]!.index;
    assert(first > this.committed, () => `append at ${first} would overwrite committed ${this.committed}`);
    assert(first <= this.lastIndex() + 1, () => `append at ${first} leaves a gap after ${this.lastIndex()}`);
    const keep = first - this.snapIndex - 1;
    if (this.entries.length !== keep) this.entries.length = keep; // truncate a conflicting suffix
    for (const e of ents) this.entries.push(e);
    if (this.stabled >= first) this.stabled = first - 1;
  }

  commitTo(i: number): void {
    if (i > this.committed) {
      assert(i <= this.lastIndex(), () => `commit ${i} beyond last index ${this.lastIndex()}`);
      this.committed = i;
    }
  }

  appliedTo(i: number): void {
    assert(i <= this.committed && i >= this.applied, () => `applied ${i} outside [${this.applied}, ${this.committed}]`);
    this.applied = i;
  }

  unstableEntries(): Entry[] {
    if (this.stabled >= this.lastIndex()) return [];
    return this.entries.slice(Math.max(this.stabled, this.snapIndex) - this.snapIndex);
  }

  /** Committed entries not yet applied, bounded to what is (or is being) persisted. */
  nextCommittedEntries(): Entry[] {
    const lo = Math.max(this.applied, this.snapIndex) + 1;
    if (this.committed < lo) return [];
    return this.entries.slice(lo - this.snapIndex - 1, this.committed - this.snapIndex);
  }

  /** Replace the whole log by a snapshot received from the leader (§7, InstallSnapshot). */
  restore(s: Snapshot): void {
    // §7: our log lacks the snapshot's last entry (the caller checked), so nothing past it
    // can be trusted either; the canary keeps it anyway.
    const kept = this.bugs.has("snapshot-keeps-conflicting-log") ? this.entries.filter((e) => e.index > s.index) : [];
    this.snapIndex = s.index;
    this.snapTerm = s.term;
    this.entries = kept;
    this.committed = s.index;
    this.stabled = s.index;
    this.pendingSnapshot = s;
  }

  /** Discard entries up to and including `index` (already applied and snapshotted). */
  compact(index: number): void {
    assert(index <= this.applied, () => `compact ${index} beyond applied ${this.applied}`);
    if (index <= this.snapIndex) return;
    const t = this.term(index)!;
    this.entries = this.entries.slice(index - this.snapIndex);
    this.snapIndex = index;
    this.snapTerm = t;
    if (this.stabled < index) this.stabled = index;
  }
}
