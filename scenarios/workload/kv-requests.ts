// The requests a kv client issues, and what it learns from the answers.
//
// Two request sets (WorkloadSpec.api):
// - "basic": point gets, one range over the whole key space, puts, point deletes, a
//   compare-and-swap txn on modRevision, client-chosen leases, compaction. Built-in
//   scenarios, reports and replay files written before "full" existed use it.
// - "full": the same operation types, each drawn from etcd's whole KV API that the
//   checker's model knows: keysOnly / countOnly / historical reads, sub-ranges and ranges to
//   the end of the key space, lists sorted by any target and bounded by mod or create
//   revision, range deletes, ignoreValue / ignoreLease puts, txns comparing
//   any target (VERSION, CREATE, MOD, VALUE, LEASE) with any result (EQUAL, NOT_EQUAL,
//   GREATER, LESS) over a key or a range, several compares, nested txns, and leases whose ID
//   the server assigns. The fuzzer uses it, so faults meet every path of the apply code.
//
// Every request is valid (etcd's gRPC checks pass): a rejected one would have an unknown
// outcome for the checker and prove nothing. So a txn branch never writes one key twice.
// Errors that the store must give after applying (key not found, compacted, future
// revision, lease not found) are definite outcomes the model checks, and are welcome.
import type { Compare, CompareResult, CompareTarget, EtcdRequest, EtcdResponse, KeyValue, RangeRequest, TxnOp } from "../../core/server/api";
import { inRange } from "../../checker/models/etcd";
import type { Rng } from "../../sim/rng";
import type { WorkloadSpec } from "../types";

export type OpType = keyof WorkloadSpec["mix"];
export type RequestSet = NonNullable<WorkloadSpec["api"]>;

export function keyName(i: number): string {
  return `k${i}`;
}

/** Every workload key starts with "k": [k, l) is the whole key space. */
const SPACE_START = "k";
const SPACE_END = "l";
/** A historical read asks for a revision at most this far below the newest one the client saw. */
const HISTORY_DEPTH_MAX = 6;

export interface ClientState {
  clientId: number;
  seq: number;
  lease: number;
  lastRevision: number;
  lastModRevision: Map<string, number>;
  /** What the client last read of each key (full set only): null = the key did not exist; no entry = unknown. */
  seen: Map<string, KeyValue | null>;
  /** Compactions this client has asked for (full set only). */
  compactions: number;
}

export function newClientState(clientId: number): ClientState {
  return { clientId, seq: 0, lease: 0, lastRevision: 1, lastModRevision: new Map(), seen: new Map(), compactions: 0 };
}

export interface MadeRequest {
  request: EtcdRequest;
  linearizable: boolean;
}

export function makeRequest(set: RequestSet, opType: OpType, state: ClientState, spec: WorkloadSpec, rng: Rng): MadeRequest {
  return set === "full" ? makeFull(opType, state, spec, rng) : makeBasic(opType, state, spec, rng);
}

function value(state: ClientState, spec: WorkloadSpec): string {
  const v = `c${state.clientId}-${++state.seq}`;
  return v.length >= spec.valueBytes ? v : v + ".".repeat(spec.valueBytes - v.length);
}

function makeBasic(opType: OpType, state: ClientState, spec: WorkloadSpec, rng: Rng): MadeRequest {
  const key = keyName(rng.int(0, spec.keys));
  switch (opType) {
    case "get":
      return { request: { type: "range", key }, linearizable: true };
    case "getSerializable":
      return { request: { type: "range", key, serializable: true }, linearizable: false };
    case "range":
      return { request: { type: "range", key: SPACE_START, rangeEnd: SPACE_END, ...(rng.chance(0.5) ? { limit: rng.int(1, 4) } : {}) }, linearizable: true };
    case "put":
      return { request: { type: "put", key, value: value(state, spec), ...(rng.chance(0.3) ? { prevKv: true } : {}) }, linearizable: true };
    case "delete":
      return { request: { type: "deleteRange", key, ...(rng.chance(0.3) ? { prevKv: true } : {}) }, linearizable: true };
    case "txn":
      return { request: casTxn(key, state, spec), linearizable: true };
    default:
      return sharedRequest(opType, key, state, spec, rng, false);
  }
}

/**
 * Lease and compaction requests, the same in both sets but for who picks a lease's ID and,
 * in the full set, the lessor's queries (TimeToLive, the list of leases).
 */
