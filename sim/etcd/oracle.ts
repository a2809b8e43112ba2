// What the harness (not the nodes) remembers about a run: every store event each replica
// applied, by revision. Nodes forget on crash; this record does not, so the watch rules
// can compare what watchers received with what the store really did.
import type { StoreEvent } from "../../checker/watch";
import type { WatchEvent } from "../../core/server/api";

/** Disagreements kept of each kind: the first few say what went wrong. */
const MISMATCHES_MAX = 20;

export class StoreOracle {
  /** revision → the events of that revision, as first recorded by any replica. */
  private readonly byRevision = new Map<number, { node: number; events: WatchEvent[] }>();
  readonly mismatches: string[] = [];
  /** Compactions as first applied by any replica: to which revision, with the store at which, and when. */
  private readonly compactionsApplied = new Map<number, { atRevision: number; atUs: number }>();
  /** When each proposed entry (by term and index) was last appended by a leader, in true time. */
  private readonly proposedAt = new Map<string, number>();
  /** revision → the entry (term and index) that made it. */
  private readonly entryOfRevision = new Map<number, string>();
  /** applied index → the state digest there, as first recorded by a replica (state checkpoints). */
  private readonly stateAt = new Map<number, { node: number; hash: string; shared: boolean }>();
  /** Replicas whose state differed from the first one recorded at the same applied index. */
  readonly stateMismatches: string[] = [];
  /** The world's true time (set by the system when it attaches to a world; a node's own clock may drift). */
  clock: () => number = () => 0;

  record(node: number, revision: number, events: WatchEvent[]): void {
    const seen = this.byRevision.get(revision);
    if (!seen) {
      this.byRevision.set(revision, { node, events });
      return;
    }
    const a = JSON.stringify(seen.events.map((e) => [e.type, e.kv]));
    const b = JSON.stringify(events.map((e) => [e.type, e.kv]));
    if (a !== b && this.mismatches.length < MISMATCHES_MAX) this.mismatches.push(`revision ${revision}: node ${seen.node} applied ${a.slice(0, 200)} but node ${node} applied ${b.slice(0, 200)}`);
  }

  /**
   * A replica's state digest at a checkpoint index (node.ts takes one every
   * STATE_CHECKPOINT_ENTRIES applied entries). The record outlives the replica: a member
   * removed or crashed before the end is still compared with the ones that passed the same
   * index later, and a restarted member with its own earlier self.
   */
  recordState(node: number, index: number, hash: string): void {
    const seen = this.stateAt.get(index);
    if (!seen) {
      this.stateAt.set(index, { node, hash, shared: false });
      return;
    }
    if (node !== seen.node) seen.shared = true;
    if (hash !== seen.hash && this.stateMismatches.length < MISMATCHES_MAX) this.stateMismatches.push(`nodes ${seen.node} and ${node} differ at applied index ${index} (state ${seen.hash.slice(0, 12)} vs ${hash.slice(0, 12)}, a checkpoint during the run)`);
  }

  /** Checkpoint indexes that two or more replicas reached (each a comparison that was made). */
  stateCheckpointsShared(): number {
    let shared = 0;
    for (const seen of this.stateAt.values()) if (seen.shared) shared++;
    return shared;
  }

  noteProposed(index: number, term: number): void {
    // The latest proposal at a (term, index) is the one that stands: a lone member that won
    // a term, appended, and failed its fsync comes back in the term before, wins the same
    // term again, and appends something else at the same index (seed 159 with 2 members at
    // 12 rounds, run 27117: the entry at term 3, index 92 was proposed at 12.62 s and lost,
    // then again at 15.0 s with a put called at 15.003 s, which the first time kept out).
    this.proposedAt.set(`${term}:${index}`, this.clock());
  }

  noteRevisionEntry(revision: number, index: number, term: number): void {
    if (!this.entryOfRevision.has(revision)) this.entryOfRevision.set(revision, `${term}:${index}`);
  }

  /**
   * revision → when the entry that made it was proposed (true time). A request can have made
   * a revision only if it was called before that: it reaches the leader over the network.
   */
  revisionsProposedAtUs(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [revision, key] of this.entryOfRevision) {
      const at = this.proposedAt.get(key);
      if (at !== undefined) out.set(revision, at);
    }
    return out;
  }

  recordCompaction(revision: number, atRevision: number): void {
    if (!this.compactionsApplied.has(revision)) this.compactionsApplied.set(revision, { atRevision, atUs: this.clock() });
  }

  /** Every compaction applied: { revision compacted to, store revision then, true time first applied }, in order. */
  compactions(): { revision: number; atRevision: number; atUs: number }[] {
    return [...this.compactionsApplied].map(([revision, a]) => ({ revision, ...a })).sort((a, b) => a.revision - b.revision);
  }

  storeEvents(): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const revision of [...this.byRevision.keys()].sort((a, b) => a - b)) {
      for (const e of this.byRevision.get(revision)!.events) out.push({ revision, type: e.type, kv: e.kv, ...(e.prevKv ? { prevKv: e.prevKv } : {}) });
    }
    return out;
  }

  /** Whether every revision from `from` to `to` was recorded (a gap makes "reliable" uncheckable). */
  covers(from: number, to: number): boolean {
    for (let r = from; r <= to; r++) if (!this.byRevision.has(r)) return false;
    return true;
  }
}
