// The etcd-like server as a deterministic state machine the Raft host drives:
//   validate (before proposing) → apply(index, bytes, nowUs) for each committed entry
//   → responses; query() for serializable reads; watch queue drained by the host;
//   lease expiry decided on the node's own clock; snapshot()/restore() of the whole state.
// Nothing here knows about time except the `nowUs` arguments (the node's local clock).
import { assert, unreachable } from "../assert";
import { NO_BUGS, type BugSet } from "../canary";
import { MvccStore, type MvccSnapshot, type WriteTxn } from "../mvcc/store";
import { compareKeys } from "../mvcc/keys";
import { MvccError, type MvccEvent } from "../mvcc/types";
import {
  ERR_LEASE_EXISTS, ERR_LEASE_NOT_FOUND, ERR_LEASE_TTL_TOO_LARGE, ERR_NOT_LEADER, MAX_LEASE_TTL_SECONDS,
  type EtcdRequest, type EtcdResponse, type LeaseKeepAliveResponse, type LeaseTimeToLiveRequest,
  type LeaseLeasesResponse, type LeaseTimeToLiveResponse, type LogRequest, type RangeRequest, type StatusResponse, type WatchCreateRequest,
  type WatchResponse, type EtcdError, type ResponseHeader,
} from "./api";
import { decodeRequest } from "./codec";
import { ApplyError, doDeleteRange, doPut, doRange, doTxn, isTxnReadOnly } from "./kv";
import { Lessor, type LeaseSnapshot } from "./lessor";
import { DEFAULT_LIMITS, validateRequest, type Limits } from "./validate";
import { WatchHub } from "./watch";

export interface ServerConfig {
  bugs?: BugSet;
  /**
   * Leases shorter than this are raised to it. etcd: ceil(1.5 × election timeout) —
   * 2 s for the default 10 ticks of 100 ms.
   */
  minLeaseTtlSeconds?: number;
  limits?: Limits;
}

/** etcd's minimum lease TTL: ceil(1.5 × election timeout) in whole seconds. */
export function minLeaseTtlSeconds(electionTimeoutUs: number): number {
  return Math.ceil((1.5 * electionTimeoutUs) / 1_000_000);
}

/** Everything replicated: what a snapshot carries and the backend persists. */
/** A backend commit that appends to the image (see backend.ts): new records, all leases. */
export interface BackendDelta {
  consistentIndex: number;
  currentRevision: number;
  compactRevision: number;
  records: MvccSnapshot["records"];
  leases: LeaseSnapshot[];
}

export interface ServerState {
  /** The consistent index: the last applied Raft index. Kept atomically with the data. */
  consistentIndex: number;
  mvcc: MvccSnapshot;
  leases: LeaseSnapshot[];
}

export class KvServer {
  private store = new MvccStore();
  private readonly lessor: Lessor;
  private readonly watches: WatchHub;
  private applied = 0;
  private readonly bugs: BugSet;
  private readonly minLeaseTtlSeconds: number;
  readonly limits: Limits;

  constructor(config: ServerConfig = {}) {
    this.bugs = config.bugs ?? NO_BUGS;
    this.minLeaseTtlSeconds = config.minLeaseTtlSeconds ?? 2;
    this.limits = config.limits ?? DEFAULT_LIMITS;
    this.lessor = new Lessor(this.bugs);
    this.watches = new WatchHub(this.bugs);
  }

  // ---- before proposing ----

  /** etcd's gRPC-layer checks; an error here means: answer it, do not propose. */
  validate(req: EtcdRequest): string | undefined {
    return validateRequest(req, this.limits);
  }

  // ---- the replicated state machine ----

  appliedIndex(): number {
    return this.applied;
  }

  currentRevision(): number {
    return this.store.currentRevision();
  }

  compactRevision(): number {
    return this.store.compactRevision();
  }

  /**
   * Applies the committed entry at `index`. Empty data = an entry with no request
   * (Raft's empty entry, a conf change): only the index advances. Entries at or below
   * the applied index are skipped (replay after restart) and return undefined.
   */
  apply(index: number, data: Uint8Array, nowUs: number): EtcdResponse | undefined {
    if (index <= this.applied) return undefined;
    if (data.length === 0) {
      this.applied = index;
      return undefined;
    }
    return this.applyRequest(index, decodeRequest(data), nowUs);
  }

  applyRequest(index: number, req: LogRequest, nowUs: number): EtcdResponse | undefined {
    if (index <= this.applied) return undefined;
    this.applied = index;
    return this.execute(req, index, nowUs);
  }