function sharedRequest(opType: OpType, key: string, state: ClientState, spec: WorkloadSpec, rng: Rng, full: boolean): MadeRequest {
  switch (opType) {
    case "lease":
      if (full && state.lease !== 0 && rng.chance(0.25)) return { request: leaseQuery(state, rng), linearizable: true };
      return { request: leaseRequest(key, state, spec, rng, full), linearizable: true };
    case "compact": {
      const revision = Math.max(1, state.lastRevision - rng.int(0, 5));
      // In the full set every other compaction of a client is physical (answered once it is in
      // the member's backend on disk); counted, not drawn, so the run's draws are unchanged.
      const physical = full && state.compactions++ % 2 === 1;
      return { request: { type: "compact", revision, ...(physical ? { physical: true } : {}) }, linearizable: true };
    }
    default:
      return { request: { type: "range", key }, linearizable: true };
  }
}

/** Compare-and-swap on the modRevision this client last saw (0 = key absent). */
function casTxn(key: string, state: ClientState, spec: WorkloadSpec): EtcdRequest {
  const seen = state.lastModRevision.get(key) ?? 0;
  return {
    type: "txn",
    compare: [{ key, target: "MOD", result: "EQUAL", modRevision: seen }],
    success: [{ type: "put", key, value: value(state, spec) }],
    failure: [{ type: "range", key }],
  };
}

function leaseRequest(key: string, state: ClientState, spec: WorkloadSpec, rng: Rng, serverAssigned: boolean): EtcdRequest {
  if (state.lease === 0 || rng.chance(0.2)) {
    // A server-assigned ID is learned from the answer; until then the client has no lease.
    if (serverAssigned && rng.chance(0.3)) {
      state.lease = 0;
      return { type: "leaseGrant", ID: 0, TTL: rng.int(2, 6) };
    }
    state.lease = state.clientId * 1_000_000 + ++state.seq;
    return { type: "leaseGrant", ID: state.lease, TTL: rng.int(2, 6) };
  }
  const r = rng.int(0, 3);
  if (r === 0) return { type: "put", key, value: value(state, spec), lease: state.lease };
  if (r === 1) return { type: "leaseKeepAlive", ID: state.lease };
  const id = state.lease;
  state.lease = 0;
  return { type: "leaseRevoke", ID: id };
}

/** TimeToLive of the client's lease (with its keys, half the time), or the list of every lease. */
function leaseQuery(state: ClientState, rng: Rng): EtcdRequest {
  if (rng.chance(0.3)) return { type: "leaseLeases" };
  return { type: "leaseTimeToLive", ID: state.lease, ...(rng.chance(0.5) ? { keys: true } : {}) };
}

/** A revision at or a little below the newest the client has seen (maybe compacted away). */
function pastRevision(state: ClientState, rng: Rng): number {
  return Math.max(1, state.lastRevision - rng.int(0, HISTORY_DEPTH_MAX + 1));
}

/** [key i, end): up to another key, or (one time in three) to the end of the key space. */
function subRange(spec: WorkloadSpec, rng: Rng): { key: string; rangeEnd: string } {
  const key = keyName(rng.int(0, spec.keys));
  return { key, rangeEnd: rng.chance(0.33) ? SPACE_END : keyName(rng.int(0, spec.keys)) };
}

/** Read options of a range: keys only, count only, or an older revision. */
function readShape(state: ClientState, rng: Rng): { keysOnly?: true; countOnly?: true; revision?: number } {
  const x = rng.int(0, 10);
  if (x === 0) return { keysOnly: true };
  if (x === 1) return { countOnly: true };
  if (x <= 3) return { revision: pastRevision(state, rng) };
  return {};
}

const SORT_TARGETS: readonly NonNullable<RangeRequest["sortTarget"]>[] = ["KEY", "VERSION", "CREATE", "MOD", "VALUE"];
const SORT_ORDERS: readonly NonNullable<RangeRequest["sortOrder"]>[] = ["NONE", "ASCEND", "DESCEND"];

/** A list's sort (one time in four) and revision bounds (one time in five), near recent revisions. */
function listShape(state: ClientState, rng: Rng): Partial<RangeRequest> {
  const sort = rng.chance(0.25) ? { sortTarget: rng.pick(SORT_TARGETS), sortOrder: rng.pick(SORT_ORDERS) } : {};
  if (!rng.chance(0.2)) return sort;
  const bound = pastRevision(state, rng);
  const bounds: Partial<RangeRequest>[] = [{ minModRevision: bound }, { maxModRevision: bound }, { minCreateRevision: bound }, { maxCreateRevision: bound }];
  return { ...sort, ...rng.pick(bounds) };
}

