// An etcd member on the simulated world: the Raft host with the KV server as its state
// machine. It persists the backend image every 100 ms (with the consistent index inside it,
// atomically), answers clients, serves linearizable reads through ReadIndex, expires leases
// on the leader's clock, and streams watch responses to watchers.
import type { BugSet } from "../../core/canary";
import { fragmentWatchResponse, WATCH_FRAGMENT_BYTES_DEFAULT } from "../../core/server/watch_fragment";
import { MSG_CLIENT_REQUEST, MSG_CLIENT_RESPONSE, MSG_WATCH_CREATE, MSG_WATCH_CANCEL, MSG_WATCH_PROGRESS, MSG_WATCH_RESPONSE, type ClientRequestMsg, type ClientResponseMsg, type WatchCancelMsg, type WatchCreateMsg, type WatchProgressMsg } from "../../core/client/protocol";
import { ERR_NO_LEADER, ERR_NOT_LEADER, ERR_TIMEOUT, isAdminRequest, type AdminResponse, type EtcdRequest, type EtcdResponse, type LogRequest, type RangeRequest, type WatchResponse } from "../../core/server/api";
import { backendLayout, BackendCorruptError, decodeBackend, encodeBackend, encodeConsistentIndex } from "../../core/server/backend";
import { BackendWriter } from "../../core/server/backend_writer";
import { encodeRequest } from "../../core/server/codec";
import { KvServer } from "../../core/server/server";
import type { RaftHost } from "../host/node_host";
import type { AppliedEntry, StateMachine } from "../host/state_machine";
import type { NodeContext, TimerHandle } from "../process";
import { AdminService } from "./admin";
import type { StoreOracle } from "./oracle";

export const BACKEND_FILE = "backend.db";
export const CONSISTENT_INDEX_FILE = "backend.ci";
export const BACKEND_COMMIT_INTERVAL_US = 100_000;
const RESPONSES_KEPT_MAX = 10_000;
const WATCH_RESPONSES_PER_FLUSH_MAX = 16;
const WATCH_DRAIN_INTERVAL_US = 10_000;
/**
 * etcd's maxNoLeaderCnt: a member cancels the streams that require a leader once it has
 * found no leader at this many checks in a row, one per election timeout (reconnecting
 * costs more than refusing new streams, which it does at once).
 */
const NO_LEADER_CHECKS_MAX = 3;
/**
 * Every this many applied entries a replica hands the harness's oracle a digest of its
 * state, so replicas are compared at equal index during the run as well as at its end:
 * a member removed, or left alone by removals, is still checked (seed 154 with 3 members
 * at 16 rounds: 4,240 of 68,536 runs ended with one live replica, nothing to compare).
 * The digest costs O(1) (KvServer.stateDigest); the interval bounds the oracle's memory
 * (one small record per 4 entries). Every 16th index decided 952 of seed 157's 982 such
 * runs (drawn sizes, 10 rounds); every 4th decides all of them, as every index does.
 */
export const STATE_CHECKPOINT_ENTRIES = 4;
/** How long a keepalive for an expired lease waits for the revoke before timing out. */
const LEASE_REVOKE_WAIT_TICKS = 20;
/** A member's lease revoke sent to the leader, as etcd-raft forwards a follower's proposal. */
export const MSG_LEASE_REVOKE_FORWARD = "lease-revoke-fwd";
export const MSG_LEASE_REVOKE_APPLIED = "lease-revoke-applied";
/**
 * A follower's client write sent to the leader, and the leader's answer once it applied.
 * etcd-raft forwards a follower's MsgProp to the leader and the follower's server answers
 * its client after applying the entry itself; clients stay on the member they dialled.
 */
export const MSG_PROPOSE_FORWARD = "propose-fwd";
export const MSG_PROPOSE_RESULT = "propose-result";
/** Forwarded proposals a leader remembers, to drop network duplicates of one. */
const FORWARDS_SEEN_MAX = 10_000;

interface ProposeForward {
  /** Unique per sender across restarts: a nonce drawn at start plus a sequence number. */
  key: string;
  request: LogRequest;
}

