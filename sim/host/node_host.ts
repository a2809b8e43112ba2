// The Raft node host: runs one RawNode inside a simulated process. It ticks the node on
// the process's (possibly skewed) clock, feeds it network messages, and handles each
// Ready in the contract's order (core/raft/rawnode.ts):
//   1. write snapshot / entries / hard state to the WAL, fsync when mustSync;
//   2. send the messages;
//   3. restore the snapshot into the state machine, apply committed entries, serve reads;
//   4. advance.
// On restart (a fresh host on the same disk) it rebuilds from the WAL and last snapshot
// only; a state machine with durable state of its own is replayed from its applied index.
import type { BugSet } from "../../core/canary";
import { NO_BUGS } from "../../core/canary";
import { assert } from "../../core/assert";
import type { RaftConfig } from "../../core/raft/config";
import { allMembers, decodeConfChange, isVoter } from "../../core/raft/confchange";
import { RawNode, type Ready, type Status } from "../../core/raft/rawnode";
import type { ConfChange, ConfState, Entry, Message, MessageType, NodeId, Snapshot } from "../../core/raft/types";
import { unwrapSnapshot, wrapSnapshot } from "./snapshot_envelope";
import type { NodeContext, NodeProgram, TimerHandle } from "../process";
import type { Role as TraceRole } from "../trace/types";
import type { StateMachine } from "./state_machine";
import { recoverWal, WAL_FILE, WalEncoder } from "./wal";

/** Written (and synced) when a member applies its own removal; a restart then refuses to run. */
const REMOVED_FILE = "removed";
const REMOVED_MARK = new Uint8Array([1]);
/**
 * Written (and synced) when a leader commits its own removal, ahead of the new commit index
 * (see recordRemovalCommittedHere), or applies one while it leads before C_new is known to
 * have heard (Raft.removalSettled): the removal's index, as decimal text. A restart
 * in that window hands it back to Raft (RaftStorage.removedAsLeaderAt), which keeps its right
 * to campaign; without it the restarted member would count as settled and stop.
 */
const REMOVED_WHILE_LEADING_FILE = "removed-while-leading";
/** etcd stops a removed member 1 s after it applies its removal (10 × its default 100 ms tick). */
const REMOVED_STOP_DELAY_TICKS = 10;
/**
 * Sent back to a removed member that still sends Raft messages, as etcd's peer transport
 * answers one with 410 Gone: a member cut off while it was removed never applies its own
 * removal, and would otherwise campaign against the cluster forever (thesis §4.2.3) when
 * neither pre-vote nor check-quorum keeps it out.
 */
export const MSG_MEMBER_REMOVED = "member-removed";
/**
 * etcd's peer transport dials a stream to every peer it is not connected to (again every
 * 100 ms while it fails), and a peer that removed the dialler answers 410 Gone, which stops
 * it. Modelled for a learner that has heard no Raft message for an election timeout: a voter
 * cut off campaigns, and its votes are turned away, but a learner sends no Raft message of
 * its own. Without it, a learner removed while it was down restarts and serves its clients
 * timeouts for ever (seed 144 with 2 members at 12 rounds, run 14975). Once per election
 * timeout, not every 100 ms, to each member it knows: one answer is all it takes.
 */
export const MSG_STREAM_DIAL = "stream-dial";
/** Ticks caught up after a pause, at most this many election timeouts' worth. */
const CATCH_UP_ELECTION_TIMEOUTS = 4;

export type RaftTuning = Omit<RaftConfig, "id" | "rand" | "peers" | "bugs">;

export interface HostOptions {
  /** Voters to bootstrap with on an empty disk; empty for a node that joins later. */
  readonly peers: readonly NodeId[];
  /** Local time between ticks (µs). etcd's default is 100 ms. */
  readonly tickUs: number;
  readonly raft?: RaftTuning;
  readonly bugs?: BugSet;
  readonly stateMachine: (ctx: NodeContext) => StateMachine;
  /** Snapshot and compact the log every this many applied entries (0 = only on request). */
  readonly snapshotEntries?: number;
  /** Tick at a random phase (default) or all nodes in lockstep, as processes started together do. */
  readonly alignedTicks?: boolean;
  /** Emit a node-state trace event every this many ticks (0 = never). */
  readonly nodeStateEveryTicks?: number;
  /** True virtual time for trace timestamps (the process clock may be skewed). */
  readonly traceNowUs?: () => number;
  /** Observes the host (checkers, the server on top). */
  readonly observer?: HostObserver;
  /**
   * Stop the process once it applies a configuration that no longer lists it, after one that
   * did: etcd's server stops itself ("the member has been permanently removed").
   */
  readonly stopWhenRemoved?: boolean;
  /** Messages whose type is not a Raft message type go here (a server's client traffic). */
  readonly onOtherMessage?: (from: NodeId, msgType: string, payload: unknown) => void;
}