function makeFull(opType: OpType, state: ClientState, spec: WorkloadSpec, rng: Rng): MadeRequest {
  const key = keyName(rng.int(0, spec.keys));
  switch (opType) {
    case "get":
      return { request: { type: "range", key, ...readShape(state, rng) }, linearizable: true };
    case "getSerializable":
      return { request: { type: "range", key, serializable: true, ...(rng.chance(0.3) ? { keysOnly: true } : {}) }, linearizable: false };
    case "range": {
      const span = rng.chance(0.5) ? { key: SPACE_START, rangeEnd: SPACE_END } : subRange(spec, rng);
      return { request: { type: "range", ...span, ...readShape(state, rng), ...listShape(state, rng), ...(rng.chance(0.5) ? { limit: rng.int(1, 4) } : {}) }, linearizable: true };
    }
    case "put": {
      const x = rng.int(0, 10);
      // ignoreValue rewrites the key with its own value (not found if absent);
      // ignoreLease writes a new value and keeps whatever lease the key has.
      if (x === 0) return { request: { type: "put", key, value: "", ignoreValue: true, ...(rng.chance(0.5) ? { prevKv: true } : {}) }, linearizable: true };
      if (x === 1) return { request: { type: "put", key, value: value(state, spec), ignoreLease: true }, linearizable: true };
      return { request: { type: "put", key, value: value(state, spec), ...(rng.chance(0.3) ? { prevKv: true } : {}) }, linearizable: true };
    }
    case "delete": {
      const span = rng.chance(0.3) ? subRange(spec, rng) : { key };
      return { request: { type: "deleteRange", ...span, ...(rng.chance(0.3) ? { prevKv: true } : {}) }, linearizable: true };
    }
    case "txn":
      return { request: fullTxn(key, state, spec, rng), linearizable: true };
    default:
      return sharedRequest(opType, key, state, spec, rng, true);
  }
}

const TARGETS: readonly CompareTarget[] = ["VERSION", "CREATE", "MOD", "VALUE", "LEASE"];
const RESULTS: readonly CompareResult[] = ["EQUAL", "NOT_EQUAL", "GREATER", "LESS"];

/**
 * A compare on `key` (or, one time in five, on every key of a range), against the operand
 * the client last saw for that key, nudged now and then so that each result comes out
 * both ways.
 */
function compareOn(key: string, state: ClientState, spec: WorkloadSpec, rng: Rng): Compare {
  const target = rng.pick(TARGETS);
  const result = rng.pick(RESULTS);
  const kv = state.seen.get(key) ?? undefined;
  const nudge = rng.pick([0, 0, -1, 1]);
  const range = rng.chance(0.2) ? { rangeEnd: rng.chance(0.5) ? SPACE_END : keyName(rng.int(0, spec.keys)) } : {};
  const base = { key, ...range, result };
  switch (target) {
    case "VERSION":
      return { ...base, target, version: Math.max(0, (kv?.version ?? 0) + nudge) };
    case "CREATE":
      return { ...base, target, createRevision: Math.max(0, (kv?.createRevision ?? 0) + nudge) };
    case "MOD":
      return { ...base, target, modRevision: Math.max(0, (kv?.modRevision ?? state.lastModRevision.get(key) ?? 0) + nudge) };
    case "VALUE":
      return { ...base, target, value: nudge === 0 ? (kv?.value ?? "") : nudge < 0 ? "c" : "d" };
    case "LEASE":
      return { ...base, target, lease: nudge === 0 ? (kv?.lease ?? 0) : state.lease };
  }
}

/** Distinct keys, as many as the key space allows (at most `n`), `first` first. */
function distinctKeys(first: string, n: number, spec: WorkloadSpec, rng: Rng): string[] {
  const keys = [first];
  for (let tries = 0; keys.length < n && tries < 4 * n; tries++) {
    const k = keyName(rng.int(0, spec.keys));
    if (!keys.includes(k)) keys.push(k);
  }
  return keys;
}