interface ProposeResult {
  /** The forward's key (see forwardKey). */
  key: string;
  /** The log index the request was applied at; absent when it was not (an error). */
  index?: number;
  response: EtcdResponse;
}

interface ForwardedProposal {
  client: number;
  requestId: number;
  timer: TimerHandle;
  /** A physical compaction: answered once this member's backend holds it (see answerDurable). */
  physical: boolean;
}

interface LeaseRevokeForward {
  request: { type: "leaseRevoke"; ID: number };
  /** See forwardKey: answers are matched by it, never by a bare counter. */
  key: string;
}

export interface EtcdNodeOptions {
  bugs: BugSet;
  tickUs: number;
  electionTicks: number;
  oracle: StoreOracle;
  onLeaseRevoke?: LeaseRevokeHook;
  /** Watch responses at least this large are split for watchers that asked for fragments (default WATCH_FRAGMENT_BYTES_DEFAULT). */
  watchFragmentBytes?: number;
}

export type LeaseRevokeHook = (node: number, request: { type: "leaseRevoke"; ID: number }) => ((response: EtcdResponse | null) => void) | undefined;

/** Watch stream messages carry a sequence number so a lost one breaks the stream, as TCP would. */
export interface WatchStreamMsg {
  watcherId: number;
  seq: number;
  response: import("../../core/server/api").WatchResponse;
}

export class EtcdNode {
  readonly server: KvServer;
  host!: RaftHost;
  private readonly responses = new Map<number, EtcdResponse | undefined>();
  private backendIndex = 0;
  private backendSyncing = false;
  /** Answers waiting for a backend commit that covers their index (physical compactions). */
  private awaitingBackend: { index: number; send: () => void }[] = [];
  private readonly watchers = new Map<number, { clientId: number; watcherId: number; seq: number; fragment: boolean; requireLeader: boolean }>();
  /** Election timeouts in a row at whose end this member knew no leader. */
  private noLeaderChecks = 0;
  private internalWatchId = -1;
  /** The last state checkpoint this instance reported (an entry replayed twice is reported once). */
  private checkpointIndexLast = 0;
  private revoking = new Set<number>();
  /** Forwarded revokes awaiting the leader's word that they applied, by forward key. */
  private readonly forwardedRevokes = new Map<string, (response: EtcdResponse | null) => void>();
  private forwardTokenNext = 1;
  /** Client writes this member forwarded to the leader, by forward key. */
  private readonly forwardedProposals = new Map<string, ForwardedProposal>();
  /** Answered forwards waiting for this member to apply their index, in arrival order. */
  private awaitingApply: { index: number; forward: ForwardedProposal; response: EtcdResponse }[] = [];
  private readonly forwardNonce: number;
  /** Forward keys the leader has proposed (insertion-ordered, bounded). */
  private readonly forwardsSeen = new Set<string>();
  /** Highest request id seen per client address: the network may duplicate a message, TCP would not. */
  private readonly requestIdSeenMax = new Map<number, number>();
  private readonly watchCreatesSeen = new Set<string>();
  private readonly layout;
  /** Member list / add / remove / promote, status and snapshot (sim/etcd/admin.ts). */
  readonly admin: AdminService;
  private readonly backendWriter: BackendWriter;