export interface HostObserver {
  onStart?(host: RaftHost): void;
  onRole?(host: RaftHost, role: TraceRole, term: number, lead: NodeId): void;
  onCommit?(host: RaftHost, fromIndex: number, toIndex: number): void;
  onApply?(host: RaftHost, entry: Entry): void;
  /** A normal entry this host (as leader) appended for a proposal. */
  onPropose?(host: RaftHost, index: number, term: number): void;
  onRestore?(host: RaftHost, snapshot: Snapshot): void;
  /** Every Raft message as it leaves the host. */
  onSend?(host: RaftHost, m: Message): void;
  /** The leader answered `count` read(s) from its lease, in `term`, without a heartbeat round. */
  onLeaseRead?(host: RaftHost, term: number, count: number): void;
  /** A linearizable read was asked of this host; what it returns comes back in onReadAnswered. */
  onReadAsked?(host: RaftHost): number;
  /** The read is answered at read index `index` (its entries applied here). */
  onReadAnswered?(host: RaftHost, index: number, asked: number): void;
  /** A Ready's snapshot and entries are on stable storage now (its fsync completed). */
  onDurable?(host: RaftHost, entries: readonly Entry[], snapshot: Snapshot | undefined): void;
}

export type ProposeCallback = (r: { ok: true; index: number; term: number } | { ok: false; error: string }) => void;
export type ReadCallback = (r: { ok: true; index: number } | { ok: false; error: string }) => void;

/** Whether msgType is a Raft message type (a switch: once per delivered message, cheaper than a Set lookup). */
function isRaftType(msgType: string): boolean {
  switch (msgType as MessageType) {
    case "app":
    case "app-resp":
    case "heartbeat":
    case "heartbeat-resp":
    case "vote":
    case "vote-resp":
    case "pre-vote":
    case "pre-vote-resp":
    case "snap":
    case "timeout-now":
    case "read-index":
    case "read-index-resp":
    case "transfer-leader":
      return true;
    default:
      return false;
  }
}

const NO_MESSAGES: readonly Message[] = [];

export class RaftHost implements NodeProgram {
  readonly id: NodeId;
  readonly rn: RawNode;
  readonly sm: StateMachine;
  private readonly bugs: BugSet;
  private busy = false;
  private tickTimer: TimerHandle | undefined;
  /** When the last tick was (or, before the first, would have been) on the monotonic clock. */
  private lastTickMonoUs = 0;
  private ticks = 0;
  private readonly proposals = new Map<number, { term: number; cb: ProposeCallback }>();
  private readonly reads = new Map<string, { cb: ReadCallback; index: number; timer: TimerHandle; asked: number }>();
  private readSeq = 0;
  /** Entries at or below this are already in the state machine (its durable applied index). */
  private smSkipTo: number;
  private appliedSinceSnapshot = 0;
  private lastTraced = { role: "", term: -1, lead: -1 };
  private persistedHard = { term: 0, vote: 0, commit: 0 };
  /** Whether the process is stopped (fsync error): nothing more is done. */
  private failed = false;
  /** Whether an applied configuration has listed this node (see HostOptions.stopWhenRemoved). */
  private wasMember = false;
  /** Removed: the process stops after REMOVED_STOP_DELAY_TICKS. */
  private stopping = false;
  /** Ticks since a Raft message last came in (see MSG_STREAM_DIAL). */
  private ticksSincePeerHeard = 0;
  /**
   * Restarted from a WAL that holds its bootstrap's configuration entries but no hard state:
   * the first Ready's write was torn before its fsync. Like etcd 3.4 (a WAL exists, so it
   * restarts rather than bootstraps, with an empty configuration), it cannot campaign until
   * a leader reaches it; if every member is so, no leader ever will.
   */
  readonly bootstrapLost: boolean;

