// The etcd model: an MVCC key space with one global revision, leases and compaction.
// A step computes etcd's response from the state and compares it with the recorded
// one field by field: header revision, kvs (createRevision, modRevision, version,
// lease, value), count/more, succeeded, prevKv(s), deleted, lease ID/TTL, errors.
// All operations share the revision counter, so the history is never partitioned.
//
// A Range at an old revision (0 < revision < current) is judged in full against the key
// space at that revision: the state keeps, per key, the values it has since lost (`past`),
// back to the compaction revision.
//
// Simplifications (documented in README.md):
// - a Range at a revision before the history's first (a model started mid-store, as the
//   fuzzer's hints do) checks the header revision, the errors and that every returned kv
//   has modRevision <= revision, not the contents, count or more;
// - leases do not expire on their own (a workload uses TTLs longer than the run, or
//   keepalives); revoke deletes their keys;
// - a granted TTL may be larger than the one asked for (the server's minimum TTL).
import type { Operation } from "../history";
import { hashString, type Model } from "../model";
import {
  DEFINITE_ERRORS,
  ERR_COMPACTED,
  ERR_FUTURE_REV,
  ERR_KEY_NOT_FOUND,
  ERR_LEASE_EXISTS,
  ERR_LEASE_NOT_FOUND,
  type Compare,
  type EtcdRequest,
  type EtcdResponse,
  type KeyValue,
  type RangeRequest,
  type TxnOp,
  type TxnOpResponse,
  type TxnRequest,
} from "./etcd-types";

export * from "./etcd-types";

/**
 * Immutable model state. Its hash is a sum of per-entry hashes, so a step updates it from
 * the entries it changed; its canonical text (sorted) is built only when asked for (error
 * messages), as building it on every step was a fifth of a fuzz run's time.
 */
/**
 * A value a key had and lost (overwritten or deleted) at revision `until`: visible to reads
 * at revisions in [kv.modRevision, until). A key's values form a list, newest first, that
 * later states share; `hashSum` is Σ pastHash down the list, so a state's hash needs no walk.
 */
export interface Past {
  readonly kv: KeyValue;
  readonly until: number;
  readonly older: Past | undefined;
  readonly hashSum: number;
}

export interface EtcdState {
  readonly revision: number;
  readonly compactRevision: number;
  readonly kvs: ReadonlyMap<string, KeyValue>;
  /** Values keys have lost, newest first, pruned below the compaction revision. */
  readonly past: ReadonlyMap<string, Past>;
  /** Reads at revisions below this are judged only in part: the history starts here. */
  readonly floor: number;
  readonly leases: ReadonlyMap<number, number>; // ID -> TTL
  /**
   * Leases granted with ID 0 (the server picks the ID) whose answer was lost: they exist,
   * but under an ID the history never says. A later successful revoke or keep-alive of an
   * ID the state lacks (the lessor revoking it on expiry) names one of them.
   */
  readonly unidentifiedLeases: number;
  /** Σ kvHash over kvs, Σ leaseHash over leases and Σ pastHash over past (mod 2^32); the hash mixes in the revisions. */
  readonly kvSum: number;
  readonly leaseSum: number;
  readonly pastSum: number;
  readonly hash: number;
  readonly text: string;
}

class SealedState implements EtcdState {
  private textMemo: string | undefined;
  private sortedKeysMemo: string[] | undefined;
  readonly hash: number;
  constructor(
    readonly revision: number,
    readonly compactRevision: number,
    readonly kvs: ReadonlyMap<string, KeyValue>,
    readonly leases: ReadonlyMap<number, number>,
    readonly kvSum: number,
    readonly leaseSum: number,
    readonly unidentifiedLeases: number,
    readonly past: ReadonlyMap<string, Past>,
    readonly pastSum: number,
    readonly floor: number,
  ) {
    this.hash = mix32(mix32(mix32(mix32(mix32(mix32(0x2545f491 ^ revision) ^ compactRevision) ^ kvSum) ^ leaseSum) ^ unidentifiedLeases) ^ pastSum);
  }
  /** The keys in order, built on the first range over this state (list calls hit a state many times). */
  get sortedKeys(): readonly string[] {
    this.sortedKeysMemo ??= [...this.kvs.keys()].sort();
    return this.sortedKeysMemo;
  }
  get text(): string {
    if (this.textMemo === undefined) {
      const parts = [`r${this.revision}c${this.compactRevision}`];
      for (const key of [...this.kvs.keys()].sort()) parts.push(`${JSON.stringify(key)}=${kvText(this.kvs.get(key)!)}`);
      for (const id of [...this.leases.keys()].sort((a, b) => a - b)) parts.push(`L${id}:${this.leases.get(id)}`);
      if (this.unidentifiedLeases > 0) parts.push(`L?×${this.unidentifiedLeases}`);
      for (const key of [...this.past.keys()].sort()) {
        for (let p = this.past.get(key); p; p = p.older) parts.push(`${JSON.stringify(key)}<${p.until}=${kvText(p.kv)}`);
      }
      this.textMemo = parts.join(";");
    }
    return this.textMemo;
  }
}

