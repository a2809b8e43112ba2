// The backend image: the whole replicated state of a server (MVCC + leases) with the
// consistent (applied) index INSIDE the same checksummed image, so that a crash can
// never leave data and index out of step — restart loads the image and replays the
// WAL from consistentIndex + 1, and entries are applied exactly once.
//
// Layout: "RSBK" | u8 version | u8 flags | u32 payload length | payload (UTF-8 JSON) | u32 CRC-32
// of everything before. flags bit 0 = the consistent index is in the payload.
//
// Delta commits: rewriting the whole image every 100 ms costs O(history) per commit, so
// most commits instead APPEND a delta frame ("RSBD", same framing) holding the new MVCC
// records, all leases and the consistent index; each frame carries its own index and CRC,
// so it is atomic with its data just like the image. A crash can tear only the last
// (unsynced) frame: a frame cut short at the end of the file is ignored (the node replays
// the WAL from the previous frame's index); a complete frame that fails its checksum is
// corruption. The writer (backend_writer.ts) writes a full image again after compaction,
// after a restore, after a restart, and when the deltas outgrow the image.
//
// Canary `consistent-index-not-atomic`: `backendLayout(bugs)` says "split", and the host
// must then persist the image WITHOUT the index and the index in its own small file
// (`encodeConsistentIndex`), written at a different moment (e.g. after every apply
// while the image is committed every 100 ms) — so a crash between the two replays
// entries twice or skips them.
import type { BugSet } from "../canary";
import { crc32 } from "../crc32";
import type { BackendDelta, ServerState } from "./server";

export class BackendCorruptError extends Error {
  override name = "BackendCorruptError";
}

const MAGIC_DB = [0x52, 0x53, 0x42, 0x4b]; // "RSBK"
const MAGIC_INDEX = [0x52, 0x53, 0x43, 0x49]; // "RSCI"
const MAGIC_DELTA = [0x52, 0x53, 0x42, 0x44]; // "RSBD"
const VERSION = 1;
const FLAG_HAS_INDEX = 1;

export type BackendLayout = "atomic" | "split";

export function backendLayout(bugs: BugSet): BackendLayout {
  return bugs.has("consistent-index-not-atomic") ? "split" : "atomic";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function checkMagic(bytes: Uint8Array, magic: number[], what: string): void {
  for (let i = 0; i < 4; i++) if (bytes[i] !== magic[i]) throw new BackendCorruptError(`${what}: bad magic`);
}

function sealWithCrc(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), false);
  return out;
}

function verifyCrc(bytes: Uint8Array, what: string): void {
  if (bytes.length < 8) throw new BackendCorruptError(`${what}: truncated (${bytes.length} bytes)`);
  const want = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, false);
  if (crc32(bytes, 0, bytes.length - 4) !== want) throw new BackendCorruptError(`${what}: checksum mismatch`);
}

/** The image; `withoutConsistentIndex` only for the split (canary) layout. */
export function encodeBackend(state: ServerState, opts: { withoutConsistentIndex?: boolean } = {}): Uint8Array {
  const payloadObj = opts.withoutConsistentIndex ? { mvcc: state.mvcc, leases: state.leases } : state;
  return frame(MAGIC_DB, opts.withoutConsistentIndex ? 0 : FLAG_HAS_INDEX, payloadObj);
}

/** A delta frame, appended after an image (or after earlier deltas) in the same file. */
export function encodeBackendDelta(delta: BackendDelta): Uint8Array {
  return frame(MAGIC_DELTA, FLAG_HAS_INDEX, delta);
}

function frame(magic: number[], flags: number, payloadObj: unknown): Uint8Array {
  const payload = encoder.encode(JSON.stringify(payloadObj));
  const body = new Uint8Array(10 + payload.length);
  body.set(magic, 0);
  body[4] = VERSION;
  body[5] = flags;
  new DataView(body.buffer).setUint32(6, payload.length, false);
  body.set(payload, 10);
  return sealWithCrc(body);
}

/** The split layout's separate index file. */
export function encodeConsistentIndex(index: number): Uint8Array {
  const body = new Uint8Array(12);
  body.set(MAGIC_INDEX, 0);
  new DataView(body.buffer).setFloat64(4, index, false);
  return sealWithCrc(body);
}

