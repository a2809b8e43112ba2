// The revisioned key space: a sorted key index (B+ tree of per-key generations) over a
// revision-ordered record store. One write request = one WriteTxn = at most one new
// store revision; a request that changes nothing leaves the revision alone.
import { BTree } from "./btree";
import { assert } from "../assert";
import { KeyIndex } from "./key-index";
import { compareKeys, keyBounds, inBounds, type KeyBounds } from "./keys";
import { compareRevisions, type Revision } from "./revision";
import { recordLanes, SetDigest } from "./digest";
import { ERR_COMPACTED, ERR_FUTURE_REV, MvccError, type KeyValue, type MvccEvent } from "./types";

/** One stored change, keyed by its revision. A tombstone is a delete. */
interface RevRecord {
  key: string;
  value: string;
  lease: number;
  createRevision: number;
  version: number;
  tombstone: boolean;
}

export interface RangeOptions {
  /** Read at this store revision; ≤ 0 = current. */
  revision?: number;
  /** Maximum kvs returned; ≤ 0 = no limit. `count` still counts the whole range. */
  limit?: number;
  /** Only count; return no kvs. */
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** Number of keys in the range at the read revision, regardless of limit. */
  count: number;
  /** The store's current revision (etcd reports this, not the read revision). */
  revision: number;
}

/** The whole MVCC state, JSON-friendly, for snapshots and the backend image. */
export interface MvccSnapshot {
  currentRevision: number;
  compactRevision: number;
  /** [main, sub, key, value, lease, createRevision, version, tombstone 0|1], ascending by revision. */
  records: [number, number, string, string, number, number, number, 0 | 1][];
}

export class MvccStore {
  private index = new BTree<string, KeyIndex>(undefined, compareKeys);
  private records = new BTree<Revision, RevRecord>(undefined, compareRevisions);
  private currentRev = 1; // etcd's initial revision: the first write is revision 2
  private compactRev = -1; // none yet; compacting at 0 is legal once
  /** The records' digest, kept as they are written and compacted away (stateDigest). */
  private readonly recordsDigest = new SetDigest();
  private writing = false;

  currentRevision(): number {
    return this.currentRev;
  }

  /** The last compaction revision, -1 if never compacted. */
  compactRevision(): number {
    return this.compactRev;
  }

  /** Validates a read revision and resolves 0 to current; throws MvccError. */
  resolveReadRevision(revision: number | undefined, current = this.currentRev): number {
    const r = revision ?? 0;
    if (r > current) throw new MvccError("future-revision", ERR_FUTURE_REV);
    const at = r <= 0 ? current : r;
    if (at < this.compactRev) throw new MvccError("compacted", ERR_COMPACTED);
    return at;
  }

  range(key: string, rangeEnd: string | undefined, opts: RangeOptions = {}): RangeResult {
    assert(!this.writing, "mvcc: read-only range while a write txn is open");
    return this.rangeAt(key, rangeEnd, opts, this.currentRev, this.currentRev);
  }

  /** Shared by read and write txns; `visible` is the newest main revision the reader may see. */
  rangeAt(key: string, rangeEnd: string | undefined, opts: RangeOptions, current: number, visible: number): RangeResult {
    const at = opts.revision !== undefined && opts.revision > 0 ? this.resolveReadRevision(opts.revision, current) : visible;
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Infinity;
    const kvs: KeyValue[] = [];
    let count = 0;
    this.visitKeys(keyBounds(key, rangeEnd), (ki) => {
      const r = ki.get(at);
      if (r === undefined) return;
      count++;
      if (!opts.countOnly && kvs.length < limit) kvs.push(this.kvAt(r));
    });
    return { kvs, count, revision: current };
  }

  /** The value of one key at `atMain` (undefined when absent or compacted away). */
  getAt(key: string, atMain: number): KeyValue | undefined {
    if (atMain < this.compactRev) return undefined;
    const r = this.index.get(key)?.get(atMain);
    return r === undefined ? undefined : this.kvAt(r);
  }

  private visitKeys(b: KeyBounds, f: (ki: KeyIndex) => void): void {
    if (b.single) {
      const ki = this.index.get(b.start);
      if (ki !== undefined) f(ki);
      return;
    }
    if (b.end !== undefined && compareKeys(b.end, b.start) <= 0) return;
    for (const [k, ki] of this.index.entries(b.start)) {
      if (!inBounds(b, k)) break;
      f(ki);
    }
  }

  private kvAt(r: Revision): KeyValue {
    const rec = this.records.get(r);
    assert(rec !== undefined && !rec.tombstone, () => `mvcc: index points at missing revision ${r.main}.${r.sub}`);
    return {
      key: rec.key,
      createRevision: rec.createRevision,
      modRevision: r.main,
      version: rec.version,
      value: rec.value,
      lease: rec.lease,
    };
  }

  /** Opens the single write txn of a request. */
  write(): WriteTxn {
    assert(!this.writing, "mvcc: nested write txn");
    this.writing = true;
    return new WriteTxn(this, this.currentRev);
  }