function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function kvText(kv: KeyValue): string {
  return `${JSON.stringify(kv.value)}/${kv.createRevision}/${kv.modRevision}/${kv.version}/${kv.lease}`;
}

function kvHash(key: string, kv: KeyValue): number {
  return mix32(hashString(key) ^ Math.imul(hashString(kvText(kv)), 0x9e3779b1));
}

function pastHash(key: string, kv: KeyValue, until: number): number {
  return mix32(kvHash(key, kv) ^ Math.imul(until | 0, 0x165667b1));
}

function pastListHash(_key: string, p: Past): number {
  return p.hashSum;
}

function pushPast(key: string, kv: KeyValue, until: number, older: Past | undefined): Past {
  return { kv, until, older, hashSum: (pastHash(key, kv, until) + (older?.hashSum ?? 0)) | 0 };
}

/** The list without the values no readable revision (>= compactRevision) can see. */
function prunePast(key: string, p: Past | undefined, compactRevision: number): Past | undefined {
  if (p === undefined || p.until <= compactRevision) return undefined; // newest first: the rest is older
  const older = prunePast(key, p.older, compactRevision);
  return older === p.older ? p : pushPast(key, p.kv, p.until, older);
}

function samePast(a: Past | undefined, b: Past | undefined): boolean {
  for (; a !== b; a = a.older, b = b.older) {
    if (a === undefined || b === undefined || a.until !== b.until || !sameKv(a.kv, b.kv)) return false;
  }
  return true;
}

function leaseHash(id: number, ttl: number): number {
  return mix32(Math.imul(id | 0, 0x27d4eb2f) ^ mix32(ttl | 0) ^ Math.floor(id / 2 ** 32));
}

/** Σ hash over `next` minus Σ over `base`, visiting only entries that differ (by reference). */
function sumDelta<K, V>(base: ReadonlyMap<K, V>, next: ReadonlyMap<K, V>, hash: (k: K, v: V) => number): number {
  if (base === next) return 0;
  let delta = 0;
  let kept = 0; // keys of next that base has too
  for (const [k, v] of next) {
    const old = base.get(k);
    if (old !== undefined) kept++;
    if (old === v) continue;
    if (old !== undefined) delta -= hash(k, old);
    delta += hash(k, v);
  }
  // Some key of base is gone: find it (a delete, a revoke, a compaction of nothing here).
  if (kept < base.size) for (const [k, v] of base) if (!next.has(k)) delta -= hash(k, v);
  return delta | 0;
}

function sameState(a: EtcdState, b: EtcdState): boolean {
  if (a === b) return true;
  if (a.hash !== b.hash || a.revision !== b.revision || a.compactRevision !== b.compactRevision || a.unidentifiedLeases !== b.unidentifiedLeases || a.floor !== b.floor) return false;
  if (a.kvs.size !== b.kvs.size || a.leases.size !== b.leases.size || a.past.size !== b.past.size) return false;
  for (const [key, p] of a.past) if (!samePast(p, b.past.get(key))) return false;
  for (const [key, kv] of a.kvs) {
    const other = b.kvs.get(key);
    if (other === kv) continue;
    if (!other || other.value !== kv.value || other.createRevision !== kv.createRevision || other.modRevision !== kv.modRevision || other.version !== kv.version || other.lease !== kv.lease) return false;
  }
  for (const [id, ttl] of a.leases) if (b.leases.get(id) !== ttl) return false;
  return true;
}

/**
 * A state built from scratch (every entry hashed): what the incremental hash must equal.
 * Without `past`, nothing before `revision` is known (the floor is `revision`).
 */
