// Translation between raftsim's request/response objects and etcd's JSON gateway
// (grpc-gateway over rpc.proto: snake_case fields, bytes as base64, int64 as strings,
// zero/false/empty fields omitted). Pure functions: the suite does the HTTP.
//
// A script runs in its own namespace of a shared etcd: keys get a prefix, revisions an
// offset (script revision 1 = the etcd revision when the script starts), lease IDs a
// base. Namespaces grow in key order, so a "\0" (to the end) rangeEnd needs no
// translation: nothing above the current namespace exists yet.
import { assert } from "../core/assert";
import type {
  Compare, EtcdRequest, EtcdResponse, KeyValue, RangeRequest, TxnOp, TxnOpResponse, TxnRequest,
  WatchCreateRequest, WatchEvent, WatchResponse,
} from "../core/server/api";
import { ERR_LEASE_NOT_FOUND } from "../core/server/api";

export interface Namespace {
  prefix: string;
  /** etcd revision = script revision + revisionOffset (for revisions > 0). */
  revisionOffset: number;
  /** etcd lease ID = script lease ID + leaseBase (for IDs ≠ 0). */
  leaseBase: number;
}

/** Each namespace's lease IDs: leaseBase + 1 … leaseBase + this - 1. */
export const LEASE_IDS_PER_NAMESPACE = 1_000;

type Json = Record<string, unknown>;

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

export function b64(s: string): string {
  let bin = "";
  for (const byte of enc.encode(s)) bin += String.fromCharCode(byte);
  return btoa(bin);
}

export function unb64(s: string): string {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return dec.decode(bytes);
}

// ---- script → etcd ----

// The empty key stays empty: etcd must see it to refuse it.
const key = (ns: Namespace, k: string) => (k === "" ? "" : b64(ns.prefix + k));
function end(ns: Namespace, e: string | undefined): string | undefined {
  if (e === undefined || e === "") return undefined;
  if (e === "\0") return b64("\0");
  return b64(ns.prefix + e);
}
const revOut = (ns: Namespace, r: number | undefined) => (r === undefined || r <= 0 ? r : r + ns.revisionOffset);
const leaseOut = (ns: Namespace, l: number | undefined) => (l === undefined || l === 0 ? l : l + ns.leaseBase);