  constructor(
    readonly ctx: NodeContext,
    readonly opts: HostOptions,
  ) {
    this.id = ctx.id;
    this.bugs = opts.bugs ?? NO_BUGS;
    if (opts.stopWhenRemoved && ctx.disk.exists(REMOVED_FILE) && ctx.disk.readDurable(REMOVED_FILE).length > 0) {
      // etcd: "the member has been permanently removed from the cluster" — it will not start.
      this.failed = true;
      ctx.setTimer(0, () => ctx.fail("permanently removed from the cluster: refusing to start"));
    }
    const wal = recoverWal(ctx.disk);
    this.persistedHard = wal.hardState;
    this.sm = opts.stateMachine(ctx);
    let smApplied = this.sm.appliedIndex();
    if (wal.snapshot) {
      const { members, image } = unwrapSnapshot(wal.snapshot.data);
      for (const id of members) this.everMembers.add(id);
      if (wal.snapshot.index > smApplied) {
        this.sm.restore(image, wal.snapshot.index, wal.snapshot.term);
        smApplied = wal.snapshot.index;
      }
    }
    this.smSkipTo = smApplied;
    const fresh = wal.records === 0;
    this.bootstrapLost = !fresh && opts.peers.length > 0 && wal.snapshot === undefined && wal.hardState.term === 0 && wal.entries.length > 0;
    const removedAsLeaderAt = fresh ? 0 : this.readRemovedWhileLeading();
    if (removedAsLeaderAt > 0) this.wasMember = true;
    this.rn = new RawNode(
      {
        ...(opts.raft ?? {}),
        // A host that stops its removed member lets a removed leader lead on until then.
        ...(opts.stopWhenRemoved ? { stepDownOnRemoval: false } : {}),
        id: this.id,
        rand: ctx.rng("raft-election"),
        peers: fresh ? opts.peers : [],
        bugs: this.bugs,
      },
      fresh ? undefined : { hardState: wal.hardState, snapshot: wal.snapshot, entries: wal.entries, ...(removedAsLeaderAt > 0 ? { removedAsLeaderAt } : {}) },
    );
    opts.observer?.onStart?.(this);
    this.traceRole();
    // Start ticking at a random phase so nodes' ticks are not aligned.
    const phaseUs = opts.alignedTicks ? opts.tickUs : ctx.rng("tick-phase").int(1, opts.tickUs + 1);
    this.tickTimer = ctx.setTimer(phaseUs, () => this.onTick());
    this.lastTickMonoUs = ctx.monotonicUs() + phaseUs - opts.tickUs;
    this.processReady();
  }

  private now(): number {
    return this.opts.traceNowUs ? this.opts.traceNowUs() : this.ctx.nowUs();
  }

  // ---- NodeProgram -------------------------------------------------------------------

  onMessage(from: NodeId, msgType: string, payload: unknown): void {
    if (this.opts.stopWhenRemoved && !this.failed) {
      if (msgType === MSG_MEMBER_REMOVED) {
        // A removed leader stops only once C_new has heard (Raft.removalSettled); the notice
        // counts as its sender having heard.
        this.rn.raft.noteRemovalApplied(from);
        if (!this.rn.raft.removalSettled()) return;
        return this.stopRemoved("the member has been permanently removed from the cluster");
      }
      // Any peer traffic, not only Raft's: etcd's forwarded proposals and lease calls travel
      // over the same peer transport, which turns away a removed member. A learner removed
      // while cut off sends no Raft message at all, only its clients' forwarded writes, and
      // would otherwise go on answering them (with timeouts) for ever.
      if (this.removedPeer(from)) {
        this.ctx.send(from, MSG_MEMBER_REMOVED, null, { bytes: 64 });
        return;
      }
    }
    // A dial from a member still in the configuration: the stream is up, nothing to answer.
    if (msgType === MSG_STREAM_DIAL) return;
    if (!isRaftType(msgType)) {
      this.opts.onOtherMessage?.(from, msgType, payload);
      return;
    }
    if (this.failed) return;
    this.ticksSincePeerHeard = 0;
    this.rn.step(payload as Message);
    this.processReady();
  }

