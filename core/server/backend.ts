// The backend image: the whole replicated state of a server (MVCC + leases) with the
// consistent (applied) index INSIDE the same checksummed image, so that a crash can
// never leave data and index out of step — restart loads the image and replays the
// WAL from consistentIndex + 1, and entries are applied exactly once.
//
// Layout: "RSBK" | u8 version | u8 flags | u32 payload length | payload (UTF-8 JSON) | u32 CRC-32
// of everything before. flags bit 0 = the consistent index is in the payload.
//
// Canary `consistent-index-not-atomic`: `backendLayout(bugs)` says "split", and the host
// must then persist the image WITHOUT the index and the index in its own small file
// (`encodeConsistentIndex`), written at a different moment (e.g. after every apply
// while the image is committed every 100 ms) — so a crash between the two replays
// entries twice or skips them.
import type { BugSet } from "../canary";
import { crc32 } from "../crc32";
import type { ServerState } from "./server";

export class BackendCorruptError extends Error {
  override name = "BackendCorruptError";
}

const MAGIC_DB = [0x52, 0x53, 0x42, 0x4b]; // "RSBK"
const MAGIC_INDEX = [0x52, 0x53, 0x43, 0x49]; // "RSCI"
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
  const payload = encoder.encode(JSON.stringify(payloadObj));
  const body = new Uint8Array(10 + payload.length);
  body.set(MAGIC_DB, 0);
  body[4] = VERSION;
  body[5] = opts.withoutConsistentIndex ? 0 : FLAG_HAS_INDEX;
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
export function decodeBackend(db: Uint8Array, consistentIndexFile?: Uint8Array): ServerState {
  verifyCrc(db, "backend");
  checkMagic(db, MAGIC_DB, "backend");
  if (db[4] !== VERSION) throw new BackendCorruptError(`backend: unknown version ${db[4]}`);
  const view = new DataView(db.buffer, db.byteOffset, db.byteLength);
  const len = view.getUint32(6, false);
  if (10 + len + 4 !== db.length) throw new BackendCorruptError("backend: length mismatch");
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

/** A digest of the replicated state (CRC-32 of its image): replicas at the same applied index must agree. */
export function stateChecksum(state: ServerState): number {
  return crc32(encodeBackend(state));
}
