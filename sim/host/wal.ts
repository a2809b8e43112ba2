// The write-ahead log on the node's virtual disk: checksummed records
//   [u32 payload length][u32 crc32(payload)][payload]
// holding entries, hard state and snapshots. Recovery reads records until the first one
// that is short or fails its checksum (a torn or corrupt tail), truncates the file there
// and never applies anything past it. Compaction rewrites the whole file with one
// "replace" write: the disk makes a replace durable atomically at fsync, so a crash
// leaves either the old log or the new one.
import { assert } from "../../core/assert";
import type { ConfState, Entry, HardState, Snapshot } from "../../core/raft/types";
import type { Disk } from "../disk";
import { crc32 } from "../../core/crc32";

export const WAL_FILE = "raft.wal";

const REC_ENTRY = 1;
const REC_HARD = 2;
const REC_SNAP = 3;
const ENTRY_TYPES = ["normal", "conf-change"] as const;

/** The growable buffer (and its view) left by the last finished Writer: encoding a Ready allocates no buffer. */
let spareBuf: Uint8Array | undefined;
let spareView: DataView | undefined;

class Writer {
  private buf: Uint8Array;
  private view: DataView;
  len = 0;
  constructor() {
    if (spareBuf && spareView) {
      this.buf = spareBuf;
      this.view = spareView;
      spareBuf = undefined;
      spareView = undefined;
    } else {
      this.buf = new Uint8Array(4_096);
      this.view = new DataView(this.buf.buffer);
    }
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  ids(ids: readonly number[]): void {
    this.u32(ids.length);
    for (const id of ids) this.f64(id);
  }
  /** Hands the buffer to the next Writer. */
  private lend(): void {
    spareBuf = this.buf;
    spareView = this.view;
  }
  /** Wraps the bytes written since `start` as one record: fills its header in place. */
  beginRecord(): number {
    this.u32(0);
    this.u32(0);
    return this.len;
  }
  endRecord(start: number): void {
    this.view.setUint32(start - 8, this.len - start);
    this.view.setUint32(start - 4, crc32(this.buf, start, this.len));
  }
  /** A copy of the bytes written; the writer's buffer goes back to be reused. Call once. */
  result(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.lend();
    return out;
  }
  /** Writes the bytes to a disk file without copying them first, then lends the buffer out again. Call once. */
  writeTo(disk: Disk, name: string, mode: "append" | "replace"): void {
    disk.write(name, this.buf, mode, this.len);
    this.lend();
  }
}

class Reader {
  private readonly view: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(): number {
    return this.buf[this.pos++]!;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  ids(): number[] {
    const n = this.u32();
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.f64());
    return out;
  }
}

export class WalEncoder {
  private readonly w = new Writer();
  entry(e: Entry): this {
    const s = this.w.beginRecord();
    this.w.u8(REC_ENTRY);
    this.w.f64(e.index);
    this.w.f64(e.term);
    this.w.u8(ENTRY_TYPES.indexOf(e.type));
    this.w.bytes(e.data);
    this.w.endRecord(s);
    return this;
  }
  hardState(h: HardState): this {
    const s = this.w.beginRecord();
    this.w.u8(REC_HARD);
    this.w.f64(h.term);
    this.w.f64(h.vote);
    this.w.f64(h.commit);
    this.w.endRecord(s);
    return this;
  }
  snapshot(snap: Snapshot): this {
    const s = this.w.beginRecord();
    this.w.u8(REC_SNAP);
    this.w.f64(snap.index);
    this.w.f64(snap.term);
    this.w.ids(snap.confState.voters);
    this.w.ids(snap.confState.votersOutgoing);
    this.w.ids(snap.confState.learners);
    this.w.bytes(snap.data);
    this.w.endRecord(s);
    return this;
  }
  get sizeBytes(): number {
    return this.w.len;
  }
  bytes(): Uint8Array {
    return this.w.result();
  }
  /** Writes the records to the WAL file (the disk copies them: no intermediate buffer). Ends the encoder. */
  writeTo(disk: Disk, mode: "append" | "replace"): void {
    this.w.writeTo(disk, WAL_FILE, mode);
  }
}

export interface WalState {
  hardState: HardState;
  snapshot: Snapshot | undefined;
  entries: Entry[];
  /** Bytes of valid records; anything after was a torn/corrupt tail. */
  validBytes: number;
  totalBytes: number;
  records: number;
}

/** Parses a WAL image, stopping at the first invalid record. */
export function decodeWal(buf: Uint8Array): WalState {
  const st: WalState = { hardState: { term: 0, vote: 0, commit: 0 }, snapshot: undefined, entries: [], validBytes: 0, totalBytes: buf.length, records: 0 };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  while (pos + 8 <= buf.length) {
    const len = view.getUint32(pos);
    const sum = view.getUint32(pos + 4);
    if (len === 0 || pos + 8 + len > buf.length) break;
    const payload = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(payload) !== sum) break;
    const r = new Reader(payload);
    const kind = r.u8();
    if (kind === REC_ENTRY) {
      const index = r.f64();
      const term = r.f64();
      const type = ENTRY_TYPES[r.u8()];
      if (type === undefined) break;
      const e: Entry = { index, term, type, data: r.bytes() };
      const base = st.snapshot?.index ?? 0;
      if (index > base) {
        const keep = index - base - 1;
        if (keep > st.entries.length) break; // a gap: cannot happen with a valid writer
        st.entries.length = keep; // a later record for an index overwrites (conflict truncation)
        st.entries.push(e);
      }
    } else if (kind === REC_HARD) {
      st.hardState = { term: r.f64(), vote: r.f64(), commit: r.f64() };
    } else if (kind === REC_SNAP) {
      const index = r.f64();
      const term = r.f64();
      const confState: ConfState = { voters: r.ids(), votersOutgoing: r.ids(), learners: r.ids() };
      st.snapshot = { index, term, confState, data: r.bytes() };
      st.entries = st.entries.filter((e) => e.index > index);
      if (st.entries.length > 0 && st.entries[0]!.index !== index + 1) st.entries = [];
    } else {
      break;
    }
    pos += 8 + len;
    st.records++;
    st.validBytes = pos;
  }
  // The commit index can never point past what survived (it is written after the entries).
  const last = (st.snapshot?.index ?? 0) + st.entries.length;
  assert(st.hardState.commit <= last || st.hardState.commit === 0, () => `WAL commit ${st.hardState.commit} beyond last entry ${last}`);
  return st;
}

/** Recovers the WAL from disk, truncating a torn tail (the truncation rides on the next fsync). */
export function recoverWal(disk: Disk): WalState {
  const buf = disk.read(WAL_FILE);
  const st = decodeWal(buf);
  if (st.validBytes < buf.length) disk.write(WAL_FILE, buf.slice(0, st.validBytes), "replace");
  return st;
}