  /**
   * A paused process fires its tick timer once on resume, but a tick stands for time gone
   * by: a leader that lost the ticks of a pause would think its lease still good (thesis
   * §6.4.1) while another leader has been elected. So the ticks the pause swallowed are
   * ticked now, counted on the monotonic clock (up to a bound that outlasts any lease or
   * election timeout), and the next tick keeps its phase: by the time a node resumes it has
   * ticked as often as if it had never paused. etcd's ticker drops them instead; lease reads
   * are where that shows.
   */
  onResume(): void {
    if (this.failed) return;
    // Every tick the pause swallowed, counted from the last tick (not from the pause: the
    // part of a period before it counts too), and the next one at its own time, not a whole
    // period from now. Losing those fractions lengthened a leader's lease past the bound
    // (thesis §6.4.1): raftsim fuzz --seed 303 --nodes 3 --cycles 8, run 41607, a leader
    // paused under the aimed clock skew (docs/FINDINGS.md, session 30).
    const sinceUs = this.ctx.monotonicUs() - this.lastTickMonoUs;
    const due = Math.floor(sinceUs / this.opts.tickUs);
    if (due < 1 || this.tickTimer === undefined) return; // no tick came due: its timer is still pending
    this.ctx.cancelTimer(this.tickTimer); // the deferred one: its tick is counted here
    const electionTicks = this.opts.raft?.electionTicks ?? 10;
    const catchUp = Math.min(due, CATCH_UP_ELECTION_TIMEOUTS * electionTicks);
    for (let i = 0; i < catchUp; i++) {
      this.ticks++;
      this.rn.tick();
    }
    this.lastTickMonoUs += due * this.opts.tickUs;
    this.tickTimer = this.ctx.setTimer(this.opts.tickUs - (sinceUs - due * this.opts.tickUs), () => this.onTick());
    this.processReady();
  }

  private onTick(): void {
    if (this.failed) return;
    this.lastTickMonoUs = this.ctx.monotonicUs();
    this.tickTimer = this.ctx.setTimer(this.opts.tickUs, () => this.onTick());
    this.ticks++;
    this.rn.tick();
    if (this.opts.stopWhenRemoved) this.maybeDialPeers();
    const every = this.opts.nodeStateEveryTicks ?? 10;
    if (every > 0 && this.ticks % every === 0) this.traceNodeState();
    this.processReady();
  }

  // ---- API for the server on top -----------------------------------------------------

  status(): Status {
    return this.rn.status();
  }

  /**
   * Stopped serving: an fsync failed, or the member learned it was removed. Nothing more is
   * ticked, stepped or answered; the process exits once its removal mark is durable (which a
   * stalled disk can hold up), and until then it may still say it is leader.
   */
  /** How many times this incarnation has ticked its RawNode (ticks a pause swallowed included). */
  get ticksTotal(): number {
    return this.ticks;
  }

  get stopped(): boolean {
    return this.failed;
  }

  isLeader(): boolean {
    return this.rn.raft.role === "leader";
  }

  /** Proposes `data`; cb runs once it is applied here (ok) or known not to be (failed). */
  propose(data: Uint8Array, cb: ProposeCallback): void {
    const r = this.rn.propose(data);
    if (!r.ok) return cb(r);
    this.proposals.set(r.index, { term: r.term, cb });
    this.opts.observer?.onPropose?.(this, r.index, r.term);
    this.processReady();
  }

  /** Proposes every payload as one batch (one append per follower); cb runs once per entry, in order. */
  proposeBatch(datas: readonly Uint8Array[], cb: ProposeCallback): void {
    const r = this.rn.proposeBatch(datas);
    if (!r.ok) {
      for (let i = 0; i < Math.max(1, datas.length); i++) cb(r);
      return;
    }
    for (let index = r.index - datas.length + 1; index <= r.index; index++) {
      this.proposals.set(index, { term: r.term, cb });
      this.opts.observer?.onPropose?.(this, index, r.term);
    }
    this.processReady();
  }

  proposeConfChange(cc: ConfChange, cb?: ProposeCallback): void {
    const r = this.rn.proposeConfChange(cc);
    if (!r.ok) return cb?.(r);
    if (cb) this.proposals.set(r.index, { term: r.term, cb });
    this.processReady();
  }

  /** Linearizable read barrier (thesis §6.4): cb(ok, index) once applied >= the read index. */
  readIndex(cb: ReadCallback): void {
    const ctxId = `${this.id}.${this.ctx.nowUs()}.${++this.readSeq}`;
    const r = this.rn.readIndex(ctxId);
    if (!r.ok) return cb(r);
    // A read whose leader changed never gets an answer; give up after two election timeouts.
    const electionTicks = this.opts.raft?.electionTicks ?? 10;
    const timer = this.ctx.setTimer(2 * electionTicks * this.opts.tickUs, () => {
      if (this.reads.delete(ctxId)) cb({ ok: false, error: "read index timed out" });
    });
    this.reads.set(ctxId, { cb, index: -1, timer, asked: this.opts.observer?.onReadAsked?.(this) ?? 0 });
    this.processReady();
  }

