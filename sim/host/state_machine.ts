// The state machine a host applies committed entries to. Pluggable: the etcd server puts
// its MVCC backend here. A machine may keep its own durable state on the node's disk;
// then appliedIndex() after construction reports what survived, and the host replays only
// WAL entries above it (etcd's consistent index).
import { crc32 } from "../../core/crc32";

export interface AppliedEntry {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

export interface StateMachine {
  /** Applies one committed normal entry (no-ops and conf changes are not passed). */
  apply(entry: AppliedEntry): void;
  /** Highest index applied (after construction: the durable one). */
  appliedIndex(): number;
  /** Serialized state at appliedIndex(). */
  snapshot(): Uint8Array;
  /** Replaces the state by a snapshot taken at (index, term). */
  restore(data: Uint8Array, index: number, term: number): void;
  /** Raft skipped entries up to `index` that carry no data (no-ops, conf changes). */
  skipTo?(index: number): void;
}

/**
 * Default machine: remembers the count and a rolling hash of applied payloads, plus the
 * payloads themselves since the last restore (tests compare them across nodes). Its state
 * lives in memory only: it is rebuilt from the Raft snapshot and the WAL.
 */
export class HashListStateMachine implements StateMachine {
  applied = 0;
  count = 0;
  hash = 0;
  // (index, term, payload hash) of entries applied since construction or the last restore,
  // as three number arrays: no object per applied entry (they live as long as the run).
  private readonly logIndex: number[] = [];
  private readonly logTerm: number[] = [];
  private readonly logHash: number[] = [];

  /** (index, term, payload hash) of entries applied since construction or the last restore (a new array per call). */
  get log(): { index: number; term: number; hash: number }[] {
    return this.logIndex.map((index, i) => ({ index, term: this.logTerm[i]!, hash: this.logHash[i]! }));
  }
  /** Index of the snapshot restored last (the log starts after it). */
  baseIndex = 0;

  apply(e: AppliedEntry): void {
    const h = crc32(e.data);
    this.count++;
    this.hash = (Math.imul(this.hash ^ h, 0x01000193) + e.index) >>> 0;
    this.applied = e.index;
    this.logIndex.push(e.index);
    this.logTerm.push(e.term);
    this.logHash.push(h);
  }
  skipTo(index: number): void {
    if (index > this.applied) this.applied = index;
  }
  appliedIndex(): number {
    return this.applied;
  }
  snapshot(): Uint8Array {
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setFloat64(0, this.applied);
    v.setFloat64(8, this.count);
    v.setFloat64(16, this.hash);
    return b;
  }
  restore(data: Uint8Array, index: number): void {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.applied = v.getFloat64(0);
    this.count = v.getFloat64(8);
    this.hash = v.getFloat64(16);
    if (this.applied !== index) throw new Error(`snapshot data at ${this.applied} restored as ${index}`);
    this.logIndex.length = 0;
    this.logTerm.length = 0;
    this.logHash.length = 0;
    this.baseIndex = index;
  }
}