export function etcdStateOf(
  revision: number,
  compactRevision: number,
  kvs: ReadonlyMap<string, KeyValue>,
  leases: ReadonlyMap<number, number>,
  past: ReadonlyMap<string, readonly { kv: KeyValue; until: number }[]> = new Map(),
  floor = revision,
  unidentifiedLeases = 0,
): EtcdState {
  const lists = new Map<string, Past>();
  let pastSum = 0;
  for (const [key, values] of past) {
    let list: Past | undefined;
    for (let i = values.length - 1; i >= 0; i--) list = pushPast(key, values[i]!.kv, values[i]!.until, list); // oldest first
    if (!list) continue;
    lists.set(key, list);
    pastSum = (pastSum + list.hashSum) | 0;
  }
  return new SealedState(revision, compactRevision, kvs, leases, sumDelta(new Map(), kvs, kvHash), sumDelta(new Map(), leases, leaseHash), unidentifiedLeases, lists, pastSum, floor);
}

/** The values each key lost, newest first, as plain lists (to rebuild a state with etcdStateOf). */
export function pastValues(state: EtcdState): Map<string, { kv: KeyValue; until: number }[]> {
  const out = new Map<string, { kv: KeyValue; until: number }[]>();
  for (const [key, list] of state.past) {
    const values: { kv: KeyValue; until: number }[] = [];
    for (let p: Past | undefined = list; p; p = p.older) values.push({ kv: p.kv, until: p.until });
    out.set(key, values);
  }
  return out;
}

/** The store before the history: empty at `revision` (etcd starts at 1); earlier revisions unknown. */
export function initialEtcdState(revision = 1): EtcdState {
  return new SealedState(revision, 0, new Map(), new Map(), 0, 0, 0, new Map(), 0, revision);
}

/** A mutable working copy for one request (copy-on-write of the maps). */
class Draft {
  kvs: Map<string, KeyValue> | undefined;
  leases: Map<number, number> | undefined;
  past: Map<string, Past> | undefined;
  wrote = false;
  compactRevision: number;
  unidentifiedLeases: number;
  constructor(readonly base: EtcdState) {
    this.compactRevision = base.compactRevision;
    this.unidentifiedLeases = base.unidentifiedLeases;
  }
  get nextRevision(): number {
    return this.base.revision + 1;
  }
  get revision(): number {
    return this.wrote ? this.base.revision + 1 : this.base.revision;
  }
  kvMap(): ReadonlyMap<string, KeyValue> {
    return this.kvs ?? this.base.kvs;
  }
  leaseMap(): ReadonlyMap<number, number> {
    return this.leases ?? this.base.leases;
  }
  writableKvs(): Map<string, KeyValue> {
    this.kvs ??= new Map(this.base.kvs);
    return this.kvs;
  }
  writableLeases(): Map<number, number> {
    this.leases ??= new Map(this.base.leases);
    return this.leases;
  }
  pastMap(): ReadonlyMap<string, Past> {
    return this.past ?? this.base.past;
  }
  /** Sets or (kv undefined) deletes a key at the next revision, keeping the value it loses. */
  write(key: string, kv: KeyValue | undefined): void {
    const kvs = this.writableKvs();
    const prev = kvs.get(key);
    if (prev) {
      this.past ??= new Map(this.base.past);
      this.past.set(key, pushPast(key, prev, this.nextRevision, this.past.get(key)));
    }
    if (kv) kvs.set(key, kv);
    else kvs.delete(key);
    this.wrote = true;
  }
  /** The value `key` had at revision `rev` (>= the floor and the compaction revision). */
  kvAt(key: string, rev: number): KeyValue | undefined {
    const cur = this.kvMap().get(key);
    if (cur && cur.modRevision <= rev) return cur;
    for (let p = this.pastMap().get(key); p; p = p.older) {
      if (p.kv.modRevision <= rev) return rev < p.until ? p.kv : undefined;
    }
    return undefined;
  }
  /** The keys in [start, rangeEnd) that existed at revision `rev`, in order. */
  keysAt(start: string, rangeEnd: string | undefined, rev: number): string[] {
    const keys = new Set<string>();
    for (const map of [this.kvMap(), this.pastMap()]) for (const key of map.keys()) if (inRange(key, start, rangeEnd) && this.kvAt(key, rev)) keys.add(key);
    return [...keys].sort();
  }
  finish(): EtcdState {
    const b = this.base;
    let past = this.pastMap();
    if (this.compactRevision !== b.compactRevision && past.size > 0) {
      const pruned = new Map<string, Past>();
      for (const [key, list] of past) {
        const kept = prunePast(key, list, this.compactRevision);
        if (kept) pruned.set(key, kept);
      }
      past = pruned;
    }
    if (!this.kvs && !this.leases && past === b.past && !this.wrote && this.compactRevision === b.compactRevision && this.unidentifiedLeases === b.unidentifiedLeases) return b;
    const kvSum = (b.kvSum + sumDelta(b.kvs, this.kvMap(), kvHash)) | 0;
    const leaseSum = (b.leaseSum + sumDelta(b.leases, this.leaseMap(), leaseHash)) | 0;
    const pastSum = (b.pastSum + sumDelta(b.past, past, pastListHash)) | 0;
    return new SealedState(this.revision, this.compactRevision, this.kvMap(), this.leaseMap(), kvSum, leaseSum, this.unidentifiedLeases, past, pastSum, b.floor);
  }
}