  transferLeader(to: NodeId): { ok: true } | { ok: false; error: string } {
    const r = this.rn.transferLeader(to);
    this.processReady();
    return r;
  }

  /** Snapshots the state machine at its applied index and compacts the log behind it. */
  takeSnapshot(): Snapshot | undefined {
    if (this.busy || this.failed) return undefined;
    const applied = this.rn.raft.log.applied;
    if (applied <= this.rn.raft.log.snapIndex) return undefined;
    // After a restart the backend image can be ahead of raft, which re-walks entries the
    // state machine already holds (smSkipTo): a snapshot now would label newer data with an
    // older index. Wait until raft has caught up.
    if (this.sm.appliedIndex() > applied) return undefined;
    this.sm.skipTo?.(applied);
    const snap = this.rn.compact(applied, wrapSnapshot(this.everMembers, this.sm.snapshot()));
    this.rewriteWal(snap);
    this.appliedSinceSnapshot = 0;
    return snap;
  }

  // ---- Ready handling ----------------------------------------------------------------

  /** Tells the observer of reads the leader answered from its lease since the last report. */
  private reportLeaseReads(): void {
    // A stopped host hands no Ready on: a read its Raft counted is never answered.
    if (this.failed) return;
    const leaseReads = this.rn.raft.leaseReadsServed;
    if (leaseReads === this.leaseReadsReported) return;
    this.opts.observer?.onLeaseRead?.(this, this.rn.raft.term, leaseReads - this.leaseReadsReported);
    this.leaseReadsReported = leaseReads;
  }

  private processReady(): void {
    // Reads answered while stepping a message or a tick, then (at the end) any answered while
    // handling Ready (reads that waited for the leader's first commit): each at the moment.
    this.reportLeaseReads();
    while (!this.busy && !this.failed && this.rn.hasReady()) {
      this.busy = true;
      const rd = this.rn.ready();
      this.recordRemovalCommittedHere();
      this.persist(rd);
      const early = this.earlyMessages(rd);
      for (const m of early) this.sendMessage(m);
      if (rd.mustSync || commitsConfChange(rd)) {
        this.ctx.disk.fsync(WAL_FILE, (ok) => {
          if (!ok) {
            this.failed = true;
            this.ctx.fail("WAL fsync failed");
            return;
          }
          this.opts.observer?.onDurable?.(this, rd.entries, rd.snapshot);
          this.finishReady(rd, early);
          this.processReady();
        });
        return;
      }
      this.finishReady(rd, early);
    }
    // The evidence a removed leader waits for may come in a response that makes no Ready
    // (checked only for such a leader: this runs after every message).
    if (!this.busy && this.rn.raft.removedWhileLeadingAt() > 0) this.maybeStopRemoved();
    this.reportLeaseReads();
  }

  /** Canary bugs send some acknowledgements before the fsync that makes them true (with Raft's own mustSync only). */
  private earlyMessages(rd: Ready): readonly Message[] {
    if (!rd.mustSync) return NO_MESSAGES;
    const ackEarly = this.bugs.has("ack-before-fsync");
    const voteEarly = this.bugs.has("vote-before-persist");
    if (!ackEarly && !voteEarly) return NO_MESSAGES;
    return rd.messages.filter((m) => (ackEarly && m.type === "app-resp") || (voteEarly && (m.type === "vote-resp" || m.type === "pre-vote-resp")));
  }

  private persist(rd: Ready): void {
    if (rd.snapshot) {
      // InstallSnapshot: the log restarts at the snapshot; rewrite the WAL around it.
      this.persistedHard = rd.hardState ?? this.persistedHard;
      const enc = new WalEncoder().snapshot(rd.snapshot).hardState(this.persistedHard);
      for (const e of rd.entries) enc.entry(e);
      enc.writeTo(this.ctx.disk, "replace");
      return;
    }
    if (rd.entries.length === 0 && !rd.hardState) return;
    const enc = new WalEncoder();
    for (const e of rd.entries) enc.entry(e);
    if (rd.hardState) {
      enc.hardState(rd.hardState);
      this.persistedHard = rd.hardState;
    }
    enc.writeTo(this.ctx.disk, "append");
  }