function fullTxn(key: string, state: ClientState, spec: WorkloadSpec, rng: Rng): EtcdRequest {
  const x = rng.int(0, 20);
  if (x < 8) return casTxn(key, state, spec);
  const [a, b, c] = distinctKeys(key, 3, spec, rng) as [string, string | undefined, string | undefined];
  const read: TxnOp = rng.chance(0.5) ? { type: "range", key: a } : { type: "range", key: SPACE_START, rangeEnd: SPACE_END, ...(rng.chance(0.5) ? { keysOnly: true } : {}) };
  if (x < 13 || b === undefined) {
    // One compare; the success branch writes one key and may delete another.
    const success: TxnOp[] = [{ type: "put", key: a, value: value(state, spec), ...(rng.chance(0.3) ? { prevKv: true } : {}) }];
    if (b !== undefined && rng.chance(0.4)) success.push({ type: "deleteRange", key: b, ...(rng.chance(0.5) ? { prevKv: true } : {}) });
    return { type: "txn", compare: [compareOn(a, state, spec, rng)], success, failure: [read] };
  }
  if (x < 17 || c === undefined) {
    // Two compares on two keys; both branches write (different keys in each).
    return {
      type: "txn",
      compare: [compareOn(a, state, spec, rng), compareOn(b, state, spec, rng)],
      success: [{ type: "put", key: a, value: value(state, spec) }, { type: "put", key: b, value: value(state, spec) }],
      failure: [read, { type: "deleteRange", key: b }],
    };
  }
  // A txn inside a txn (etcd 3.3+): writes by the outer and inner txns on distinct keys.
  const inner: TxnOp = {
    type: "txn",
    compare: [compareOn(c, state, spec, rng)],
    success: [{ type: "put", key: c, value: value(state, spec) }],
    failure: [{ type: "range", key: c }],
  };
  return {
    type: "txn",
    compare: [compareOn(a, state, spec, rng)],
    success: [{ type: "put", key: a, value: value(state, spec) }, inner],
    failure: [read, { type: "deleteRange", key: b }],
  };
}

/**
 * What the client learns from a successful answer: the newest revision, each key's
 * modRevision and (full set) the kvs it saw. The basic set learns nothing from txns, as
 * it always has (its runs must stay what they were).
 */
export function learn(set: RequestSet, state: ClientState, request: EtcdRequest, response: EtcdResponse): void {
  if ("error" in response && response.error) return;
  const r = response as { header?: { revision: number } };
  if (r.header && r.header.revision > state.lastRevision) state.lastRevision = r.header.revision;
  if (request.type === "txn" && set !== "full") return;
  learnOp(state, request, response as Record<string, unknown>, r.header?.revision);
}

function learnOp(state: ClientState, request: EtcdRequest | TxnOp, response: Record<string, unknown>, revision: number | undefined): void {
  switch (request.type) {
    case "range": {
      const kvs = response.kvs as KeyValue[] | undefined;
      // Only whole, current answers say what a key holds now.
      if (!kvs || request.revision || request.keysOnly || request.countOnly) return;
      if (kvs.length === 0 && !request.rangeEnd) {
        state.lastModRevision.set(request.key, 0);
        state.seen.set(request.key, null);
      }
      for (const kv of kvs) {
        state.lastModRevision.set(kv.key, kv.modRevision);
        state.seen.set(kv.key, kv);
      }
      return;
    }
    case "put":
      if (revision !== undefined) state.lastModRevision.set(request.key, revision);
      state.seen.delete(request.key); // its version and createRevision are not in the answer
      return;
    case "deleteRange":
      if (request.rangeEnd) {
        const within = (k: string) => inRange(k, request.key, request.rangeEnd);
        for (const k of [...state.lastModRevision.keys()]) if (within(k)) state.lastModRevision.set(k, 0);
        for (const k of [...state.seen.keys()]) if (within(k)) state.seen.set(k, null);
        return;
      }
      state.lastModRevision.set(request.key, 0);
      state.seen.set(request.key, null);
      return;
    case "txn": {
      const ops = response.succeeded ? request.success : request.failure;
      const responses = (response.responses ?? []) as Record<string, unknown>[];
      ops.forEach((op, i) => {
        if (responses[i]) learnOp(state, op, responses[i]!, revision);
      });
      return;
    }
    case "leaseGrant":
      // A server-assigned lease becomes the client's lease once granted.
      if (request.ID === 0 && typeof response.ID === "number" && state.lease === 0) state.lease = response.ID;
      return;
    case "leaseTimeToLive":
      // The client's lease is gone (expired, its keys deleted): the next lease request grants another.
      if (response.TTL === -1 && request.ID === state.lease) state.lease = 0;
      return;
    default:
      return;
  }
}