export function inRange(key: string, start: string, rangeEnd: string | undefined): boolean {
  if (rangeEnd === undefined || rangeEnd === "") return key === start;
  if (rangeEnd === "\0") return key >= start;
  return key >= start && key < rangeEnd;
}

/** The first position in sorted `keys` whose key is >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function keysInRange(draft: Draft, start: string, rangeEnd: string | undefined): string[] {
  const kvs = draft.kvMap();
  if (rangeEnd === undefined || rangeEnd === "") return kvs.has(start) ? [start] : [];
  if (kvs === draft.base.kvs && draft.base instanceof SealedState) {
    // Untouched by this request so far: binary search in the state's sorted keys.
    const sorted = draft.base.sortedKeys;
    const from = lowerBound(sorted, start);
    const to = rangeEnd === "\0" ? sorted.length : Math.max(from, lowerBound(sorted, rangeEnd));
    return sorted.slice(from, to);
  }
  const keys: string[] = [];
  for (const key of kvs.keys()) if (inRange(key, start, rangeEnd)) keys.push(key);
  return keys.sort();
}

type Expected = { error: string } | { response: TxnOpResponse | Record<string, unknown> };

/**
 * A range's kvs (in key order) with etcd's revision bounds and sort applied: the bounds
 * prune, then a stable sort by the target (a target other than KEY sorts ascending when no
 * order is given). `count` is not affected: etcd counts the keys in the range.
 */
function sortedAndFiltered(kvs: KeyValue[], req: RangeRequest): KeyValue[] {
  let out = kvs;
  if (req.maxModRevision) out = out.filter((kv) => kv.modRevision <= req.maxModRevision!);
  if (req.minModRevision) out = out.filter((kv) => kv.modRevision >= req.minModRevision!);
  if (req.maxCreateRevision) out = out.filter((kv) => kv.createRevision <= req.maxCreateRevision!);
  if (req.minCreateRevision) out = out.filter((kv) => kv.createRevision >= req.minCreateRevision!);
  const target = req.sortTarget ?? "KEY";
  const order = target !== "KEY" && (req.sortOrder ?? "NONE") === "NONE" ? "ASCEND" : (req.sortOrder ?? "NONE");
  if (order === "NONE") return out;
  const value = (kv: KeyValue): number | string => (target === "KEY" ? kv.key : target === "VALUE" ? kv.value : target === "VERSION" ? kv.version : target === "CREATE" ? kv.createRevision : kv.modRevision);
  const sign = order === "ASCEND" ? 1 : -1;
  return [...out].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}