  /** @internal called by WriteTxn */
  recordPut(key: string, r: Revision, rec: RevRecord, restoring = false): void {
    let ki = this.index.get(key);
    if (ki === undefined) {
      ki = new KeyIndex(key);
      this.index.set(key, ki);
    }
    if (rec.tombstone) ki.tombstone(r, restoring);
    else ki.put(r);
    const added = this.records.set(r, rec);
    assert(added, "mvcc: a revision written twice");
    this.recordsDigest.add(recordDigestLanes(r, rec));
  }

  /** @internal called by WriteTxn.end */
  finishWrite(bump: boolean): void {
    assert(this.writing, "mvcc: finishing a write txn that is not open");
    this.writing = false;
    if (bump) this.currentRev++;
  }

  /** Keys live at `atMain` in [key, rangeEnd). @internal */
  liveKeys(key: string, rangeEnd: string | undefined, atMain: number): KeyValue[] {
    const out: KeyValue[] = [];
    this.visitKeys(keyBounds(key, rangeEnd), (ki) => {
      const r = ki.get(atMain);
      if (r !== undefined) out.push(this.kvAt(r));
    });
    return out;
  }

  /**
   * Discards history before `revision` (etcd: a key keeps its newest value ≤ revision
   * unless that is a delete below it; a delete at `revision` itself stays, see KeyIndex).
   * Throws MvccError for a revision already compacted or in the future; does not change
   * the current revision. `dropKeptValue` is the compact-drops-kept-value canary.
   */
  compact(revision: number, dropKeptValue = false): void {
    assert(!this.writing, "mvcc: compact during a write txn");
    if (revision <= this.compactRev) throw new MvccError("compacted", ERR_COMPACTED);
    if (revision > this.currentRev) throw new MvccError("future-revision", ERR_FUTURE_REV);
    this.compactRev = revision;
    const emptied: string[] = [];
    for (const [k, ki] of this.index.entries()) {
      for (const r of ki.compact(revision, dropKeptValue)) {
        const rec = this.records.get(r);
        assert(rec !== undefined, "mvcc: compacting a revision with no record");
        this.records.delete(r);
        this.recordsDigest.remove(recordDigestLanes(r, rec));
      }
      if (ki.empty()) emptied.push(k);
    }
    for (const k of emptied) this.index.delete(k);
  }

  /**
   * Changes with main revision in [fromMain, toMain], in revision order, as watch events
   * (prevKv is the key's value just before, when still readable — etcd reads it at
   * modRevision-1 and leaves it out once compacted).
   */
  eventsBetween(fromMain: number, toMain: number): MvccEvent[] {
    const out: MvccEvent[] = [];
    if (toMain < fromMain) return out;
    for (const [r, rec] of this.records.entries({ main: fromMain, sub: 0 })) {
      if (r.main > toMain) break;
      const kv: KeyValue = rec.tombstone
        ? { key: rec.key, createRevision: 0, modRevision: r.main, version: 0, value: "", lease: 0 }
        : { key: rec.key, createRevision: rec.createRevision, modRevision: r.main, version: rec.version, value: rec.value, lease: rec.lease };
      const ev: MvccEvent = { type: rec.tombstone ? "DELETE" : "PUT", kv };
      const prev = this.getAt(rec.key, r.main - 1);
      if (prev !== undefined) ev.prevKv = prev;
      out.push(ev);
    }
    return out;
  }

  snapshot(): MvccSnapshot {
    assert(!this.writing, "mvcc: snapshot during a write txn");
    return { currentRevision: this.currentRev, compactRevision: this.compactRev, records: this.recordsAfter(0) };
  }

  /**
   * Records of revisions above `revision`, ascending, in snapshot form. Records are never
   * changed once written (only compaction removes old ones), so these are everything the
   * store gained since it was at `revision`: a backend commit writes only them.
   */
  recordsAfter(revision: number): MvccSnapshot["records"] {
    assert(!this.writing, "mvcc: records read during a write txn");
    const records: MvccSnapshot["records"] = [];
    for (const [r, rec] of this.records.entries({ main: revision + 1, sub: 0 })) {
      records.push([r.main, r.sub, rec.key, rec.value, rec.lease, rec.createRevision, rec.version, rec.tombstone ? 1 : 0]);
    }
    return records;
  }

  /**
   * A digest of everything snapshot() holds (current and compact revision, every record),
   * in O(1): equal stores give equal digests, and a difference shows with odds of 2^-64
   * against. For comparing replicas at every applied index (the harness's oracle).
   */
  stateDigest(): string {
    return `${this.currentRev}.${this.compactRev}.${this.recordsDigest.hex()}`;
  }