export function decodeConsistentIndex(bytes: Uint8Array): number {
  verifyCrc(bytes, "consistent index file");
  checkMagic(bytes, MAGIC_INDEX, "consistent index file");
  const index = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(4, false);
  if (!Number.isSafeInteger(index) || index < 0) throw new BackendCorruptError(`consistent index file: bad index ${index}`);
  return index;
}

/**
 * Decodes an image. In the split layout the index comes from `consistentIndexFile`
 * (absent = 0: replay everything). Throws BackendCorruptError on any damage.
 */
export function decodeBackend(file: Uint8Array, consistentIndexFile?: Uint8Array): ServerState {
  // The image is the first frame: written by a replace, it is whole or corrupt, never torn.
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const imageLen = file.length >= 10 ? 10 + view.getUint32(6, false) + 4 : file.length;
  const db = file.subarray(0, Math.min(imageLen, file.length));
  verifyCrc(db, "backend");
  checkMagic(db, MAGIC_DB, "backend");
  if (db[4] !== VERSION) throw new BackendCorruptError(`backend: unknown version ${db[4]}`);
  const len = view.getUint32(6, false);
  if (10 + len + 4 !== db.length) throw new BackendCorruptError("backend: length mismatch");
  const state = decodeImage(db, len, consistentIndexFile);
  applyDeltas(state, file, db.length);
  return state;
}

function decodeImage(db: Uint8Array, len: number, consistentIndexFile: Uint8Array | undefined): ServerState {
  const obj = JSON.parse(decoder.decode(db.subarray(10, 10 + len))) as Partial<ServerState>;
  if (obj.mvcc === undefined || obj.leases === undefined) throw new BackendCorruptError("backend: missing sections");
  let consistentIndex: number;
  if (db[5]! & FLAG_HAS_INDEX) {
    if (typeof obj.consistentIndex !== "number") throw new BackendCorruptError("backend: missing consistent index");
    consistentIndex = obj.consistentIndex;
  } else {
    consistentIndex = consistentIndexFile === undefined ? 0 : decodeConsistentIndex(consistentIndexFile);
  }
  return { consistentIndex, mvcc: obj.mvcc, leases: obj.leases };
}

/** Applies the delta frames after the image, in order; a frame cut short at the end (a torn append) is ignored. */
function applyDeltas(state: ServerState, file: Uint8Array, from: number): void {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = from;
  let n = 0;
  while (at < file.length) {
    n++;
    const where = `backend delta ${n} at byte ${at}`;
    if (file.length - at < 10) return; // torn header
    const len = view.getUint32(at + 6, false);
    if (at + 10 + len + 4 > file.length) return; // torn frame: the last append never became durable whole
    const f = file.subarray(at, at + 10 + len + 4);
    verifyCrc(f, where);
    checkMagic(f, MAGIC_DELTA, where);
    if (f[4] !== VERSION) throw new BackendCorruptError(`${where}: unknown version ${f[4]}`);
    const d = JSON.parse(decoder.decode(f.subarray(10, 10 + len))) as Partial<BackendDelta>;
    if (typeof d.consistentIndex !== "number" || typeof d.currentRevision !== "number" || !Array.isArray(d.records) || !Array.isArray(d.leases)) {
      throw new BackendCorruptError(`${where}: missing fields`);
    }
    if (d.compactRevision !== state.mvcc.compactRevision) throw new BackendCorruptError(`${where}: compaction ${d.compactRevision} differs from the image's ${state.mvcc.compactRevision}`);
    if (d.consistentIndex < state.consistentIndex) throw new BackendCorruptError(`${where}: index ${d.consistentIndex} goes back from ${state.consistentIndex}`);
    for (const r of d.records) {
      if (r[0] <= state.mvcc.currentRevision || r[0] > d.currentRevision) throw new BackendCorruptError(`${where}: record at revision ${r[0]} outside (${state.mvcc.currentRevision}, ${d.currentRevision}]`);
    }
    for (const r of d.records) state.mvcc.records.push(r);
    state.mvcc.currentRevision = d.currentRevision;
    state.leases = d.leases;
    state.consistentIndex = d.consistentIndex;
    at += f.length;
  }
}

/** A digest of the replicated state (CRC-32 of its image): replicas at the same applied index must agree. */
export function stateChecksum(state: ServerState): number {
  return crc32(encodeBackend(state));
}