/** Applies one request to the draft; returns the response etcd would give (no header). */
function apply(draft: Draft, req: EtcdRequest): Expected {
  switch (req.type) {
    case "range": {
      const rev = req.revision ?? 0;
      if (rev > draft.revision) return { error: ERR_FUTURE_REV };
      if (rev > 0 && rev < draft.compactRevision) return { error: ERR_COMPACTED };
      const old = rev > 0 && rev < draft.revision;
      // Before the history's first revision the key space is not known: judged in part (see matches).
      const unknown = old && rev < draft.base.floor;
      const exact = old && !unknown;
      const keys = exact ? draft.keysAt(req.key, req.rangeEnd, rev) : keysInRange(draft, req.key, req.rangeEnd);
      const valueOf = (k: string): KeyValue => (exact ? draft.kvAt(k, rev)! : draft.kvMap().get(k)!);
      const limit = req.limit ?? 0;
      // etcd 3.4 reads the whole range only when asked to sort or bound it; otherwise it reads
      // limit + 1 keys in key order, and a non-KEY target (sorted ascending by default) then
      // sorts just those (checked against a real etcd by the conformance suite).
      const bounded = !!(req.minModRevision || req.maxModRevision || req.minCreateRevision || req.maxCreateRevision);
      const readAll = (req.sortOrder ?? "NONE") !== "NONE" || bounded || limit === 0;
      const found = sortedAndFiltered((readAll ? keys : keys.slice(0, limit + 1)).map(valueOf), req);
      const shown = limit > 0 ? found.slice(0, limit) : found;
      const kvs = req.countOnly ? [] : shown.map((kv) => (req.keysOnly ? { ...kv, value: "" } : kv));
      // A count-only answer carries no kvs, so etcd never says there are more of them.
      const more = !req.countOnly && limit > 0 && found.length > limit;
      return { response: { type: "range", kvs, count: keys.length, more, staleRevision: unknown ? rev : 0 } };
    }
    case "put": {
      const kvs = draft.kvMap();
      const prev = kvs.get(req.key);
      // A put on its own: etcd looks up the lease before the key (in a txn, the other way
      // round: see txnCheckError, which has already run).
      if (!req.ignoreLease && (req.lease ?? 0) !== 0 && !draft.leaseMap().has(req.lease!)) return { error: ERR_LEASE_NOT_FOUND };
      if ((req.ignoreValue || req.ignoreLease) && !prev) return { error: ERR_KEY_NOT_FOUND };
      const lease = req.ignoreLease ? prev!.lease : (req.lease ?? 0);
      const rev = draft.nextRevision;
      const kv: KeyValue = {
        key: req.key,
        value: req.ignoreValue ? prev!.value : req.value,
        createRevision: prev ? prev.createRevision : rev,
        modRevision: rev,
        version: prev ? prev.version + 1 : 1,
        lease,
      };
      draft.write(req.key, kv);
      return { response: req.prevKv && prev ? { type: "put", prevKv: prev } : { type: "put" } };
    }
    case "deleteRange": {
      const keys = keysInRange(draft, req.key, req.rangeEnd);
      const prevKvs = keys.map((k) => draft.kvMap().get(k)!);
      for (const k of keys) draft.write(k, undefined);
      return { response: req.prevKv ? { type: "deleteRange", deleted: keys.length, prevKvs } : { type: "deleteRange", deleted: keys.length } };
    }
    case "txn": {
      // etcd decides every compare of a txn, nested txns' included, before it applies any op,
      // then finds the errors the decided ops would meet, also before applying any.
      const d = decide(draft, req);
      const error = txnCheckError(draft, req, d);
      return error ? { error } : applyTxn(draft, req, d);
    }
    case "compact": {
      if (req.revision <= draft.compactRevision) return { error: ERR_COMPACTED };
      if (req.revision > draft.revision) return { error: ERR_FUTURE_REV };
      draft.compactRevision = req.revision;
      return { response: { type: "compact" } };
    }
    case "leaseGrant": {
      if (req.ID === 0) return { response: { type: "leaseGrant", ID: 0, TTL: req.TTL } }; // server-assigned: see step
      if (draft.leaseMap().has(req.ID)) return { error: ERR_LEASE_EXISTS };
      draft.writableLeases().set(req.ID, req.TTL);
      return { response: { type: "leaseGrant", ID: req.ID, TTL: req.TTL } };
    }
    case "leaseRevoke": {
      if (!draft.leaseMap().has(req.ID)) return { error: ERR_LEASE_NOT_FOUND };
      draft.writableLeases().delete(req.ID);
      const attached = [...draft.kvMap().values()].filter((kv) => kv.lease === req.ID).map((kv) => kv.key);
      for (const k of attached) draft.write(k, undefined);
      return { response: { type: "leaseRevoke" } };
    }
    case "leaseKeepAlive": {
      const ttl = draft.leaseMap().get(req.ID);
      if (ttl === undefined) return { error: ERR_LEASE_NOT_FOUND };
      return { response: { type: "leaseKeepAlive", ID: req.ID, TTL: ttl } };
    }
    case "leaseTimeToLive": {
      // An unknown lease is not an error: TTL -1 (etcd 3.4). The remaining TTL depends on
      // time, which the model does not keep; the granted TTL and the attached keys do not.
      const ttl = draft.leaseMap().get(req.ID);
      if (ttl === undefined) return { response: { type: "leaseTimeToLive", ID: req.ID, TTL: -1, grantedTTL: 0 } };
      const keys = req.keys ? [...draft.kvMap().values()].filter((kv) => kv.lease === req.ID).map((kv) => kv.key).sort() : undefined;
      return { response: { type: "leaseTimeToLive", ID: req.ID, TTL: ttl, grantedTTL: ttl, ...(keys ? { keys } : {}) } };
    }
    case "leaseLeases":
      // Leases granted with ID 0 whose answers were lost are live under IDs the model cannot name.
      return { response: { type: "leaseLeases", leases: [...draft.leaseMap().keys()], unidentified: draft.unidentifiedLeases } };
  }
}