  constructor(
    readonly ctx: NodeContext,
    readonly opts: EtcdNodeOptions,
  ) {
    this.layout = backendLayout(opts.bugs);
    this.forwardNonce = ctx.rng("propose-forward").int(0, 0x7fffffff);
    this.backendWriter = new BackendWriter(this.layout);
    this.server = new KvServer({ bugs: opts.bugs, minLeaseTtlSeconds: Math.ceil((1.5 * opts.electionTicks * opts.tickUs) / 1e6) });
    const db = ctx.disk.read(BACKEND_FILE);
    if (db.length > 0) {
      try {
        const ci = this.layout === "split" ? ctx.disk.read(CONSISTENT_INDEX_FILE) : undefined;
        this.server.restore(decodeBackend(db, ci && ci.length > 0 ? ci : undefined), ctx.nowUs());
      } catch (error) {
        if (error instanceof BackendCorruptError) ctx.fail(`backend corrupt: ${error.message}`);
        else throw error;
      }
    }
    this.backendIndex = this.server.appliedIndex();
    this.noteStateCheckpoint();
    this.admin = new AdminService({
      ctx, server: this.server, host: () => this.host, activeWindowUs: 2 * opts.electionTicks * opts.tickUs,
      dbSizeBytes: () => ctx.disk.read(BACKEND_FILE).byteLength,
      reply: (to, requestId, response, leaderHint) => this.reply(to, requestId, response, leaderHint),
    });
    this.watchAllForOracle();
    const commitLoop = () => {
      this.commitBackend();
      ctx.setTimer(BACKEND_COMMIT_INTERVAL_US, commitLoop);
    };
    ctx.setTimer(BACKEND_COMMIT_INTERVAL_US, commitLoop);
    const leaseLoop = () => {
      this.expireLeases();
      this.server.watchProgressTick();
      this.flushWatches();
      ctx.setTimer(opts.tickUs * 5, leaseLoop);
    };
    ctx.setTimer(opts.tickUs * 5, leaseLoop);
    const drainLoop = () => {
      this.flushWatches();
      ctx.setTimer(WATCH_DRAIN_INTERVAL_US, drainLoop);
    };
    ctx.setTimer(WATCH_DRAIN_INTERVAL_US, drainLoop);
    const electionTimeoutUs = opts.electionTicks * opts.tickUs;
    const leaderMonitor = () => {
      this.monitorLeader();
      ctx.setTimer(electionTimeoutUs, leaderMonitor);
    };
    ctx.setTimer(electionTimeoutUs, leaderMonitor);
  }

  /** etcd's monitorLeader: streams that require a leader are cancelled after NO_LEADER_CHECKS_MAX checks without one. */
  private monitorLeader(): void {
    this.noLeaderChecks = this.host.status().lead ? 0 : this.noLeaderChecks + 1;
    if (this.noLeaderChecks < NO_LEADER_CHECKS_MAX) return;
    let cancelled = false;
    for (const [id, w] of this.watchers) if (w.requireLeader) cancelled = this.server.cancelWatch(id, ERR_NO_LEADER) || cancelled;
    if (cancelled) this.flushWatches();
  }

  /** The Raft host's view of the server. */
  readonly sm: StateMachine = {
    apply: (e: AppliedEntry) => {
      const compactedBefore = this.server.compactRevision();
      const queuedBefore = this.server.pendingWatchResponses();
      const revisionBefore = this.server.currentRevision();
      const response = this.server.apply(e.index, e.data, this.ctx.nowUs());
      if (this.server.currentRevision() !== revisionBefore) this.opts.oracle.noteRevisionEntry(this.server.currentRevision(), e.index, e.term);
      // The harness's record of what this replica applied, taken now: a crash before the send
      // loop drains the queue would leave a gap in it. (The queue itself is left alone, so
      // client watchers' responses go out exactly when they would have.)
      for (const r of this.server.queuedWatchResponses(queuedBefore)) if (r.watchId === this.internalWatchId) this.recordForOracle(r);
      // The harness's record (not the member's): where each compaction applied.
      if (this.server.compactRevision() !== compactedBefore) this.opts.oracle.recordCompaction(this.server.compactRevision(), this.server.currentRevision());
      this.responses.set(e.index, response);
      // Only the proposer's callback reads a response, right after apply: keep a bounded window.
      this.responses.delete(e.index - RESPONSES_KEPT_MAX);
      if (this.layout === "split") {
        // Canary consistent-index-not-atomic: the index hits the disk at once, the data only
        // with the next backend commit — a crash in between skips the entries in between.
        this.ctx.disk.write(CONSISTENT_INDEX_FILE, encodeConsistentIndex(e.index), "replace");
        this.ctx.disk.fsync(CONSISTENT_INDEX_FILE, () => {});
      }
      // Watch responses leave with the stream's send loop (drainLoop), not in this step.
      this.answerAppliedForwards();
      this.noteStateCheckpoint();
    },
    appliedIndex: () => this.server.appliedIndex(),
    snapshot: () => encodeBackend(this.server.snapshot()),
    restore: (data: Uint8Array) => {
      this.server.restore(decodeBackend(data), this.ctx.nowUs());
      this.backendWriter.stateReplaced();
      this.watchAllForOracle();
      this.flushWatches();
      this.answerAppliedForwards();
      this.noteStateCheckpoint();
    },
    skipTo: (index: number) => {
      if (index > this.server.appliedIndex()) this.server.apply(index, new Uint8Array(0), this.ctx.nowUs());
      this.answerAppliedForwards();
      this.noteStateCheckpoint();
    },
  };