  private rewriteWal(snap: Snapshot): void {
    const log = this.rn.raft.log;
    const enc = new WalEncoder().snapshot(snap).hardState(this.persistedHard);
    for (let i = snap.index + 1; i <= log.stabled; i++) enc.entry(log.entry(i));
    enc.writeTo(this.ctx.disk, "replace");
    this.ctx.disk.fsync(WAL_FILE, (ok) => {
      if (!ok) {
        this.failed = true;
        this.ctx.fail("WAL fsync failed");
      }
    });
  }

  private finishReady(rd: Ready, alreadySent: readonly Message[]): void {
    for (const m of rd.messages) if (!alreadySent.includes(m)) this.sendMessage(m);
    if (rd.snapshot) {
      const { members, image } = unwrapSnapshot(rd.snapshot.data);
      for (const id of members) this.everMembers.add(id);
      this.membersNotedFor = undefined;
      if (rd.snapshot.index > this.sm.appliedIndex()) this.sm.restore(image, rd.snapshot.index, rd.snapshot.term);
      this.smSkipTo = Math.max(this.smSkipTo, rd.snapshot.index);
      for (const [index, p] of this.proposals) {
        if (index <= rd.snapshot.index) {
          this.proposals.delete(index);
          p.cb({ ok: false, error: "outcome unknown: superseded by a snapshot" });
        }
      }
      this.opts.observer?.onRestore?.(this, rd.snapshot);
    }
    if (rd.hardState && rd.hardState.commit > 0) {
      const prev = this.lastCommitTraced;
      if (rd.hardState.commit > prev) {
        this.ctx.traceCommit(this.now(), rd.hardState.commit, this.rn.raft.log.term(rd.hardState.commit) ?? 0);
        this.opts.observer?.onCommit?.(this, prev + 1, rd.hardState.commit);
        this.lastCommitTraced = rd.hardState.commit;
      }
    }
    let lastApplied = -1;
    for (const e of rd.committedEntries) {
      this.opts.observer?.onApply?.(this, e);
      if (e.type === "conf-change") this.noteConfChangeMembers(e);
      if (e.index > this.smSkipTo) {
        if (e.type === "normal" && e.data.byteLength > 0) this.sm.apply(e);
        else this.sm.skipTo?.(e.index);
      }
      lastApplied = e.index;
      const p = this.proposals.get(e.index);
      if (p) {
        this.proposals.delete(e.index);
        p.cb(p.term === e.term ? { ok: true, index: e.index, term: e.term } : { ok: false, error: "proposal dropped (overwritten by a new leader)" });
      }
    }
    this.rn.advance(rd);
    this.maybeStopRemoved();
    this.noteMembers();
    if (lastApplied > 0) {
      this.ctx.traceApply(this.now(), lastApplied);
      this.appliedSinceSnapshot += rd.committedEntries.length;
    }
    for (const rs of rd.readStates) {
      const r = this.reads.get(rs.context);
      if (r) r.index = rs.index;
    }
    this.serveReads();
    this.traceRole();
    this.busy = false;
    const every = this.opts.snapshotEntries ?? 0;
    if (every > 0 && this.appliedSinceSnapshot >= every) this.takeSnapshot();
  }

  private lastCommitTraced = 0;
  private leaseReadsReported = 0;

  /**
   * Every member an applied configuration listed or a configuration entry named, and those
   * the snapshot it was rebuilt from carried (etcd keeps removed IDs in its backend).
   */
  private readonly everMembers = new Set<NodeId>();
  /** Those of them the applied configuration no longer lists: recomputed when it changes, looked up per message. */
  private removedPeers = new Set<NodeId>();
  private membersNotedFor: ConfState | undefined;

  private noteMembers(): void {
    const conf = this.rn.raft.conf;
    if (conf === this.membersNotedFor) return;
    this.membersNotedFor = conf;
    const current = allMembers(conf);
    for (const id of current) this.everMembers.add(id);
    this.removedPeers = new Set([...this.everMembers].filter((id) => id !== this.id && !current.includes(id)));
  }

  /**
   * Every node a configuration entry names was a member, even where one Ready applies both its
   * addition and its removal, as a restart's replay of its log does: sampling the
   * configuration after each Ready missed it, and a restarted member answered a removed one's
   * forwarded requests instead of turning it away (seed 139 at 12 rounds, 2 members, run 2948).
   */
  private noteConfChangeMembers(e: Entry): void {
    let added = false;
    for (const change of decodeConfChange(e.data).changes) {
      if (this.everMembers.has(change.node)) continue;
      this.everMembers.add(change.node);
      added = true;
    }
    // Recomputed after this Ready's advance (noteMembers).
    if (added) this.membersNotedFor = undefined;
  }