  static fromSnapshot(s: MvccSnapshot): MvccStore {
    const st = new MvccStore();
    st.currentRev = s.currentRevision;
    st.compactRev = s.compactRevision;
    let last: Revision | undefined;
    for (const [main, sub, key, value, lease, createRevision, version, tomb] of s.records) {
      const r = { main, sub };
      assert(last === undefined || compareRevisions(last, r) < 0, "mvcc snapshot: records out of order");
      assert(main <= s.currentRevision, "mvcc snapshot: record above the current revision");
      st.recordPut(key, r, { key, value, lease, createRevision, version, tombstone: tomb === 1 }, true);
      last = r;
    }
    return st;
  }

  /** Number of keys with any retained history (live or not). */
  indexedKeyCount(): number {
    return this.index.size;
  }

  /** Number of retained revision records. */
  recordCount(): number {
    return this.records.size;
  }
}

/**
 * The write half of one request. Every change gets main = beginRevision + 1 and a
 * growing sub; reads inside the txn see its own earlier changes, as in etcd.
 */
export class WriteTxn {
  private sub = 0;
  private readonly events: MvccEvent[] = [];
  private ended = false;

  constructor(
    private readonly store: MvccStore,
    readonly beginRevision: number,
  ) {}

  /** The revision this txn's changes carry. */
  get writeRevision(): number {
    return this.beginRevision + 1;
  }

  changed(): boolean {
    return this.events.length > 0;
  }

  /** The revision a reader in this txn observes (etcd: begin + 1 once something changed). */
  visibleRevision(): number {
    return this.changed() ? this.beginRevision + 1 : this.beginRevision;
  }

  range(key: string, rangeEnd: string | undefined, opts: RangeOptions = {}): RangeResult {
    const visible = this.visibleRevision();
    return this.store.rangeAt(key, rangeEnd, opts, visible, visible);
  }

  get(key: string): KeyValue | undefined {
    return this.store.liveKeys(key, undefined, this.writeRevision)[0];
  }

  put(key: string, value: string, lease: number): KeyValue {
    assert(!this.ended, "mvcc: put after end");
    const main = this.writeRevision;
    const prev = this.get(key);
    const kv: KeyValue = {
      key,
      createRevision: prev ? prev.createRevision : main,
      modRevision: main,
      version: prev ? prev.version + 1 : 1,
      value,
      lease,
    };
    this.store.recordPut(key, { main, sub: this.sub++ }, {
      key, value, lease, createRevision: kv.createRevision, version: kv.version, tombstone: false,
    });
    const ev: MvccEvent = { type: "PUT", kv };
    const prevKv = this.eventPrevKv(key, prev);
    if (prevKv) ev.prevKv = prevKv;
    this.events.push(ev);
    this.noteWritten(key);
    return kv;
  }

  /** Deletes the live keys of [key, rangeEnd); returns their values before deletion. */
  deleteRange(key: string, rangeEnd: string | undefined): KeyValue[] {
    assert(!this.ended, "mvcc: delete after end");
    const main = this.writeRevision;
    const victims = this.store.liveKeys(key, rangeEnd, main);
    for (const prev of victims) {
      this.store.recordPut(prev.key, { main, sub: this.sub++ }, {
        key: prev.key, value: "", lease: 0, createRevision: 0, version: 0, tombstone: true,
      });
      const ev: MvccEvent = { type: "DELETE", kv: { key: prev.key, createRevision: 0, modRevision: main, version: 0, value: "", lease: 0 } };
      const prevKv = this.eventPrevKv(prev.key, prev);
      if (prevKv) ev.prevKv = prevKv;
      this.events.push(ev);
      this.noteWritten(prev.key);
    }
    return victims;
  }

  /** Keys this txn has written so far (undefined until it writes one). */
  private written: Set<string> | undefined;

  private noteWritten(key: string): void {
    (this.written ??= new Set()).add(key);
  }

  /**
   * A watch event's prevKv. etcd reads it at modRevision - 1, the store before this txn,
   * so a key this txn already wrote (sibling nested txns that put and then delete it) gets
   * the value from before the txn, or none, not its own earlier write: the value a watcher
   * catching up from history reads (eventsBetween), so live and catching-up watchers agree.
   */
  private eventPrevKv(key: string, inTxn: KeyValue | undefined): KeyValue | undefined {
    return this.written?.has(key) ? this.store.getAt(key, this.beginRevision) : inTxn;
  }

  /**
   * Closes the txn. The revision advances iff something changed — or, with
   * `bumpWithoutChanges` (the revision-bump-on-noop canary), regardless.
   */
  end(bumpWithoutChanges = false): MvccEvent[] {
    assert(!this.ended, "mvcc: txn ended twice");
    this.ended = true;
    this.store.finishWrite(this.changed() || bumpWithoutChanges);
    return this.events;
  }
}

/** A record's contribution to the store's digest: the same fields snapshot() writes. */
function recordDigestLanes(r: Revision, rec: RevRecord): [number, number] {
  return recordLanes([r.main, r.sub, rec.key, rec.value, rec.lease, rec.createRevision, rec.version, rec.tombstone ? 1 : 0]);
}