  /** At a checkpoint index (see STATE_CHECKPOINT_ENTRIES), the oracle gets this replica's state digest. */
  private noteStateCheckpoint(): void {
    const index = this.server.appliedIndex();
    if (index === 0 || index % STATE_CHECKPOINT_ENTRIES !== 0 || index === this.checkpointIndexLast) return;
    this.checkpointIndexLast = index;
    this.opts.oracle.recordState(this.ctx.id, index, this.server.stateDigest());
  }

  private watchAllForOracle(): void {
    // Deliver everything queued first: client watchers must not lose responses here.
    this.flushWatches(Number.MAX_SAFE_INTEGER);
    if (this.internalWatchId >= 0) this.server.cancelWatch(this.internalWatchId);
    this.flushWatches(Number.MAX_SAFE_INTEGER);
    this.internalWatchId = this.server.watch({ key: "\0", rangeEnd: "\0", startRevision: this.server.currentRevision() + 1 });
  }

  private flushWatches(max = WATCH_RESPONSES_PER_FLUSH_MAX): void {
    // Like etcd's watch stream, responses leave from a send loop a batch at a time, not in
    // the same step as the apply that produced them: a progress notification can then
    // overtake queued events, which is what the progress-notify-ahead canary gets wrong.
    for (const r of this.server.drainWatchResponses(max)) {
      if (r.watchId === this.internalWatchId) {
        // Recorded when applied (sm.apply); recording again is a no-op unless it disagrees.
        this.recordForOracle(r);
        continue;
      }
      const w = this.watchers.get(r.watchId);
      if (!w) continue;
      // A cancelled watcher is done: its last response goes out, and the member forgets it.
      if (r.canceled) this.watchers.delete(r.watchId);
      // Fragments leave as consecutive messages of the stream (etcd's sendFragments).
      const parts = w.fragment ? fragmentWatchResponse(r, this.opts.watchFragmentBytes ?? WATCH_FRAGMENT_BYTES_DEFAULT) : [r];
      for (const part of parts) {
        const msg: WatchStreamMsg = { watcherId: w.watcherId, seq: w.seq++, response: part };
        this.ctx.send(w.clientId, MSG_WATCH_RESPONSE, msg, { bytes: 64 + part.events.length * 64 });
      }
    }
  }

  /** Hands the events of one response of the harness's own watch to the oracle, by revision. */
  private recordForOracle(r: WatchResponse): void {
    const byRev = new Map<number, typeof r.events>();
    for (const e of r.events) {
      const list = byRev.get(e.kv.modRevision) ?? [];
      list.push(e);
      byRev.set(e.kv.modRevision, list);
    }
    for (const [rev, events] of byRev) this.opts.oracle.record(this.ctx.id, rev, events);
  }

  private commitBackend(): void {
    const applied = this.server.appliedIndex();
    if (this.backendSyncing || applied === this.backendIndex) return;
    this.backendSyncing = true;
    // Mostly a delta frame appended to the image; a full image when needed (backend_writer.ts).
    const w = this.backendWriter.next(this.server);
    this.ctx.disk.write(BACKEND_FILE, w.bytes, w.mode);
    this.ctx.disk.fsync(BACKEND_FILE, (ok) => {
      this.backendSyncing = false;
      if (!ok) return this.ctx.fail("backend fsync failed");
      this.backendIndex = applied;
      if (this.awaitingBackend.length === 0) return;
      const ready = this.awaitingBackend.filter((w) => w.index <= applied);
      this.awaitingBackend = this.awaitingBackend.filter((w) => w.index > applied);
      for (const w of ready) w.send();
      // Applied after this commit began: commit again at once rather than at the next batch.
      if (this.awaitingBackend.length > 0) this.commitBackend();
    });
  }

