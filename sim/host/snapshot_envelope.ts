// What a host keeps in a Raft snapshot besides its state machine's image: every node that
// was ever a member. A member rebuilt from a snapshot (its own, on restart, or the leader's,
// sent to it) no longer has the log entries that added and removed a member, yet must still
// turn a removed one away; etcd keeps removed member IDs in its backend for the same reason.
//
// Layout (little-endian u32s): magic, member count, the member IDs in ascending order, then
// the state machine's image.
import { assert } from "../../core/assert";
import type { NodeId } from "../../core/raft/types";

const SNAPSHOT_MAGIC = 0x50414e53; // "SNAP"
/** A cluster never holds more (scenarios allow up to 7 members, a few added and removed). */
const SNAPSHOT_MEMBERS_MAX = 1_024;

export function wrapSnapshot(members: Iterable<NodeId>, image: Uint8Array): Uint8Array {
  const ids = [...members].sort((a, b) => a - b);
  assert(ids.length <= SNAPSHOT_MEMBERS_MAX, () => `snapshot envelope: ${ids.length} members, at most ${SNAPSHOT_MEMBERS_MAX}`);
  const headerBytes = 8 + 4 * ids.length;
  const out = new Uint8Array(headerBytes + image.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, SNAPSHOT_MAGIC, true);
  view.setUint32(4, ids.length, true);
  ids.forEach((id, i) => view.setUint32(8 + 4 * i, id, true));
  out.set(image, headerBytes);
  return out;
}

export function unwrapSnapshot(data: Uint8Array): { members: NodeId[]; image: Uint8Array } {
  // The WAL checksums what it holds and snapshots travel whole: a bad envelope is a bug.
  assert(data.byteLength >= 8, () => `snapshot envelope: ${data.byteLength} bytes, shorter than its header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  assert(view.getUint32(0, true) === SNAPSHOT_MAGIC, () => "snapshot envelope: bad magic");
  const count = view.getUint32(4, true);
  assert(count <= SNAPSHOT_MEMBERS_MAX && 8 + 4 * count <= data.byteLength, () => `snapshot envelope: ${count} members do not fit in ${data.byteLength} bytes`);
  const members: NodeId[] = [];
  for (let i = 0; i < count; i++) members.push(view.getUint32(8 + 4 * i, true));
  return { members, image: data.subarray(8 + 4 * count) };
}
