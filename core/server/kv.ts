// The KV half of etcd's applier (etcdserver/apply.go): Range, Put, DeleteRange, Txn,
// over an MVCC read view or one write txn. Validation that etcd does before proposing
// lives in validate.ts; the checks here are the ones that depend on the applied state.
import { compareKeys, inBounds, keyBounds, type KeyBounds } from "../mvcc/keys";
import type { RangeResult, RangeOptions, WriteTxn } from "../mvcc/store";
import { MvccError, type KeyValue } from "../mvcc/types";
import {
  ERR_KEY_NOT_FOUND, ERR_LEASE_NOT_FOUND,
  type Compare, type DeleteRangeRequest, type PutRequest, type RangeRequest, type RangeResponse,
  type ResponseHeader, type SortTarget, type TxnOp, type TxnOpResponse, type TxnRequest, type TxnResponse,
  type PutResponse, type DeleteRangeResponse,
} from "./api";
import type { Lessor } from "./lessor";

export interface Reader {
  range(key: string, rangeEnd: string | undefined, opts?: RangeOptions): RangeResult;
}

/** Thrown inside an apply to abort the request with etcd's message; no change is kept. */
export class ApplyError extends Error {}

function mvccGuard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MvccError) throw new ApplyError(e.message);
    throw e;
  }
}

function sortValue(kv: KeyValue, t: SortTarget): number | string {
  switch (t) {
    case "KEY": return kv.key;
    case "VERSION": return kv.version;
    case "CREATE": return kv.createRevision;
    case "MOD": return kv.modRevision;
    case "VALUE": return kv.value;
  }
}

function cmpSort(a: KeyValue, b: KeyValue, t: SortTarget): number {
  const x = sortValue(a, t);
  const y = sortValue(b, t);
  if (typeof x === "string") return compareKeys(x, y as string);
  return x < (y as number) ? -1 : x > (y as number) ? 1 : 0;
}

export function doRange(reader: Reader, r: RangeRequest): { header: ResponseHeader } & RangeResponse {
  const wantLimit = r.limit !== undefined && r.limit > 0 ? r.limit : 0;
  const order = r.sortOrder ?? "NONE";
  const filtered = !!(r.minModRevision || r.maxModRevision || r.minCreateRevision || r.maxCreateRevision);
  // As etcd: sorting or filtering needs the whole range; otherwise fetch one extra to learn `more`.
  let limit = order !== "NONE" || filtered ? 0 : wantLimit;
  if (limit > 0) limit += 1;
  const rr = mvccGuard(() => reader.range(r.key, r.rangeEnd, { revision: r.revision, limit, countOnly: r.countOnly }));
  let kvs = rr.kvs;
  if (r.maxModRevision) kvs = kvs.filter((kv) => kv.modRevision <= r.maxModRevision!);
  if (r.minModRevision) kvs = kvs.filter((kv) => kv.modRevision >= r.minModRevision!);
  if (r.maxCreateRevision) kvs = kvs.filter((kv) => kv.createRevision <= r.maxCreateRevision!);
  if (r.minCreateRevision) kvs = kvs.filter((kv) => kv.createRevision >= r.minCreateRevision!);
  const target = r.sortTarget ?? "KEY";
  // The store returns key order; etcd sorts ascending by default only for a non-KEY target.
  const effective = target !== "KEY" && order === "NONE" ? "ASCEND" : order;
  // Array.prototype.sort is stable; so is Go's sort for the small ranges compared with etcd.
  if (effective === "ASCEND") kvs = [...kvs].sort((a, b) => cmpSort(a, b, target));
  if (effective === "DESCEND") kvs = [...kvs].sort((a, b) => cmpSort(b, a, target));
  let more = false;
  if (wantLimit > 0 && kvs.length > wantLimit) {
    kvs = kvs.slice(0, wantLimit);
    more = true;
  }
  if (r.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: "" }));
  return { header: { revision: rr.revision }, kvs, more, count: rr.count };
}

/** Applies a put in `txn`; detaches/attaches leases. Throws ApplyError. */
export function doPut(txn: WriteTxn, lessor: Lessor, p: PutRequest): { header: ResponseHeader } & PutResponse {
  const reqLease = p.lease ?? 0;
  if (reqLease !== 0 && !lessor.has(reqLease)) throw new ApplyError(ERR_LEASE_NOT_FOUND);
  const prev = txn.get(p.key);
  if ((p.ignoreValue || p.ignoreLease) && prev === undefined) throw new ApplyError(ERR_KEY_NOT_FOUND);
  const value = p.ignoreValue ? prev!.value : p.value;
  const lease = p.ignoreLease ? prev!.lease : reqLease;
  txn.put(p.key, value, lease);
  if (prev !== undefined && prev.lease !== 0) lessor.detach(prev.lease, p.key);
  if (lease !== 0) lessor.attach(lease, p.key);
  const resp: { header: ResponseHeader } & PutResponse = { header: { revision: txn.writeRevision } };
  if (p.prevKv && prev !== undefined) resp.prevKv = prev;
  return resp;
}

export function doDeleteRange(txn: WriteTxn, lessor: Lessor, d: DeleteRangeRequest): { header: ResponseHeader } & DeleteRangeResponse {
  const victims = txn.deleteRange(d.key, d.rangeEnd);
  for (const kv of victims) if (kv.lease !== 0) lessor.detach(kv.lease, kv.key);
  const resp: { header: ResponseHeader } & DeleteRangeResponse = { header: { revision: txn.visibleRevision() }, deleted: victims.length };
  if (d.prevKv) resp.prevKvs = victims;
  return resp;
}