  /**
   * Sends an answer once the backend on disk holds entry `index`: etcd answers a physical
   * compaction only after the compaction has run and it has force-committed the backend
   * (etcdserver's Compact: wait for the compaction, then ForceCommit). The commit starts now,
   * not at the next 100 ms batch; a crash before it ends leaves the client to time out.
   */
  private answerDurable(index: number, send: () => void): void {
    if (this.backendIndex >= index) return send();
    this.awaitingBackend.push({ index, send });
    this.commitBackend();
  }

  private expireLeases(): void {
    const expired = this.server.expiredLeases(this.ctx.nowUs());
    const follower = !this.host.isLeader();
    // A deposed leader whose Ready is stuck behind a slow disk has not demoted its lessor yet
    // (that happens as the Ready is handled): its expiry times are stale and its revokes must
    // not reach the new leader. etcd had exactly this bug (etcd-io/etcd#15247) and since 3.5
    // revokes only after confirming leadership. The canary expires leases on followers.
    if (follower && !this.opts.bugs.has("lease-expire-on-follower")) return;
    for (const id of expired) {
      if (this.revoking.has(id)) continue;
      this.revoking.add(id);
      const request = { type: "leaseRevoke" as const, ID: id };
      if (follower) {
        const done = this.opts.onLeaseRevoke?.(this.ctx.id, request);
        // Only reachable with the lease-expire-on-follower canary: the revoke goes to the
        // leader like any forwarded proposal; its outcome is not reported back here.
        const lead = this.host.status().lead;
        const key = this.forwardKey();
        let settled = false;
        const settle = (response: EtcdResponse | null) => {
          if (settled) return;
          settled = true;
          this.forwardedRevokes.delete(key);
          this.revoking.delete(id);
          done?.(response);
        };
        this.forwardedRevokes.set(key, settle);
        if (lead) this.ctx.send(lead, MSG_LEASE_REVOKE_FORWARD, { request, key } satisfies LeaseRevokeForward, { bytes: 64, stream: true });
        this.ctx.setTimer(2 * this.opts.electionTicks * this.opts.tickUs, () => settle(null));
        continue;
      }
      // Confirm leadership (a heartbeat round) first, as etcd 3.5's ensureLeadership does.
      const term = this.host.status().term;
      this.host.readIndex((confirmed) => {
        if (!confirmed.ok || !this.host.isLeader() || this.host.status().term !== term) {
          this.revoking.delete(id);
          return;
        }
        const done = this.opts.onLeaseRevoke?.(this.ctx.id, request);
        this.host.propose(encodeRequest(request), (r) => {
          this.revoking.delete(id);
          const response = r.ok ? this.responses.get(r.index) : undefined;
          done?.(r.ok ? (response ?? null) : null);
        });
      });
    }
  }

  onRole(role: string): void {
    if (role === "leader") this.server.promote(this.ctx.nowUs(), this.opts.electionTicks * this.opts.tickUs);
    else this.server.demote();
  }