/** Which branch a txn takes, and the decisions of the txns nested in that branch (by op). */
interface Decision {
  succeeded: boolean;
  nested: (Decision | undefined)[];
}

function decide(draft: Draft, t: TxnRequest): Decision {
  const succeeded = t.compare.every((c) => compare(draft, c));
  const ops = succeeded ? t.success : t.failure;
  return { succeeded, nested: ops.map((op) => (op.type === "txn" ? decide(draft, op) : undefined)) };
}

/**
 * etcd's checkRequests, against the store as it was before the txn: first every put on the
 * decided path (an ignoreValue/ignoreLease put needs its key, and not deleted by an earlier
 * op of the txn; a lease must exist), then every range's revision (future, compacted). So
 * a put's error wins over an earlier range's, and a range may not read a revision the txn
 * itself makes. (Checked against a real etcd 3.4 by the conformance suite.)
 */
function txnCheckError(draft: Draft, t: TxnRequest, d: Decision): string | undefined {
  const deletedBefore: { key: string; rangeEnd: string | undefined }[] = [];
  const puts = (t: TxnRequest, d: Decision): string | undefined => {
    for (const [i, op] of (d.succeeded ? t.success : t.failure).entries()) {
      if (op.type === "txn") {
        const e = puts(op, d.nested[i]!);
        if (e) return e;
      } else if (op.type === "deleteRange") {
        deletedBefore.push({ key: op.key, rangeEnd: op.rangeEnd });
      } else if (op.type === "put") {
        if ((op.ignoreValue || op.ignoreLease) && (!draft.kvMap().has(op.key) || deletedBefore.some((b) => inRange(op.key, b.key, b.rangeEnd)))) return ERR_KEY_NOT_FOUND;
        if ((op.lease ?? 0) !== 0 && !draft.leaseMap().has(op.lease!)) return ERR_LEASE_NOT_FOUND;
      }
    }
    return undefined;
  };
  const ranges = (t: TxnRequest, d: Decision): string | undefined => {
    for (const [i, op] of (d.succeeded ? t.success : t.failure).entries()) {
      if (op.type === "txn") {
        const e = ranges(op, d.nested[i]!);
        if (e) return e;
      } else if (op.type === "range" && (op.revision ?? 0) > 0) {
        if (op.revision! > draft.revision) return ERR_FUTURE_REV;
        if (op.revision! < draft.compactRevision) return ERR_COMPACTED;
      }
    }
    return undefined;
  };
  return puts(t, d) ?? ranges(t, d);
}

/**
 * The ops of the decided branch, in order. Each answer carries the revision etcd puts in its
 * header (`headerRevision`): the revision visible right after the op (a read before the
 * txn's first write sees the old one), and 0 for a nested txn, whose header etcd leaves empty.
 */
function applyTxn(draft: Draft, t: TxnRequest, d: Decision): Expected {
  const ops = d.succeeded ? t.success : t.failure;
  const responses: TxnOpResponse[] = [];
  for (const [i, op] of ops.entries()) {
    const r = op.type === "txn" ? applyTxn(draft, op, d.nested[i]!) : apply(draft, op as EtcdRequest);
    if ("error" in r) return r;
    responses.push({ ...r.response, headerRevision: op.type === "txn" ? 0 : draft.revision } as unknown as TxnOpResponse);
  }
  return { response: { type: "txn", succeeded: d.succeeded, responses } };
}

const ZERO_KV: KeyValue = { key: "", value: "", createRevision: 0, modRevision: 0, version: 0, lease: 0 };

function compare(draft: Draft, c: Compare): boolean {
  const keys = keysInRange(draft, c.key, c.rangeEnd);
  if (keys.length === 0) return c.target === "VALUE" ? false : compareOne(ZERO_KV, c);
  return keys.every((k) => compareOne(draft.kvMap().get(k)!, c));
}

function compareOne(kv: KeyValue, c: Compare): boolean {
  let a: number | string;
  let b: number | string;
  switch (c.target) {
    case "VERSION":
      [a, b] = [kv.version, c.version ?? 0];
      break;
    case "CREATE":
      [a, b] = [kv.createRevision, c.createRevision ?? 0];
      break;
    case "MOD":
      [a, b] = [kv.modRevision, c.modRevision ?? 0];
      break;
    case "VALUE":
      [a, b] = [kv.value, c.value ?? ""];
      break;
    case "LEASE":
      [a, b] = [kv.lease, c.lease ?? 0];
      break;
  }
  switch (c.result) {
    case "EQUAL":
      return a === b;
    case "NOT_EQUAL":
      return a !== b;
    case "GREATER":
      return a > b;
    case "LESS":
      return a < b;
  }
}

