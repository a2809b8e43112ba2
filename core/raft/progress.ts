// The leader's view of one follower (etcd-io/raft tracker.Progress): flow control by
// state. probe: one append per heartbeat interval until a match is found; replicate:
// optimistic pipelining bounded by maxInflight messages; snapshot: wait for the
// snapshot to be installed (thesis §5.3 and §10.2 on pipelining).
import { assert } from "../assert";

export type ProgressState = "probe" | "replicate" | "snapshot";

export class Inflights {
  private readonly lastIndexes: number[] = [];
  constructor(readonly capacity: number) {}
  full(): boolean {
    return this.lastIndexes.length >= this.capacity;
  }
  count(): number {
    return this.lastIndexes.length;
  }
  add(lastIndex: number): void {
    assert(!this.full(), "inflights overflow");
    this.lastIndexes.push(lastIndex);
  }
  /** Frees every message whose last entry is <= index (acknowledged). */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.lastIndexes.length && this.lastIndexes[n]! <= index) n++;
    if (n > 0) this.lastIndexes.splice(0, n);
  }
  reset(): void {
    this.lastIndexes.length = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = "probe";
  /** In probe state: an append was sent and we wait for the reply or the next heartbeat. */
  probeSent = false;
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round (§6.2). */
  recentActive = false;
  /** Leader tick at which the last acknowledged heartbeat was sent (lease reads, §6.4.1). */
  ackedLeaseTick = Number.NEGATIVE_INFINITY;
  snapshotSentTick = 0;
  /** Highest commit index the follower reported in a response (see Raft.removalSettled). */
  commitKnown = 0;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, readonly isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  becomeProbe(): void {
    // After a snapshot the follower has at least the snapshot's index.
    if (this.state === "snapshot") {
      const pending = this.pendingSnapshot;
      this.reset("probe");
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.reset("probe");
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.reset("replicate");
    this.next = this.match + 1;
  }

  becomeSnapshot(snapIndex: number): void {
    this.reset("snapshot");
    this.pendingSnapshot = snapIndex;
  }

  private reset(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  /** Acknowledgement up to n; returns true when it advanced our knowledge. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** A rejection of the append at `rejected`, with the follower's hint; false if stale. */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === "replicate") {
      if (rejected <= this.match) return false; // stale
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false; // not the probe we sent last
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  /** Whether sending an append to this follower must wait. */
  isPaused(): boolean {
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflights.full();
      case "snapshot":
        return true;
    }
  }

  /** Records that an append ending at lastIndex (with `count` entries) was sent. */
  sentEntries(lastIndex: number, count: number): void {
    if (this.state === "replicate") {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === "probe") {
      this.probeSent = true;
    }
  }
}
