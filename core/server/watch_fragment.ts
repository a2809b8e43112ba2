// Watch response fragments (WatchCreateRequest.fragment). etcd's watch stream splits a
// response whose encoded size reaches the server's limit into several, each flagged
// `fragment` but the last, when the watcher asked for it; the client joins them again.
// The limit is --max-request-bytes plus 512 KiB of gRPC overhead (2 MiB by default). A
// response with one event is never split, so a fragment may exceed the limit.
// Sizes are protobuf wire sizes of etcdserverpb.WatchResponse, so the split falls where
// etcd's does (up to the header's cluster and member ids, which this store leaves out and
// counts as etcd's 64-bit ones).
import { assert } from "../assert";
import type { KeyValue } from "../mvcc/types";
import type { WatchEvent, WatchResponse } from "./api";
import { MAX_REQUEST_BYTES } from "./api";
import { utf8Bytes } from "./validate";

/** etcd v3rpc: gRPC framing allowance added to --max-request-bytes for what a stream may send. */
export const GRPC_OVERHEAD_BYTES = 512 * 1024;
/** etcd's default split size for watch fragments. */
export const WATCH_FRAGMENT_BYTES_DEFAULT = MAX_REQUEST_BYTES + GRPC_OVERHEAD_BYTES;
/** A 64-bit id with its top bit set: a 10-byte varint (etcd's random cluster and member ids). */
const ID_VARINT_BYTES = 10;

function varintBytes(v: number): number {
  if (v < 0) return 10; // int64 negatives take the full ten bytes
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** One field: a one-byte tag (field numbers here are < 16) and its varint, omitted when zero (proto3). */
const intField = (v: number) => (v === 0 ? 0 : 1 + varintBytes(v));
const boolField = (v: boolean | undefined) => (v ? 2 : 0);
const lenField = (len: number) => 1 + varintBytes(len) + len;
const bytesField = (len: number) => (len === 0 ? 0 : lenField(len));

function keyValueBytes(kv: KeyValue): number {
  return bytesField(utf8Bytes(kv.key)) + intField(kv.createRevision) + intField(kv.modRevision) + intField(kv.version) + bytesField(utf8Bytes(kv.value)) + intField(kv.lease);
}

/** The encoded size of one event as an element of WatchResponse.events (tag and length included). */
export function watchEventBytes(e: WatchEvent): number {
  const inner = intField(e.type === "DELETE" ? 1 : 0) + lenField(keyValueBytes(e.kv)) + (e.prevKv ? lenField(keyValueBytes(e.prevKv)) : 0);
  return lenField(inner);
}

/** The encoded size of a response without its events. */
function envelopeBytes(r: WatchResponse, fragment: boolean): number {
  const h = r.header;
  const header = (h.clusterId === undefined ? 1 + ID_VARINT_BYTES : intField(h.clusterId)) + (h.memberId === undefined ? 1 + ID_VARINT_BYTES : intField(h.memberId)) + intField(h.revision) + intField(h.raftTerm ?? 0);
  return lenField(header) + intField(r.watchId) + boolField(r.created) + boolField(r.canceled) + intField(r.compactRevision) + bytesField(utf8Bytes(r.cancelReason)) + boolField(fragment);
}

/** The protobuf size of the whole response. */
export function watchResponseBytes(r: WatchResponse): number {
  let n = envelopeBytes(r, r.fragment === true);
  for (const e of r.events) n += watchEventBytes(e);
  return n;
}

/**
 * The responses a watcher that asked for fragments receives for `r`: `r` itself when it is
 * under `limitBytes` or holds fewer than two events; otherwise consecutive runs of its events,
 * each run as long as it stays under the limit (at least one event), every part but the last
 * flagged `fragment`. Joined in order they give back `r`'s events.
 */
export function fragmentWatchResponse(r: WatchResponse, limitBytes: number): WatchResponse[] {
  assert(limitBytes > 0, () => `watch fragment limit ${limitBytes} must be positive`);
  if (r.events.length < 2 || watchResponseBytes(r) < limitBytes) return [r];
  const envelope = envelopeBytes(r, true);
  const parts: WatchResponse[] = [];
  let start = 0;
  while (start < r.events.length) {
    let size = envelope + watchEventBytes(r.events[start]!);
    let end = start + 1;
    while (end < r.events.length) {
      const next = size + watchEventBytes(r.events[end]!);
      if (next >= limitBytes) break;
      size = next;
      end++;
    }
    parts.push({ ...r, events: r.events.slice(start, end), fragment: end < r.events.length });
    start = end;
  }
  assert(parts.reduce((n, p) => n + p.events.length, 0) === r.events.length, () => "fragments lost events");
  return parts;
}

/**
 * A client's side: joins fragments back into whole responses. `push` returns the response to
 * hand on, or undefined while a fragmented one is still incomplete.
 */
export class FragmentJoiner {
  private pending: WatchResponse | undefined;

  push(r: WatchResponse): WatchResponse | undefined {
    if (this.pending) {
      assert(r.watchId === this.pending.watchId && r.header.revision === this.pending.header.revision, () => `fragment of watch ${r.watchId} at revision ${r.header.revision} continues watch ${this.pending!.watchId} at ${this.pending!.header.revision}`);
      this.pending = { ...this.pending, events: [...this.pending.events, ...r.events] };
    } else this.pending = { ...r, events: r.events.slice() };
    if (r.fragment) return undefined;
    const whole = this.pending;
    this.pending = undefined;
    const { fragment: _fragment, ...rest } = whole;
    return rest;
  }

  /** Whether a fragmented response is half received. */
  get partial(): boolean {
    return this.pending !== undefined;
  }
}