function sameKv(a: KeyValue | undefined, b: KeyValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.key === b.key && a.value === b.value && a.createRevision === b.createRevision && a.modRevision === b.modRevision && a.version === b.version && (a.lease ?? 0) === (b.lease ?? 0);
}

/** Does the recorded response match the computed one? Optional recorded fields are checked when present. */
function matches(expected: Record<string, unknown>, actual: Record<string, unknown>, revision: number): boolean {
  if (actual.type !== expected.type) return false;
  const header = actual.header as { revision: number } | undefined;
  if (header && header.revision !== revision) return false;
  switch (expected.type) {
    case "range": {
      const kvs = (actual.kvs ?? []) as KeyValue[];
      // At an old revision the key space (and so count and more) may differ from the current one.
      const stale = expected.staleRevision as number;
      if (stale > 0) return kvs.every((kv) => kv.modRevision <= stale);
      if (actual.count !== undefined && actual.count !== expected.count) return false;
      if (actual.more !== undefined && actual.more !== expected.more) return false;
      const want = expected.kvs as KeyValue[];
      return kvs.length === want.length && kvs.every((kv, i) => sameKv(kv, want[i]));
    }
    case "put":
      return sameKv(actual.prevKv as KeyValue | undefined, expected.prevKv as KeyValue | undefined);
    case "deleteRange": {
      if (actual.deleted !== expected.deleted) return false;
      // prevKvs come only when asked for (etcd leaves the field out otherwise).
      if (expected.prevKvs === undefined) return actual.prevKvs === undefined || (actual.prevKvs as unknown[]).length === 0;
      const got = (actual.prevKvs ?? []) as KeyValue[];
      const want = expected.prevKvs as KeyValue[];
      return got.length === want.length && got.every((kv, i) => sameKv(kv, want[i]));
    }
    case "txn": {
      if (actual.succeeded !== expected.succeeded) return false;
      const got = (actual.responses ?? []) as Record<string, unknown>[];
      const want = expected.responses as Record<string, unknown>[];
      return got.length === want.length && got.every((r, i) => matches(want[i]!, r, want[i]!.headerRevision as number));
    }
    // etcd's lessor raises a TTL below its minimum (1.5 election timeouts) to that minimum, a
    // figure the history does not carry: a granted or renewed TTL may exceed the request's.
    case "leaseGrant":
      return (expected.ID === 0 || actual.ID === expected.ID) && (actual.TTL === undefined || (actual.TTL as number) >= (expected.TTL as number));
    case "leaseKeepAlive":
      return actual.ID === expected.ID && (actual.TTL === undefined || (actual.TTL as number) >= (expected.TTL as number));
    case "leaseTimeToLive": {
      if (actual.ID !== expected.ID) return false;
      if (expected.TTL === -1) return actual.TTL === -1 && !actual.grantedTTL;
      if (typeof actual.TTL !== "number" || actual.TTL < 0 || ((actual.grantedTTL ?? 0) as number) < (expected.grantedTTL as number)) return false;
      if (expected.keys === undefined) return true;
      // In no particular order: etcd 3.4 walks a Go map (the conformance suite saw it).
      const got = [...((actual.keys ?? []) as string[])].sort();
      const want = expected.keys as string[];
      return got.length === want.length && got.every((k, i) => k === want[i]);
    }
    case "leaseLeases": {
      // Every lease the model knows, and no more others than it has unidentified leases.
      const listed = (actual.leases ?? []) as number[];
      const got = new Set(listed);
      const want = expected.leases as number[];
      // Each lease once: a lease listed twice is not two leases.
      return got.size === listed.length && want.every((id) => got.has(id)) && got.size - want.length <= (expected.unidentified as number);
    }
    default:
      return true;
  }
}

export function isDefiniteError(output: unknown): boolean {
  return typeof output === "object" && output !== null && typeof (output as { error?: unknown }).error === "string" && DEFINITE_ERRORS.includes((output as { error: string }).error);
}

function isReadOnly(req: EtcdRequest): boolean {
  if (req.type === "range" || req.type === "leaseKeepAlive" || req.type === "leaseTimeToLive" || req.type === "leaseLeases") return true;
  if (req.type === "txn") return [...req.success, ...req.failure].every((op) => isReadOnly(op as EtcdRequest));
  return false;
}

