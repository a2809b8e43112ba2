// The checks etcd makes in its gRPC layer, before a request is proposed (v3rpc/key.go):
// a request failing them never reaches the Raft log. The host calls `validateRequest`
// on the node that receives the client request.
import { assert } from "../assert";
import { compareKeys } from "../mvcc/keys";
import {
  ERR_DUPLICATE_KEY, ERR_EMPTY_KEY, ERR_LEASE_PROVIDED, ERR_LEASE_TTL_TOO_LARGE, ERR_REQUEST_TOO_LARGE,
  ERR_TOO_MANY_OPS, ERR_VALUE_PROVIDED, MAX_LEASE_TTL_SECONDS, MAX_REQUEST_BYTES, MAX_TXN_OPS,
  type EtcdRequest, type TxnOp, type TxnRequest,
} from "./api";

export interface Limits {
  maxTxnOps: number;
  maxRequestBytes: number;
}

export const DEFAULT_LIMITS: Limits = { maxTxnOps: MAX_TXN_OPS, maxRequestBytes: MAX_REQUEST_BYTES };

/** Returns etcd's error message, or undefined when the request may be proposed. */
export function validateRequest(req: EtcdRequest, limits: Limits = DEFAULT_LIMITS): string | undefined {
  switch (req.type) {
    case "range":
    case "deleteRange":
    case "put":
      return checkOp(req, limits.maxTxnOps) ?? checkSize(req, limits);
    case "txn": {
      const e = checkTxn(req, limits.maxTxnOps);
      if (e) return e;
      // After the cheap checks, as etcd does, to avoid quadratic work on bad requests.
      if (checkIntervals(req.success).error || checkIntervals(req.failure).error) return ERR_DUPLICATE_KEY;
      return checkSize(req, limits);
    }
    case "leaseGrant":
      return req.TTL > MAX_LEASE_TTL_SECONDS ? ERR_LEASE_TTL_TOO_LARGE : undefined;
    case "compact":
    case "leaseRevoke":
    case "leaseKeepAlive":
    case "leaseTimeToLive":
    case "leaseLeases":
      return undefined;
  }
}

function checkOp(op: TxnOp, maxTxnOps: number): string | undefined {
  switch (op.type) {
    case "range":
    case "deleteRange":
      return op.key === "" ? ERR_EMPTY_KEY : undefined;
    case "put":
      if (op.key === "") return ERR_EMPTY_KEY;
      if (op.ignoreValue && op.value !== "") return ERR_VALUE_PROVIDED;
      if (op.ignoreLease && (op.lease ?? 0) !== 0) return ERR_LEASE_PROVIDED;
      return undefined;
    case "txn":
      return checkTxn(op, maxTxnOps);
  }
}

function checkTxn(t: TxnRequest, maxTxnOps: number): string | undefined {
  if (Math.max(t.compare.length, t.success.length, t.failure.length) > maxTxnOps) return ERR_TOO_MANY_OPS;
  for (const c of t.compare) if (c.key === "") return ERR_EMPTY_KEY;
  for (const op of t.success) { const e = checkOp(op, maxTxnOps); if (e) return e; }
  for (const op of t.failure) { const e = checkOp(op, maxTxnOps); if (e) return e; }
  return undefined;
}

interface Interval {
  start: string;
  /** undefined = a single key; "" = unbounded above. */
  end: string | undefined;
}

function intersectsPoint(dels: Interval[], k: string): boolean {
  return dels.some((d) => {
    if (d.end === undefined) return d.start === k;
    // etcd 3.4 takes rangeEnd literally here: a "\0" (to the end) delete is the empty
    // interval [key, "\0") and never conflicts with a put (checked against real etcd).
    return compareKeys(k, d.start) >= 0 && compareKeys(k, d.end) < 0;
  });
}

/**
 * etcd's duplicate-key rule (v3rpc checkIntervals): within one branch, a key may be put
 * once and may not be both put and deleted; nested txns count with their parent, except
 * that a nested txn's success and failure branches may put the same key (only one runs).
 * Deletes may overlap each other.
 */
export function checkIntervals(ops: TxnOp[]): { puts: Set<string>; dels: Interval[]; error: boolean } {
  const dels: Interval[] = [];
  for (const op of ops) {
    if (op.type !== "deleteRange") continue;
    dels.push({ start: op.key, end: op.rangeEnd === undefined || op.rangeEnd === "" ? undefined : op.rangeEnd });
  }
  const puts = new Set<string>();
  const fail = { puts, dels, error: true };
  for (const op of ops) {
    if (op.type !== "txn") continue;
    const then = checkIntervals(op.success);
    if (then.error) return fail;
    const els = checkIntervals(op.failure);
    if (els.error) return fail;
    for (const k of then.puts) {
      if (puts.has(k) || intersectsPoint(dels, k)) return fail;
      puts.add(k);
    }
    for (const k of els.puts) {
      if (puts.has(k) && !then.puts.has(k)) return fail;
      if (intersectsPoint(dels, k)) return fail;
      puts.add(k);
    }
    dels.push(...then.dels, ...els.dels);
  }
  for (const op of ops) {
    if (op.type !== "put") continue;
    if (puts.has(op.key) || intersectsPoint(dels, op.key)) return fail;
    puts.add(op.key);
  }
  return { puts, dels, error: false };
}

/** Bytes of `s` in UTF-8 (what etcd's protobuf sizes count). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * Approximate protobuf size of a request: the string bytes plus a few bytes of tags and
 * lengths per field. etcd compares the marshaled size with --max-request-bytes.
 */
export function requestSizeBytes(x: unknown): number {
  if (typeof x === "string") return utf8Bytes(x) + 2;
  if (typeof x === "number" || typeof x === "boolean") return 2;
  if (Array.isArray(x)) return x.reduce((n: number, v) => n + requestSizeBytes(v) + 2, 0);
  if (x !== null && typeof x === "object") {
    let n = 0;
    for (const v of Object.values(x)) n += requestSizeBytes(v);
    return n;
  }
  assert(x === undefined || x === null, "requestSizeBytes: unexpected value");
  return 0;
}

function checkSize(req: EtcdRequest, limits: Limits): string | undefined {
  return requestSizeBytes(req) > limits.maxRequestBytes ? ERR_REQUEST_TOO_LARGE : undefined;
}