  private execute(req: LogRequest, index: number, nowUs: number): EtcdResponse {
    switch (req.type) {
      case "range":
        return this.query(req);
      case "put":
        return this.writeTxn(true, (t) => ({ type: "put", ...doPut(t, this.lessor, req) }));
      case "deleteRange":
        return this.writeTxn(true, (t) => ({ type: "deleteRange", ...doDeleteRange(t, this.lessor, req) }));
      case "txn":
        return this.writeTxn(!isTxnReadOnly(req), (t) => ({ type: "txn", ...doTxn(t, this.lessor, req) }));
      case "compact":
        try {
          this.store.compact(req.revision, this.bugs.has("compact-drops-kept-value"));
        } catch (e) {
          if (e instanceof MvccError) return { error: e.message };
          throw e;
        }
        return { type: "compact", header: { revision: this.store.currentRevision() } };
      case "leaseGrant":
        return this.grant(req.ID, req.TTL, index, nowUs);
      case "leaseRevoke": {
        if (!this.lessor.has(req.ID)) return { error: ERR_LEASE_NOT_FOUND };
        const keys = this.lessor.revoke(req.ID);
        return this.writeTxn(true, (t) => {
          for (const k of keys) t.deleteRange(k, undefined);
          return { type: "leaseRevoke", header: { revision: t.visibleRevision() } };
        });
      }
      default:
        return unreachable(req, "log request");
    }
  }

  /** One request = one write txn = at most one revision; its events go to the watchers. */
  private writeTxn(isWrite: boolean, f: (t: WriteTxn) => EtcdResponse): EtcdResponse {
    const t = this.store.write();
    let resp: EtcdResponse;
    try {
      resp = f(t);
    } catch (e) {
      if (!(e instanceof ApplyError)) throw e;
      // State-dependent errors are found before the first change (etcd panics otherwise).
      assert(!t.changed(), () => `apply error after changes: ${e.message}`);
      t.end();
      return { error: e.message };
    }
    const noopBump = isWrite && this.bugs.has("revision-bump-on-noop");
    const events: MvccEvent[] = t.end(noopBump);
    if (events.length > 0) this.watches.notify(this.store.currentRevision(), events);
    if (noopBump && events.length === 0 && !("error" in resp)) resp.header.revision = this.store.currentRevision();
    return resp;
  }

  private grant(id: number, ttlSeconds: number, index: number, nowUs: number): EtcdResponse {
    if (ttlSeconds > MAX_LEASE_TTL_SECONDS) return { error: ERR_LEASE_TTL_TOO_LARGE };
    let leaseId = id;
    if (leaseId === 0) {
      // etcd picks the ID before proposing; a request that reaches the log with 0 gets a
      // deterministic one here: derived from the entry index, the next free one.
      leaseId = index;
      while (this.lessor.has(leaseId)) leaseId++;
    } else if (this.lessor.has(leaseId)) {
      return { error: ERR_LEASE_EXISTS };
    }
    const ttl = Math.max(ttlSeconds, this.minLeaseTtlSeconds);
    this.lessor.grant(leaseId, ttl, nowUs);
    return { type: "leaseGrant", header: { revision: this.store.currentRevision() }, ID: leaseId, TTL: ttl };
  }

  // ---- local reads ----

  /** A serializable (local) Range. A linearizable one is the same call after ReadIndex says so. */
  query(req: RangeRequest): EtcdResponse {
    try {
      return { type: "range", ...doRange(this.store, req) };
    } catch (e) {
      if (e instanceof ApplyError) return { error: e.message };
      throw e;
    }
  }

  status(): StatusResponse {
    return {
      header: { revision: this.store.currentRevision() },
      raftAppliedIndex: this.applied,
      compactRevision: this.store.compactRevision(),
    };
  }

  // ---- leases: local clock ----

  /** This node became leader at local time nowUs: leases restart with TTL + extendUs. */
  promote(nowUs: number, extendUs: number): void {
    this.lessor.promote(nowUs, extendUs);
  }

  demote(): void {
    this.lessor.demote();
  }

  isLeasePrimary(): boolean {
    return this.lessor.isPrimary();
  }

  /** Leases this node (if leader) considers expired at local time nowUs: propose a leaseRevoke for each. */
  expiredLeases(nowUs: number): number[] {
    return this.lessor.expired(nowUs);
  }

  /** The lease exists but its time is up at local time nowUs: its revoke is on the way. */
  leaseExpiring(id: number, nowUs: number): boolean {
    const l = this.lessor.get(id);
    return l !== undefined && l.expiryUs <= nowUs;
  }