export function etcdStep(state: EtcdState, input: EtcdRequest, output: EtcdResponse | null): EtcdState | undefined {
  const draft = new Draft(state);
  if (output !== null && output.error === undefined && !(output.type === "leaseTimeToLive" && output.TTL === -1)) identifyLease(draft, input);
  const expected = apply(draft, input);
  if (output === null) {
    // Unknown outcome placed here: it applied here (an error means it did nothing).
    return "error" in expected ? state : afterServerAssignedLease(draft, input, undefined).finish();
  }
  if ("error" in expected) return output.error === expected.error ? state : undefined;
  if (output.error !== undefined) return undefined; // a definite error that was not due
  if (!matches(expected.response as Record<string, unknown>, output as unknown as Record<string, unknown>, draft.revision)) return undefined;
  // A server-assigned lease ID is a free one: etcd (and this store) never hands out the ID
  // of a lease that is alive.
  if (input.type === "leaseGrant" && input.ID === 0 && "ID" in output && typeof output.ID === "number" && draft.leaseMap().has(output.ID)) return undefined;
  return afterServerAssignedLease(draft, input, output).finish();
}

/**
 * A grant with ID 0 creates the lease the server reported, or, its answer lost, a lease
 * whose ID nobody knows yet.
 */
function afterServerAssignedLease(draft: Draft, input: EtcdRequest, output: EtcdResponse | undefined): Draft {
  if (input.type !== "leaseGrant" || input.ID !== 0) return draft;
  if (output && "ID" in output && typeof output.ID === "number") draft.writableLeases().set(output.ID, input.TTL);
  else draft.unidentifiedLeases++;
  return draft;
}

/**
 * A successful revoke or keep-alive of a lease the state lacks, while some lease's ID is
 * unknown: that is the lease (the only way a correct store can answer so). Its TTL is not
 * known either; 0 lets a keep-alive report any.
 */
function identifyLease(draft: Draft, input: EtcdRequest): void {
  if (draft.unidentifiedLeases === 0) return;
  if ((input.type === "leaseRevoke" || input.type === "leaseKeepAlive" || input.type === "leaseTimeToLive") && !draft.leaseMap().has(input.ID)) {
    draft.unidentifiedLeases--;
    draft.writableLeases().set(input.ID, 0);
  }
}

export interface EtcdModelOptions {
  /** The store's revision before the history starts (etcd starts at 1). */
  initialRevision?: number;
}

export function makeEtcdModel(options: EtcdModelOptions = {}): Model<EtcdState, EtcdRequest, EtcdResponse> {
  const initial = initialEtcdState(options.initialRevision ?? 1);
  return {
    name: "etcd",
    init: () => initial,
    step: etcdStep,
    hash: (s) => s.hash,
    equal: sameState,
    normalize(op: Operation<EtcdRequest, EtcdResponse>) {
      const output = op.output;
      const indefinite = op.return === Infinity || output === null || (typeof output.error === "string" && !isDefiniteError(output));
      if (!indefinite) return op;
      // An unknown read changes nothing and constrains nothing: leave it out.
      if (isReadOnly(op.input)) return undefined;
      return { ...op, output: null, return: Infinity };
    },
    describeOperation: (input, output) => `${JSON.stringify(input)} → ${output === null ? "?" : JSON.stringify(output)}`,
    describeState: (s) => s.text,
  };
}

export const etcdModel = makeEtcdModel();

/**
 * What etcd answers to `req` in `state`, and the state after it: a reference for tests
 * and for generating histories. (leaseGrant with ID 0 is answered with ID 0.)
 */
export function etcdRespond(state: EtcdState, req: EtcdRequest): { state: EtcdState; response: EtcdResponse } {
  const draft = new Draft(state);
  const expected = apply(draft, req);
  if ("error" in expected) return { state, response: { error: expected.error } };
  const strip = (r: Record<string, unknown>): Record<string, unknown> => {
    const { staleRevision: _stale, headerRevision, ...rest } = r;
    if (typeof headerRevision === "number") rest.header = { revision: headerRevision };
    if (Array.isArray(rest.responses)) rest.responses = (rest.responses as Record<string, unknown>[]).map(strip);
    return rest;
  };
  return { state: draft.finish(), response: { ...strip(expected.response as Record<string, unknown>), header: { revision: draft.revision } } as unknown as EtcdResponse };
}