  /** A node that was a member and is no longer in the applied configuration. */
  private removedPeer(id: NodeId): boolean {
    return this.removedPeers.has(id);
  }

  /** Stops a member its applied configuration left out, once nobody can need it (see below). */
  private maybeStopRemoved(): void {
    if (this.stopping || this.failed || !this.removedNow()) return;
    // Kept by every host, stopping or not: a removed leader that forgot across a restart
    // that it led would count as settled and never campaign again, though C_new's only
    // voter, still in C_old,new, waits for its vote (Raft property seed 26001, run 3738: one
    // member grew to two, removed the first while it led, which crashed before the other
    // heard the removal committed).
    if (!this.rn.raft.removalSettled()) {
      this.noteRemovedWhileLeading();
      return;
    }
    if (!this.opts.stopWhenRemoved) return;
    // A member removed while it led waits until C_new is known to have heard that its
    // removal committed (Raft.removalSettled): stopping sooner, as etcd does, can leave the
    // remaining members in C_old,new needing its vote for good (seed 69 at 8 rounds, run
    // 2340: a partition cut the leader off just after its removal committed).
    // Record the removal durably first, as etcd's backend remembers removed member IDs: a
    // later restart then refuses to start instead of running as a non-member. (A crash
    // before the fsync loses the mark, but the WAL still holds the removal, which the
    // restarted member applies again, and stops again.) Then stop after a delay, as etcd
    // does (stopWithDelay, 1 s: ten of its default ticks), for answers still on the way.
    this.stopping = true;
    this.markRemoved(() => this.ctx.setTimer(REMOVED_STOP_DELAY_TICKS * this.opts.tickUs, () => this.ctx.fail("removed from the cluster")));
  }

  private removedWhileLeadingNoted = false;

  /** Keeps Raft.removedWhileLeadingAt on disk for a restart (see REMOVED_WHILE_LEADING_FILE). */
  private noteRemovedWhileLeading(): void {
    this.writeRemovedWhileLeading(this.rn.raft.removedWhileLeadingAt());
  }

  /**
   * This leader just committed its own removal: the record goes to disk before the Ready that
   * carries the new commit index, and its fsync is queued before the WAL's (one disk, served
   * in order), so no restart finds that commit index without it.
   */
  private recordRemovalCommittedHere(): void {
    this.writeRemovedWhileLeading(this.rn.raft.ownRemovalCommittedAt);
  }

  private writeRemovedWhileLeading(at: number): void {
    if (this.removedWhileLeadingNoted || at === 0) return;
    this.removedWhileLeadingNoted = true;
    this.ctx.disk.write(REMOVED_WHILE_LEADING_FILE, new TextEncoder().encode(String(at)), "replace");
    this.ctx.disk.fsync(REMOVED_WHILE_LEADING_FILE, (ok) => {
      // As for the WAL: a member that cannot keep what it must remember stops.
      if (!ok && !this.failed) {
        this.failed = true;
        this.ctx.fail("removed-while-leading fsync failed");
      }
    });
  }

  private readRemovedWhileLeading(): number {
    if (!this.ctx.disk.exists(REMOVED_WHILE_LEADING_FILE)) return 0;
    const text = new TextDecoder().decode(this.ctx.disk.readDurable(REMOVED_WHILE_LEADING_FILE));
    const at = Number(text);
    // A torn or empty write reads as nothing: the member then restarts as a plain removed one.
    return Number.isInteger(at) && at > 0 ? at : 0;
  }

  /** Told by a peer that it was removed (it never applied its own removal): mark it durably and stop. */
  private stopRemoved(reason: string): void {
    this.failed = true;
    this.markRemoved(() => this.ctx.fail(reason));
  }

  /**
   * Records the removal durably, as etcd's backend remembers removed member IDs: a later
   * restart then refuses to start instead of running as a non-member.
   */
  private markRemoved(then: () => void): void {
    this.ctx.disk.write(REMOVED_FILE, REMOVED_MARK, "replace");
    this.ctx.disk.fsync(REMOVED_FILE, (ok) => {
      // As for the WAL (etcd panics on a failed fsync): a member that cannot keep the mark stops now.
      if (!ok) {
        this.failed = true;
        this.ctx.fail("removed-mark fsync failed");
        return;
      }
      then();
    });
  }