  onClientMessage(from: number, msgType: string, payload: unknown): void {
    if (msgType === MSG_LEASE_REVOKE_FORWARD) {
      const f = payload as LeaseRevokeForward;
      if (!this.host.isLeader()) return;
      this.host.propose(encodeRequest(f.request), (r) => {
        const response = r.ok ? this.responses.get(r.index) : undefined;
        if (response) this.ctx.send(from, MSG_LEASE_REVOKE_APPLIED, { key: f.key, response }, { bytes: 64, stream: true });
      });
    } else if (msgType === MSG_LEASE_REVOKE_APPLIED) {
      const a = payload as { key: string; response: EtcdResponse };
      this.forwardedRevokes.get(a.key)?.(a.response);
    } else if (msgType === MSG_PROPOSE_FORWARD) {
      this.proposeForwarded(from, payload as ProposeForward);
    } else if (msgType === MSG_PROPOSE_RESULT) {
      this.forwardAnswered(payload as ProposeResult);
    } else if (msgType === MSG_CLIENT_REQUEST) {
      const m = payload as ClientRequestMsg;
      // A session has one request in flight and numbers them upwards, so anything at or below
      // the highest id seen is a duplicate or a late copy of a request its client gave up on
      // (outcome unknown either way). Over gRPC this cannot happen; proposing it twice would.
      if (m.requestId <= (this.requestIdSeenMax.get(from) ?? 0)) return;
      this.requestIdSeenMax.set(from, m.requestId);
      this.handleRequest(from, m);
    } else if (msgType === MSG_WATCH_CREATE) {
      const m = payload as WatchCreateMsg;
      const key = `${from}/${m.watcherId}`;
      if (this.watchCreatesSeen.has(key)) return;
      this.watchCreatesSeen.add(key);
      if (m.requireLeader && !this.host.status().lead) {
        // Refused at once, as etcd's stream interceptor does: the stream ends with "no leader".
        const refusal: WatchResponse = { header: { revision: this.server.currentRevision() }, watchId: -1, created: false, canceled: true, compactRevision: 0, cancelReason: ERR_NO_LEADER, events: [] };
        const msg: WatchStreamMsg = { watcherId: m.watcherId, seq: 0, response: refusal };
        this.ctx.send(from, MSG_WATCH_RESPONSE, msg, { bytes: 64 });
        return;
      }
      const id = this.server.watch(m.request);
      this.watchers.set(id, { clientId: from, watcherId: m.watcherId, seq: 0, fragment: m.request.fragment === true, requireLeader: m.requireLeader === true });
      this.flushWatches();
    } else if (msgType === MSG_WATCH_PROGRESS) {
      // Answered by this member from its own store, on the asking stream, behind the events
      // it has not sent yet; the send loop takes it out. A stream this member does not hold
      // (it restarted since, or the create was lost) gets nothing, as a dead stream would.
      const m = payload as WatchProgressMsg;
      const id = this.watchIdOfStream(from, m.watcherId);
      if (id !== undefined) this.server.requestWatchProgress(id);
    } else if (msgType === MSG_WATCH_CANCEL) {
      // The client closed the stream. A create that arrives after the cancel (reordered) is
      // ignored like a duplicate, so a closed stream never gets a watcher again.
      const m = payload as WatchCancelMsg;
      this.watchCreatesSeen.add(`${from}/${m.watcherId}`);
      const id = this.watchIdOfStream(from, m.watcherId);
      if (id !== undefined) this.server.cancelWatch(id);
      this.flushWatches();
    }
  }

  /** The server watch serving client `clientId`'s stream `watcherId` here (one watch per stream), if any. */
  private watchIdOfStream(clientId: number, watcherId: number): number | undefined {
    for (const [id, w] of this.watchers) if (w.clientId === clientId && w.watcherId === watcherId) return id;
    return undefined;
  }

  private reply(to: number, requestId: number, response: EtcdResponse | AdminResponse, leaderHint?: number): void {
    const msg: ClientResponseMsg = { requestId, response, ...(leaderHint ? { leaderHint } : {}) };
    this.ctx.send(to, MSG_CLIENT_RESPONSE, msg, { bytes: 64 + JSON.stringify(response).length });
  }