/** Drops undefined fields so the JSON carries only what the script set. */
function clean(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function rangeJson(ns: Namespace, r: RangeRequest): Json {
  return clean({
    key: key(ns, r.key), range_end: end(ns, r.rangeEnd), limit: r.limit, revision: revOut(ns, r.revision),
    sort_order: r.sortOrder, sort_target: r.sortTarget, serializable: r.serializable, keys_only: r.keysOnly,
    count_only: r.countOnly, min_mod_revision: revOut(ns, r.minModRevision), max_mod_revision: revOut(ns, r.maxModRevision),
    min_create_revision: revOut(ns, r.minCreateRevision), max_create_revision: revOut(ns, r.maxCreateRevision),
  });
}

function compareJson(ns: Namespace, c: Compare): Json {
  return clean({
    key: key(ns, c.key), range_end: end(ns, c.rangeEnd), target: c.target, result: c.result,
    version: c.version, create_revision: revOut(ns, c.createRevision), mod_revision: revOut(ns, c.modRevision),
    value: c.value === undefined ? undefined : b64(c.value), lease: leaseOut(ns, c.lease),
  });
}

function opJson(ns: Namespace, op: TxnOp): Json {
  switch (op.type) {
    case "range": return { request_range: rangeJson(ns, op) };
    case "put": return { request_put: putJson(ns, op) };
    case "deleteRange": return { request_delete_range: clean({ key: key(ns, op.key), range_end: end(ns, op.rangeEnd), prev_kv: op.prevKv }) };
    case "txn": return { request_txn: txnJson(ns, op) };
  }
}

function putJson(ns: Namespace, p: Extract<TxnOp, { type: "put" }>): Json {
  return clean({
    key: key(ns, p.key), value: p.value === "" ? undefined : b64(p.value), lease: leaseOut(ns, p.lease),
    prev_kv: p.prevKv, ignore_value: p.ignoreValue, ignore_lease: p.ignoreLease,
  });
}

function txnJson(ns: Namespace, t: TxnRequest): Json {
  return { compare: t.compare.map((c) => compareJson(ns, c)), success: t.success.map((o) => opJson(ns, o)), failure: t.failure.map((o) => opJson(ns, o)) };
}

/** The gateway path and body for a request. */
export function toGateway(ns: Namespace, req: EtcdRequest): { path: string; body: Json } {
  switch (req.type) {
    case "range": return { path: "/v3/kv/range", body: rangeJson(ns, req) };
    case "put": return { path: "/v3/kv/put", body: putJson(ns, req) };
    case "deleteRange": return { path: "/v3/kv/deleterange", body: clean({ key: key(ns, req.key), range_end: end(ns, req.rangeEnd), prev_kv: req.prevKv }) };
    case "txn": return { path: "/v3/kv/txn", body: txnJson(ns, req) };
    case "compact": return { path: "/v3/kv/compaction", body: clean({ revision: revOut(ns, req.revision), physical: req.physical }) };
    case "leaseGrant": return { path: "/v3/lease/grant", body: { TTL: req.TTL, ID: leaseOut(ns, req.ID) } };
    case "leaseRevoke": return { path: "/v3/lease/revoke", body: { ID: leaseOut(ns, req.ID) } };
    case "leaseKeepAlive": return { path: "/v3/lease/keepalive", body: { ID: leaseOut(ns, req.ID) } };
    case "leaseTimeToLive": return { path: "/v3/lease/timetolive", body: clean({ ID: leaseOut(ns, req.ID), keys: req.keys }) };
    case "leaseLeases": return { path: "/v3/lease/leases", body: {} };
  }
}

export function watchCreateJson(ns: Namespace, w: WatchCreateRequest): Json {
  return {
    create_request: clean({
      key: key(ns, w.key), range_end: end(ns, w.rangeEnd), start_revision: revOut(ns, w.startRevision),
      progress_notify: w.progressNotify, filters: w.filters, prev_kv: w.prevKv, watch_id: w.watchId, fragment: w.fragment,
    }),
  };
}

// ---- etcd → script ----

const num = (v: unknown): number => (v === undefined ? 0 : Number(v));
const revIn = (ns: Namespace, v: unknown) => { const r = num(v); return r > 0 ? r - ns.revisionOffset : r; };
const leaseIn = (ns: Namespace, v: unknown) => { const l = num(v); return l !== 0 ? l - ns.leaseBase : 0; };

function keyIn(ns: Namespace, v: unknown): string {
  const k = unb64(String(v ?? ""));
  assert(k.startsWith(ns.prefix), () => `etcd returned key ${JSON.stringify(k)} outside namespace ${ns.prefix}`);
  return k.slice(ns.prefix.length);
}

function kvIn(ns: Namespace, j: Json): KeyValue {
  return {
    key: keyIn(ns, j.key), createRevision: revIn(ns, j.create_revision), modRevision: revIn(ns, j.mod_revision),
    version: num(j.version), value: j.value === undefined ? "" : unb64(String(j.value)), lease: leaseIn(ns, j.lease),
  };
}

const headerIn = (ns: Namespace, j: unknown) => ({ revision: revIn(ns, (j as Json | undefined)?.revision) });

function rangeIn(ns: Namespace, j: Json) {
  return { header: headerIn(ns, j.header), kvs: ((j.kvs as Json[]) ?? []).map((k) => kvIn(ns, k)), more: !!j.more, count: num(j.count) };
}

function putIn(ns: Namespace, j: Json) {
  const r: { header: { revision: number }; prevKv?: KeyValue } = { header: headerIn(ns, j.header) };
  if (j.prev_kv) r.prevKv = kvIn(ns, j.prev_kv as Json);
  return r;
}

function delIn(ns: Namespace, j: Json) {
  const r: { header: { revision: number }; deleted: number; prevKvs?: KeyValue[] } = { header: headerIn(ns, j.header), deleted: num(j.deleted) };
  if (j.prev_kvs) r.prevKvs = (j.prev_kvs as Json[]).map((k) => kvIn(ns, k));
  return r;
}

function txnIn(ns: Namespace, j: Json): { header: { revision: number }; succeeded: boolean; responses: TxnOpResponse[] } {
  const responses = ((j.responses as Json[]) ?? []).map((r): TxnOpResponse => {
    if (r.response_range) return { type: "range", ...rangeIn(ns, r.response_range as Json) };
    if (r.response_put) return { type: "put", ...putIn(ns, r.response_put as Json) };
    if (r.response_delete_range) return { type: "deleteRange", ...delIn(ns, r.response_delete_range as Json) };
    if (r.response_txn) return { type: "txn", ...txnIn(ns, r.response_txn as Json) };
    throw new Error(`unknown txn response ${JSON.stringify(r)}`);
  });
  return { header: headerIn(ns, j.header), succeeded: !!j.succeeded, responses };
}

/** etcd's answer to `req` (parsed JSON body) as a raftsim response. */
export function fromGateway(ns: Namespace, req: EtcdRequest, body: Json): EtcdResponse {
  if (typeof body.error === "string") return { error: body.error };
  switch (req.type) {
    case "range": return { type: "range", ...rangeIn(ns, body) };
    case "put": return { type: "put", ...putIn(ns, body) };
    case "deleteRange": return { type: "deleteRange", ...delIn(ns, body) };
    case "txn": return { type: "txn", ...txnIn(ns, body) };
    case "compact": return { type: "compact", header: headerIn(ns, body.header) };
    case "leaseGrant":
      if (body.error) return { error: String(body.error) };
      return { type: "leaseGrant", header: headerIn(ns, body.header), ID: leaseIn(ns, body.ID), TTL: num(body.TTL) };
    case "leaseRevoke": return { type: "leaseRevoke", header: headerIn(ns, body.header) };
    case "leaseKeepAlive": {
      // The keepalive stream answers an unknown lease with TTL 0; clients report that as not found.
      const r = (body.result ?? body) as Json;
      if (typeof (r as Json).error === "string") return { error: String((r as Json).error) };
      if (num(r.TTL) <= 0) return { error: ERR_LEASE_NOT_FOUND };
      return { type: "leaseKeepAlive", header: headerIn(ns, r.header), ID: leaseIn(ns, r.ID), TTL: num(r.TTL) };
    }
    case "leaseTimeToLive": {
      const keys = body.keys === undefined ? undefined : (body.keys as unknown[]).map((k) => keyIn(ns, k));
      return { type: "leaseTimeToLive", header: headerIn(ns, body.header), ID: leaseIn(ns, body.ID), TTL: num(body.TTL), grantedTTL: num(body.grantedTTL), ...(keys ? { keys } : {}) };
    }
    case "leaseLeases": {
      // The server's every lease: this script's are those in its namespace's block of IDs.
      const leases = ((body.leases as Json[] | undefined) ?? []).map((l) => leaseIn(ns, l.ID)).filter((id) => id > 0 && id < LEASE_IDS_PER_NAMESPACE);
      return { type: "leaseLeases", header: headerIn(ns, body.header), leases: leases.sort((a, b) => a - b) };
    }
  }
}

export function watchResponseIn(ns: Namespace, j: Json): WatchResponse {
  const events = ((j.events as Json[]) ?? []).map((e): WatchEvent => {
    const ev: WatchEvent = { type: e.type === "DELETE" ? "DELETE" : "PUT", kv: kvIn(ns, e.kv as Json) };
    if (e.prev_kv) ev.prevKv = kvIn(ns, e.prev_kv as Json);
    return ev;
  });
  return {
    header: headerIn(ns, j.header), watchId: num(j.watch_id), created: !!j.created, canceled: !!j.canceled,
    compactRevision: revIn(ns, j.compact_revision), cancelReason: String(j.cancel_reason ?? ""), events,
    ...(j.fragment ? { fragment: true } : {}),
  };
}