  /** A learner that has heard no peer for an election timeout dials the members it knows (see MSG_STREAM_DIAL). */
  private maybeDialPeers(): void {
    if (this.stopping) return;
    if (++this.ticksSincePeerHeard < (this.opts.raft?.electionTicks ?? 10)) return;
    this.ticksSincePeerHeard = 0;
    const conf = this.rn.raft.conf;
    if (isVoter(conf, this.id) || !conf.learners.includes(this.id)) return;
    for (const peer of allMembers(conf)) if (peer !== this.id) this.ctx.send(peer, MSG_STREAM_DIAL, null, { bytes: 64 });
  }

  private removedNow(): boolean {
    const conf = this.rn.raft.conf;
    const member = isVoter(conf, this.id) || conf.learners.includes(this.id);
    if (member) this.wasMember = true;
    // A restart may replay its removal within one Ready, never seen as a member between two:
    // Raft remembers applying it.
    return !member && (this.wasMember || this.rn.raft.removedAt() > 0);
  }
  private readonly sendMeta: { term: number; bytes: number } = { term: 0, bytes: 0 };

  private serveReads(): void {
    if (this.reads.size === 0) return;
    const applied = this.rn.raft.log.applied;
    for (const [ctxId, r] of this.reads) {
      if (r.index >= 0 && r.index <= applied) {
        this.reads.delete(ctxId);
        this.ctx.cancelTimer(r.timer);
        this.opts.observer?.onReadAnswered?.(this, r.index, r.asked);
        r.cb({ ok: true, index: r.index });
      }
    }
  }

  private sendMessage(m: Message): void {
    this.opts.observer?.onSend?.(this, m);
    if (m.type === "vote-resp") {
      this.ctx.trace({ tUs: this.now(), type: "vote", node: this.id, term: m.term, votedFor: m.reject ? this.rn.raft.vote : m.to, granted: !m.reject, candidate: m.to });
    }
    let bytes = 64;
    if (m.entries) for (const e of m.entries) bytes += 24 + e.data.byteLength;
    if (m.snapshot) bytes += m.snapshot.data.byteLength;
    // One meta object per host, refilled per message: the network reads it during send only.
    const meta = this.sendMeta;
    meta.term = m.term;
    meta.bytes = bytes;
    this.ctx.send(m.to, m.type, m, meta);
  }

  private traceRole(): void {
    const r = this.rn.raft;
    const role: TraceRole = r.role === "follower" && !isVoter(r.conf, this.id) && r.conf.learners.includes(this.id) ? "learner" : r.role;
    const last = this.lastTraced;
    if (last.role === role && last.term === r.term && last.lead === r.lead) return;
    this.lastTraced = { role, term: r.term, lead: r.lead };
    this.ctx.trace({ tUs: this.now(), type: "role", node: this.id, role, term: r.term, leader: r.lead === 0 ? null : r.lead });
    this.opts.observer?.onRole?.(this, role, r.term, r.lead);
    if (r.role !== "leader") this.failPendingReadsIfLeaderless();
  }

  private failPendingReadsIfLeaderless(): void {
    // Reads wait for their timeout unless we know no answer can come.
  }

  traceNodeState(): void {
    const s = this.rn.status();
    this.ctx.trace({ tUs: this.now(), type: "node-state", node: this.id, term: s.term, vote: s.vote === 0 ? null : s.vote, commit: s.commit, applied: s.applied, logLength: s.lastIndex });
  }
}

export function raftProgram(opts: HostOptions): (ctx: NodeContext) => NodeProgram {
  return (ctx) => new RaftHost(ctx, opts);
}

/**
 * A Ready that applies a configuration change: its commit index is synced first, though
 * Raft needs no sync for a commit index alone (etcd's MustSync does not either). A member
 * that applied a change and then lost its commit index to a power cut restarts with the
 * change in its log but not known committed, under the old configuration: alone in the new
 * one after the others were removed, it then waits forever for a removed member's vote
 * (clean campaigns: seed 14 run 18929, seed 15 run 20521). Changes are rare, so the extra
 * fsync costs nothing that matters.
 */
function commitsConfChange(rd: Ready): boolean {
  // Whether or not this Ready carries the new commit index: an earlier one may have written
  // it unsynced, and the fsync covers everything written before it.
  return rd.committedEntries.some((e) => e.type === "conf-change");
}