  private handleRequest(from: number, m: ClientRequestMsg): void {
    if (isAdminRequest(m.request)) return this.admin.handle(from, m.requestId, m.request);
    const req: EtcdRequest = m.request;
    const invalid = this.server.validate(req);
    if (invalid) return this.reply(from, m.requestId, { error: invalid });
    const lead = this.host.status().lead;
    if (req.type === "range") return this.read(from, m.requestId, req);
    // A deposed leader that has not noticed yet must not promise a lease life the real
    // leader knows nothing of (etcd 3.5 checks leadership before a renewal for this reason).
    if (req.type === "leaseKeepAlive") return this.onConfirmedLeader(from, m.requestId, () => this.renewLease(from, m.requestId, req.ID, this.ctx.nowUs() + LEASE_REVOKE_WAIT_TICKS * this.opts.tickUs));
    // Nor answer from the past: one that has not applied a grant or revoke it committed.
    if (req.type === "leaseTimeToLive" || req.type === "leaseLeases") {
      return this.onConfirmedLeader(from, m.requestId, () => {
        const response = req.type === "leaseTimeToLive" ? this.server.leaseTimeToLive(req, this.ctx.nowUs()) : this.server.leaseLeases();
        this.reply(from, m.requestId, response, this.host.status().lead);
      });
    }
    if (!this.host.isLeader()) return this.forwardProposal(from, m.requestId, req as LogRequest, lead);
    this.host.propose(encodeRequest(req as LogRequest), (r) => {
      if (!r.ok) return this.reply(from, m.requestId, { error: ERR_TIMEOUT });
      const response = this.responses.get(r.index);
      this.responses.delete(r.index);
      if (physicalCompaction(req, response)) return this.answerDurable(r.index, () => this.reply(from, m.requestId, response!));
      this.reply(from, m.requestId, response ?? { error: ERR_TIMEOUT });
    });
  }

  /**
   * The leader's lessor answers these (etcd forwards them to the leader): a follower says
   * "not leader"; the leader first confirms its leadership with a heartbeat round and waits
   * until it has applied what was committed before the call (a read index), then `serve`s.
   */
  private onConfirmedLeader(from: number, requestId: number, serve: () => void): void {
    const lead = this.host.status().lead;
    if (!this.host.isLeader()) return this.reply(from, requestId, { error: lead ? ERR_NOT_LEADER : ERR_NO_LEADER }, lead);
    this.host.readIndex((r) => {
      if (!r.ok) return this.reply(from, requestId, { error: /leader/.test(r.error) ? ERR_NO_LEADER : ERR_TIMEOUT });
      serve();
    });
  }

  /**
   * A keepalive for a lease whose time is up waits for its revoke to apply and then says
   * "not found", as etcd's lessor does: answering before the revoke commits would tell the
   * client the lease is gone while reads still show its keys.
   */
  private renewLease(from: number, requestId: number, id: number, deadlineUs: number): void {
    const now = this.ctx.nowUs();
    if (!this.server.leaseExpiring(id, now)) return this.reply(from, requestId, this.server.leaseKeepAlive(id, now), this.host.status().lead);
    const lead = this.host.status().lead;
    if (!this.host.isLeader()) return this.reply(from, requestId, { error: lead ? ERR_NOT_LEADER : ERR_NO_LEADER }, lead);
    if (now >= deadlineUs) return this.reply(from, requestId, { error: ERR_TIMEOUT });
    this.ctx.setTimer(this.opts.tickUs, () => this.renewLease(from, requestId, id, deadlineUs));
  }

  private read(from: number, requestId: number, req: RangeRequest & { type: "range" }): void {
    if (req.serializable || this.opts.bugs.has("stale-linearizable-read")) return this.reply(from, requestId, this.server.query(req));
    this.host.readIndex((r) => {
      if (!r.ok) return this.reply(from, requestId, { error: /leader/.test(r.error) ? ERR_NO_LEADER : ERR_TIMEOUT });
      this.reply(from, requestId, this.server.query(req));
    });
  }

  // ---- writes sent to a follower --------------------------------------------------------

  /**
   * A key for something this member sends the leader and waits to hear back about: unique
   * across restarts (a nonce drawn at start), so a late answer meant for an earlier
   * incarnation never matches a later request.
   */
  private forwardKey(): string {
    return `${this.ctx.id}/${this.forwardNonce}/${this.forwardTokenNext++}`;
  }