  /** Keepalive, served by the leader's lessor (not through the log). */
  leaseKeepAlive(id: number, nowUs: number): ({ type: "leaseKeepAlive"; header: ResponseHeader } & LeaseKeepAliveResponse) | EtcdError {
    if (!this.lessor.isPrimary()) return { error: ERR_NOT_LEADER };
    const l = this.lessor.renew(id, nowUs);
    if (l === undefined) return { error: ERR_LEASE_NOT_FOUND };
    return { type: "leaseKeepAlive", header: { revision: this.store.currentRevision() }, ID: id, TTL: l.ttlSeconds };
  }

  /** TimeToLive, served by the leader's lessor (not through the log). An unknown lease is TTL -1, not an error (etcd 3.4). */
  leaseTimeToLive(req: LeaseTimeToLiveRequest, nowUs: number): ({ type: "leaseTimeToLive"; header: ResponseHeader } & LeaseTimeToLiveResponse) | EtcdError {
    if (!this.lessor.isPrimary()) return { error: ERR_NOT_LEADER };
    const l = this.lessor.get(req.ID);
    const header = { revision: this.store.currentRevision() };
    if (l === undefined) return { type: "leaseTimeToLive", header, ID: req.ID, TTL: -1, grantedTTL: 0 };
    const resp: { type: "leaseTimeToLive"; header: ResponseHeader } & LeaseTimeToLiveResponse = {
      type: "leaseTimeToLive", header, ID: req.ID, TTL: this.lessor.remainingSeconds(req.ID, nowUs), grantedTTL: l.ttlSeconds,
    };
    if (req.keys) resp.keys = [...l.keys].sort(compareKeys);
    return resp;
  }

  /** LeaseLeases, served by the leader's lessor: every live lease's ID, ascending. */
  leaseLeases(): ({ type: "leaseLeases"; header: ResponseHeader } & LeaseLeasesResponse) | EtcdError {
    if (!this.lessor.isPrimary()) return { error: ERR_NOT_LEADER };
    return { type: "leaseLeases", header: { revision: this.store.currentRevision() }, leases: this.lessor.ids() };
  }

  leaseIds(): number[] {
    return this.lessor.ids();
  }

  // ---- watch ----

  watch(req: WatchCreateRequest): number {
    return this.watches.create(req, this.store);
  }

  /** Cancels watcher `id`; its last response says why when `cancelReason` is given (e.g. "etcdserver: no leader"). */
  cancelWatch(id: number, cancelReason = ""): boolean {
    return this.watches.cancel(id, this.store.currentRevision(), cancelReason);
  }

  /** A progress notification, queued behind pending events, to every watcher or to watcher `watchId`. */
  requestWatchProgress(watchId?: number): void {
    this.watches.requestProgress(this.store.currentRevision(), watchId);
  }

  watchProgressTick(): void {
    this.watches.progressTick(this.store.currentRevision());
  }

  drainWatchResponses(max?: number): WatchResponse[] {
    return this.watches.drain(max);
  }

  /** How many watch responses wait to be drained. */
  pendingWatchResponses(): number {
    return this.watches.pending();
  }

  /** The waiting watch responses from position `from` on, without draining them. */
  queuedWatchResponses(from: number): readonly WatchResponse[] {
    return this.watches.queuedSince(from);
  }

  // ---- snapshots ----

  /**
   * A digest of the replicated state snapshot() holds, data and leases (not the index), kept
   * up to date as it changes: cheap enough to compare replicas at every applied index.
   */
  stateDigest(): string {
    return `${this.store.stateDigest()}.${this.lessor.stateDigest()}`;
  }

  snapshot(): ServerState {
    return { consistentIndex: this.applied, mvcc: this.store.snapshot(), leases: this.lessor.snapshot() };
  }

  /** What changed since the store was at `revision` (no compaction since): a backend delta commit. */
  deltaSince(revision: number): BackendDelta {
    return {
      consistentIndex: this.applied,
      currentRevision: this.store.currentRevision(),
      compactRevision: this.store.compactRevision(),
      records: this.store.recordsAfter(revision),
      leases: this.lessor.snapshot(),
    };
  }

  /**
   * Replaces the whole replicated state (snapshot install or restart from the backend).
   * Lease expiries restart from nowUs; watchers catch up on the new state.
   */
  restore(state: ServerState, nowUs: number): void {
    this.store = MvccStore.fromSnapshot(state.mvcc);
    this.applied = state.consistentIndex;
    this.lessor.restore(state.leases, nowUs);
    // Attached keys are derived state: rebuild them from the live key space.
    for (const kv of this.store.range("\0", "\0").kvs) if (kv.lease !== 0 && this.lessor.has(kv.lease)) this.lessor.attach(kv.lease, kv.key);
    this.watches.resync(this.store);
  }
}