const ZERO_KV: KeyValue = { key: "", createRevision: 0, modRevision: 0, version: 0, value: "", lease: 0 };

function compareKv(kv: KeyValue, c: Compare): boolean {
  let r: number;
  switch (c.target) {
    case "VALUE": r = compareKeys(kv.value, c.value ?? ""); break;
    case "VERSION": r = Math.sign(kv.version - (c.version ?? 0)); break;
    case "CREATE": r = Math.sign(kv.createRevision - (c.createRevision ?? 0)); break;
    case "MOD": r = Math.sign(kv.modRevision - (c.modRevision ?? 0)); break;
    case "LEASE": r = Math.sign(kv.lease - (c.lease ?? 0)); break;
  }
  switch (c.result) {
    case "EQUAL": return r === 0;
    case "NOT_EQUAL": return r !== 0;
    case "GREATER": return r > 0;
    case "LESS": return r < 0;
  }
}

/** etcd's applyCompare: every key in the range must satisfy it; no key → compare a zero kv (VALUE: false). */
export function applyCompare(reader: Reader, c: Compare): boolean {
  const { kvs } = reader.range(c.key, c.rangeEnd);
  if (kvs.length === 0) return c.target === "VALUE" ? false : compareKv(ZERO_KV, c);
  return kvs.every((kv) => compareKv(kv, c));
}

/**
 * The branch taken by a txn and all its nested txns, decided up front on the state
 * before any of its operations (etcd's compareToPath), depth first.
 */
export function compareToPath(reader: Reader, t: TxnRequest): boolean[] {
  const ok = t.compare.every((c) => applyCompare(reader, c));
  const path = [ok];
  for (const op of ok ? t.success : t.failure) if (op.type === "txn") path.push(...compareToPath(reader, op));
  return path;
}

export function isTxnReadOnly(t: TxnRequest): boolean {
  const ro = (ops: TxnOp[]): boolean => ops.every((op) => op.type === "range" || (op.type === "txn" && isTxnReadOnly(op)));
  return ro(t.success) && ro(t.failure);
}

/**
 * etcd's checkRequests: state-dependent errors, found before anything is applied. As in
 * etcd, every put along the path is checked first, then every range.
 */
function checkOps(reader: Reader, lessor: Lessor, t: TxnRequest, path: boolean[]): void {
  checkPass(reader, lessor, t, path, { i: 0 }, "put", []);
  checkPass(reader, lessor, t, path, { i: 0 }, "range", []);
}

/**
 * `deletedBefore`: the deletes met so far in execution order. An ignore_value/ignore_lease put
 * of a key one of them removes finds no key when it runs. etcd 3.4 checks such a put against
 * the store before the txn only, so a from-key delete (which escapes its duplicate-key check,
 * etcd-io/etcd#22445) followed by such a put fails mid-txn, and etcd panics applying it, on
 * every restart too (found by the conformance suite's random sequences). Refused here before
 * anything is applied instead, the same way on every member.
 */
function checkPass(reader: Reader, lessor: Lessor, t: TxnRequest, path: boolean[], at: { i: number }, kind: "put" | "range", deletedBefore: KeyBounds[]): void {
  const ops = path[at.i++] ? t.success : t.failure;
  for (const op of ops) {
    if (op.type === "txn") {
      checkPass(reader, lessor, op, path, at, kind, deletedBefore);
    } else if (op.type === "deleteRange" && kind === "put") {
      deletedBefore.push(keyBounds(op.key, op.rangeEnd));
    } else if (op.type === "put" && kind === "put") {
      if (op.ignoreValue || op.ignoreLease) {
        if (reader.range(op.key, undefined).kvs.length === 0) throw new ApplyError(ERR_KEY_NOT_FOUND);
        if (deletedBefore.some((b) => inBounds(b, op.key))) throw new ApplyError(ERR_KEY_NOT_FOUND);
      }
      if ((op.lease ?? 0) !== 0 && !lessor.has(op.lease!)) throw new ApplyError(ERR_LEASE_NOT_FOUND);
    } else if (op.type === "range" && kind === "range") {
      // Resolving the revision throws the future/compacted errors.
      if (op.revision !== undefined && op.revision > 0) mvccGuard(() => reader.range(op.key, op.rangeEnd, { revision: op.revision, countOnly: true }));
    }
  }
}

/** Runs a txn inside `txn` (the request's single write txn). Throws ApplyError before changing anything. */
export function doTxn(txn: WriteTxn, lessor: Lessor, t: TxnRequest): { header: ResponseHeader } & TxnResponse {
  const path = compareToPath(txn, t);
  checkOps(txn, lessor, t, path);
  const at = { i: 0 };
  const resp = runTxn(txn, lessor, t, path, at);
  return { header: { revision: txn.visibleRevision() }, succeeded: resp.succeeded, responses: resp.responses };
}

function runTxn(txn: WriteTxn, lessor: Lessor, t: TxnRequest, path: boolean[], at: { i: number }): TxnResponse {
  const succeeded = path[at.i++]!;
  const responses: TxnOpResponse[] = [];
  for (const op of succeeded ? t.success : t.failure) {
    switch (op.type) {
      case "range": responses.push({ type: "range", ...doRange(txn, op) }); break;
      case "put": responses.push({ type: "put", ...doPut(txn, lessor, op) }); break;
      case "deleteRange": responses.push({ type: "deleteRange", ...doDeleteRange(txn, lessor, op) }); break;
      // etcd leaves a nested txn's header empty (revision 0).
      case "txn": responses.push({ type: "txn", header: { revision: 0 }, ...runTxn(txn, lessor, op, path, at) }); break;
    }
  }
  return { succeeded, responses };
}