  private forwardProposal(client: number, requestId: number, request: LogRequest, lead: number): void {
    // With no leader known the write cannot go anywhere: "no leader" proves it was not applied.
    if (!lead || lead === this.ctx.id) return this.reply(client, requestId, { error: ERR_NO_LEADER });
    const key = this.forwardKey();
    // The client gives up on its own clock; this only bounds what the member remembers.
    const timer = this.ctx.setTimer(2 * this.opts.electionTicks * this.opts.tickUs, () => {
      if (this.forwardedProposals.delete(key)) this.reply(client, requestId, { error: ERR_TIMEOUT });
    });
    this.forwardedProposals.set(key, { client, requestId, timer, physical: request.type === "compact" && request.physical === true });
    const fwd: ProposeForward = { key, request };
    // On the member-to-leader connection (etcd forwards a follower's proposal over its Raft
    // transport, TCP): the leader's duplicate filter is in memory, and TCP never hands a
    // message to the leader's next run.
    this.ctx.send(lead, MSG_PROPOSE_FORWARD, fwd, { bytes: 64 + JSON.stringify(request).length, stream: true });
  }

  /** On the leader: propose a forwarded write once, and tell the follower where it applied. */
  private proposeForwarded(from: number, f: ProposeForward): void {
    const answer = (result: ProposeResult) => this.ctx.send(from, MSG_PROPOSE_RESULT, result, { bytes: 64 + JSON.stringify(result.response).length, stream: true });
    if (this.forwardsSeen.has(f.key)) return; // a network duplicate: proposing it again would apply it twice
    this.forwardsSeen.add(f.key);
    if (this.forwardsSeen.size > FORWARDS_SEEN_MAX) this.forwardsSeen.delete(this.forwardsSeen.values().next().value!);
    // A forward reaching a member that is not (or no longer) the leader is dropped, as
    // etcd-raft drops a MsgProp with no leader to take it. This copy never entered a log, but
    // another copy of it may have: a network duplicate proposed by this member while it led,
    // before a restart wiped what it had seen. So the answer is etcd's for a forwarded
    // proposal that never comes back, a timeout: the client cannot tell, and must not be told
    // "no leader" (not applied).
    if (!this.host.isLeader()) return answer({ key: f.key, response: { error: ERR_TIMEOUT } });
    this.host.propose(encodeRequest(f.request), (r) => {
      if (!r.ok) return answer({ key: f.key, response: { error: ERR_TIMEOUT } });
      answer({ key: f.key, index: r.index, response: this.responses.get(r.index) ?? { error: ERR_TIMEOUT } });
    });
  }

  /** On the follower: answer the client once this member has applied the write too (read-your-writes). */
  private forwardAnswered(a: ProposeResult): void {
    const forward = this.forwardedProposals.get(a.key);
    if (!forward) return;
    this.forwardedProposals.delete(a.key);
    this.ctx.cancelTimer(forward.timer);
    if (a.index === undefined) return this.reply(forward.client, forward.requestId, a.response);
    this.awaitingApply.push({ index: a.index, forward, response: a.response });
    this.answerAppliedForwards();
  }

  private answerAppliedForwards(): void {
    if (this.awaitingApply.length === 0) return;
    const applied = this.server.appliedIndex();
    const still: typeof this.awaitingApply = [];
    for (const w of this.awaitingApply) {
      if (w.index > applied) {
        still.push(w);
        continue;
      }
      // This member's own response for the entry, as etcd's follower builds it; the leader's
      // when the entry reached this member inside a snapshot.
      const response = this.responses.get(w.index) ?? w.response;
      if (w.forward.physical && !("error" in response)) this.answerDurable(w.index, () => this.reply(w.forward.client, w.forward.requestId, response));
      else this.reply(w.forward.client, w.forward.requestId, response);
    }
    this.awaitingApply = still;
  }
}

/** A compaction that asked to be answered only once it is physically in the backend, and succeeded. */
function physicalCompaction(req: EtcdRequest, response: EtcdResponse | undefined): boolean {
  return req.type === "compact" && req.physical === true && response !== undefined && !("error" in response);
}
