// One Raft node's protocol state (Raft paper §5, thesis ch. 3–6). Shared mechanics live
// here; the per-role reactions to messages are stepLeader / stepFollower / stepCandidate
// (etcd-io/raft's structure). Purely synchronous: outgoing messages are queued in `msgs`
// and only leave through Ready, after what they depend on is durable.
import { assert } from "../assert";
import { allMembers, applyConfChange, decodeConfChange, encodeConfChange, isJoint, isVoter, validateConfChange } from "./confchange";
import type { RaftConfig, RaftStorage, ResolvedConfig } from "./config";
import { resolveConfig } from "./config";
import { RaftLog } from "./log";
import { Progress } from "./progress";
import { jointValue, jointVote, majorityValue, type VoteResult } from "./quorum";
import { stepCandidate } from "./step_candidate";
import { stepFollower } from "./step_follower";
import { stepLeader } from "./step_leader";
import type { ConfChange, ConfState, Entry, Message, MessageType, NodeId, ReadState, Role, Snapshot } from "./types";
import { EMPTY_CONF, NONE } from "./types";

/** Most entries one proposeBatch takes (a limit on the work one call can queue). */
export const PROPOSE_BATCH_MAX = 10_000;

export type ProposeResult = { ok: true; index: number; term: number } | { ok: false; error: string };

export interface PendingRead {
  readonly context: string;
  readonly index: number;
  readonly from: NodeId;
  readonly acks: Map<NodeId, boolean>;
}

type CampaignKind = "pre-vote" | "vote" | "transfer";

export class Raft {
  readonly cfg: ResolvedConfig;
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = "follower";
  readonly log: RaftLog;
  conf: ConfState = EMPTY_CONF;
  /**
   * The configuration this node, as leader, last advanced its commit index under. A
   * configuration takes effect when applied, so it may have changed by the time the host
   * reports the commit; the harness judges the commit by this one.
   */
  commitConf: ConfState = EMPTY_CONF;
  /** The configuration this node last won an election under, judged by the harness likewise. */
  electionConf: ConfState = EMPTY_CONF;
  prs = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  /** Monotonic tick counter of this node (lease bookkeeping). */
  tickCount = 0;
  leadTransferee: NodeId = NONE;
  /**
   * Set once this leader has sent TimeoutNow: the target may then campaign at once, past the
   * followers' lease check, whenever that message arrives — even after the transfer was
   * given up. So no read is served from the lease for the rest of this leadership.
   */
  leaseVoided = false;
  /**
   * Under lease-based reads, a node that restarts from its storage refuses votes until this
   * tick (an election timeout after the restart). Before it crashed it may have acknowledged
   * the heartbeat a leader's lease rests on, and the lease assumes it will not vote for an
   * election timeout after that (thesis §6.4.1, §4.2.3), but that memory does not survive a
   * restart: quick restarts of a quorum of followers could elect a new leader inside the
   * old one's lease. Found by `raftsim fuzz --cycles 3 --seed 13`, run 10767.
   */
  private votesRefusedUntilTick = 0;
  /** Index of the last conf change appended by this leader; one change at a time (§4.1). */
  pendingConfIndex = 0;
  /** A leader removed by C_new, waiting for C_new's voters to hold its log (maybeStepDownRemoved). */
  private stepDownPending = false;
  /**
   * Index of the configuration entry that removed this node while it led (0: not removed
   * while leading). Configurations apply at commit, so C_new's voters stay in C_old,new, and
   * may need this node's vote, until they hear that entry committed; this node alone may know
   * it. Until a quorum of C_new is known to have heard (removalSettled), it may campaign again
   * (see promotable) rather than leave them waiting for a vote it refuses. Kept durably
   * by the host, if it keeps it (RaftStorage.removedAsLeaderAt): otherwise a restarted node
   * does not know it led, and counts as settled.
   */
  private removedAsLeaderAt = 0;
  /** Index of the applied configuration entry that took this node out of the cluster (0: none). */
  private removedAtIndex = 0;
  /** Evidence came that C_new knows (see removalSettled); it never goes stale. */
  private removalKnown = false;
  /** Highest commit index a leader has told this node: that leader knew that much committed. */
  private leaderCommitSeen = 0;
  /**
   * Index of the entry removing this node (as voter) that it committed itself, as leader; 0
   * if none. Set as the commit happens, before the Ready carrying the new commit index is
   * written, so a host can make its removed-while-leading record durable first: a restart
   * that found that commit index in the WAL without the record would apply the removal as a
   * plain removed member and stop. And a Ready's committed entries apply after its fsync: a
   * vote request stepped in meanwhile can make this leader a follower by the time the removal
   * applies, and it is still the one member that knows (seed 127 at 12 rounds, 2 members,
   * run 1949).
   */
  ownRemovalCommittedAt = 0;
  /** Members that told this node they applied its removal (so they know it committed). */
  private readonly removalAppliedBy = new Set<NodeId>();
  pendingReads: PendingRead[] = [];
  /** Reads answered from the leader lease (thesis §6.4.1), counted so a host can report each one. */
  leaseReadsServed = 0;
  /** Read requests that arrived before this leader committed an entry of its term (§6.4 step 1). */
  readsAwaitingCommit: Message[] = [];
  /** The latest snapshot this node holds durably (sent to followers that are too far behind). */
  snapshot: Snapshot | undefined;

  /** Canary joint-quorum-incoming-only, read once: maybeCommit runs on every append response. */
  private readonly incomingQuorumOnly: boolean;
  /** Canary learner-counts-for-commit, read once for the same reason. */
  private readonly learnersCountForCommit: boolean;

  constructor(config: RaftConfig, storage?: RaftStorage) {
    this.cfg = resolveConfig(config);
    this.incomingQuorumOnly = this.cfg.bugs.has("joint-quorum-incoming-only");
    this.learnersCountForCommit = this.cfg.bugs.has("learner-counts-for-commit");
    this.id = this.cfg.id;
    this.log = new RaftLog(this.cfg.bugs);
    const empty = !storage || (storage.hardState.term === 0 && storage.entries.length === 0 && !storage.snapshot);
    if (!empty) {
      const s = storage!;
      if (s.snapshot) {
        this.log.snapIndex = this.log.committed = this.log.applied = s.snapshot.index;
        this.log.snapTerm = s.snapshot.term;
        this.conf = s.snapshot.confState;
        this.snapshot = s.snapshot;
      }
      for (const e of s.entries) {
        assert(e.index === this.log.lastIndex() + 1, () => `restored entry ${e.index} not contiguous after ${this.log.lastIndex()}`);
        this.log.entries.push(e);
      }
      this.log.stabled = this.log.lastIndex();
      this.term = s.hardState.term;
      this.vote = s.hardState.vote;
      assert(s.hardState.commit <= this.log.lastIndex(), () => `restored commit ${s.hardState.commit} beyond log ${this.log.lastIndex()}`);
      this.log.commitTo(s.hardState.commit);
      this.removedAsLeaderAt = s.removedAsLeaderAt ?? 0;
      if (this.cfg.readOnlyOption === "lease-based") this.votesRefusedUntilTick = this.cfg.electionTicks;
    } else if (this.cfg.peers.length > 0) {
      // Bootstrap: the initial configuration is the first committed entry, so members that
      // join later learn it by replication like any other change.
      const cc: ConfChange = { changes: [...this.cfg.peers].sort((a, b) => a - b).map((node) => ({ op: "add-voter" as const, node })) };
      this.log.append([{ index: 1, term: 1, type: "conf-change", data: encodeConfChange(cc) }]);
      this.term = 1;
      this.log.commitTo(1);
    }
    this.rebuildProgress();
    this.becomeFollower(this.term, NONE);
  }

  // ---- roles (§5.2) ----------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    // §5.2: randomized timeouts in [ET, electionTicksMax] (default [ET, 2ET)) make split votes rare.
    this.randomizedElectionTimeout = this.cfg.rand.int(this.cfg.electionTicks, this.cfg.electionTicksMax + 1);
    this.leadTransferee = NONE;
    this.leaseVoided = false;
    this.votes.clear();
    for (const [, pr] of this.prs) this.resetProgress(pr);
    this.pendingConfIndex = 0;
    this.stepDownPending = false;
    this.pendingReads = [];
    this.readsAwaitingCommit = [];
  }

  private resetProgress(pr: Progress): void {
    pr.match = 0;
    pr.next = this.log.lastIndex() + 1;
    pr.becomeProbe();
    pr.next = this.log.lastIndex() + 1;
    pr.recentActive = false;
    pr.ackedLeaseTick = Number.NEGATIVE_INFINITY;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = "follower";
  }

  private becomePreCandidate(): void {
    assert(this.role !== "leader", "leader cannot become pre-candidate");
    // §9.6: pre-vote does not touch term or vote, so a partitioned node cannot disrupt.
    this.votes.clear();
    this.lead = NONE;
    this.role = "pre-candidate";
  }

  private becomeCandidate(): void {
    assert(this.role !== "leader", "leader cannot become candidate");
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = "candidate";
  }

  becomeLeader(): void {
    assert(this.role === "candidate", () => `only a candidate becomes leader (was ${this.role})`);
    this.reset(this.term);
    this.lead = this.id;
    this.role = "leader";
    this.electionConf = this.conf;
    this.uncommittedBytes = 0;
    const self = this.prs.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.match = this.log.stabled;
      self.recentActive = true;
    }
    // No conf change may be proposed before everything in the log is applied, because
    // some of it may be an uncommitted conf change from an earlier term.
    this.pendingConfIndex = this.log.lastIndex();
    // §8 / thesis §6.4: a no-op entry of the new term lets the leader learn the commit index.
    this.appendEntries([{ type: "normal", data: new Uint8Array(0) }]);
    this.maybeAutoLeave(false);
    // A removed node elected again (see removedAsLeaderAt) leads only until C_new knows.
    if (!isVoter(this.conf, this.id) && this.cfg.stepDownOnRemoval) this.stepDownPending = true;
  }

  promotable(): boolean {
    return (isVoter(this.conf, this.id) || !this.removalSettled()) && this.log.pendingSnapshot === undefined;
  }

  /** The index of the applied entry that removed this node (as voter or learner), 0 if none. */
  removedAt(): number {
    return this.removedAtIndex;
  }

  /** The index of the entry that removed this node while it led, 0 if none (see removedAsLeaderAt). */
  removedWhileLeadingAt(): number {
    return this.removedAsLeaderAt;
  }

  /**
   * Whether no member can still need this removed node: true unless it was removed while
   * leading and has no evidence yet that C_new knows. Evidence: a leader told it a commit
   * index past its removal; or one voter of C_new told it that it applied the removal
   * (noteRemovalApplied); or a quorum of C_new reported such a commit index in responses to
   * this node as leader. A host that stops removed members waits for this.
   */
  removalSettled(): boolean {
    if (this.removedAsLeaderAt === 0 || this.removalKnown) return true;
    // One voter of C_new that applied it is enough: it holds the removal committed and runs
    // in C_new alone, so a quorum of C_new can elect it (its log is the more up to date) and
    // it brings the rest on. Waiting for a quorum instead can wait for ever: C_new's other
    // voters may since have been removed and stopped, and without check-quorum nothing
    // deposes this node, which goes on leading its term for the clients that still reach it
    // (seed 149 with 3 members at 10 rounds, run 12974). A learner's word is not (seed 112).
    this.removalKnown =
      this.leaderCommitSeen >= this.removedAsLeaderAt ||
      this.removalAppliedByVoter() ||
      // Only a leader hears commit indexes in responses. And not while the configuration is
      // still empty (a restart before its log's configuration entries are applied again): an
      // empty configuration counts as agreed on everything, which settled a restarted removed
      // leader at once, and C_new's voter, still in C_old,new, waited for its vote for good
      // (seed 173 with 2 members at 12 rounds, run 3618).
      (this.role === "leader" && this.conf.voters.length > 0 &&
        jointValue(this.conf, (id) => this.prs.get(id)?.commitKnown ?? 0) >= this.removedAsLeaderAt);
    return this.removalKnown;
  }

  /** Whether a voter of this node's configuration has said it applied this node's removal. */
  private removalAppliedByVoter(): boolean {
    for (const id of this.removalAppliedBy) if (isVoter(this.conf, id)) return true;
    return false;
  }

  /**
   * Member `from` says it applied this node's removal (etcd's peers turn a removed member
   * away): it knows the removal committed. A voter of C_new that applied it settles the
   * removal (removalSettled); a learner is none of C_new: a removed leader that stopped on a
   * learner's word left C_new's only voter, which had not heard, waiting for its vote for
   * good (seed 112 at 12 rounds, run 1923).
   */
  noteRemovalApplied(from: NodeId): void {
    this.removalAppliedBy.add(from);
  }

  // ---- time ------------------------------------------------------------------------

  tick(): void {
    this.tickCount++;
    if (this.role === "leader") this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step({ type: "hup", from: this.id, to: this.id, term: 0 });
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      // §6.2 check-quorum: a leader that heard from no quorum in an election timeout steps down.
      // Not a removed one (see maybeStepDownRemoved): it takes no entries, and it alone can
      // still tell C_new's voters that C_new committed, which they need to lead without it.
      if (this.cfg.checkQuorum && !this.quorumActive() && !this.removedLeader()) {
        this.becomeFollower(this.term, NONE);
        return;
      }
      // Thesis §3.10: a transfer that has not completed in an election timeout is aborted.
      if (this.leadTransferee !== NONE) this.leadTransferee = NONE;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(undefined);
    }
    // A snapshot that got lost is retried after an election timeout.
    for (const [id, pr] of this.prs) {
      if (id !== this.id && pr.state === "snapshot" && this.tickCount - pr.snapshotSentTick > this.cfg.electionTicks) pr.becomeProbe();
    }
  }

  private quorumActive(): boolean {
    const votes = new Map<NodeId, boolean>();
    for (const [id, pr] of this.prs) {
      votes.set(id, id === this.id || pr.recentActive);
      if (id !== this.id) pr.recentActive = false;
    }
    return jointVote(this.conf, votes) === "won";
  }

  // ---- messages --------------------------------------------------------------------

  /** `from` is set only to pass a message on as it came (a follower forwarding to its leader). */
  send(m: Omit<Message, "from" | "term"> & { term?: number; from?: NodeId }): void {
    // Every message gets the same object shape (absent fields undefined), which keeps the
    // code that reads messages monomorphic; a spread made a new shape per call site.
    this.msgs.push({
      type: m.type,
      from: m.from ?? this.id,
      to: m.to,
      term: m.term ?? this.term,
      logTerm: m.logTerm,
      index: m.index,
      entries: m.entries,
      commit: m.commit,
      reject: m.reject,
      rejectHint: m.rejectHint,
      snapshot: m.snapshot,
      context: m.context,
      leaseTick: m.leaseTick,
    });
  }

  step(m: Message): void {
    if (m.term === 0) {
      // local message
    } else if (m.term > this.term) {
      if (m.type === "vote" || m.type === "pre-vote") {
        const force = m.context === "transfer";
        const inLease = this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTicks;
        // Thesis §4.2.3: ignore candidates while we believe a leader is alive, so a
        // removed or partitioned server cannot depose a healthy leader.
        if (!force && inLease) return;
        // Just restarted: a leader we acknowledged before the crash may still hold its lease.
        if (!force && this.tickCount < this.votesRefusedUntilTick) return;
      }
      if (m.type === "pre-vote" || (m.type === "pre-vote-resp" && !m.reject)) {
        // Pre-votes are about a future term; the term only moves on a real election.
      } else if (m.type === "app" || m.type === "heartbeat" || m.type === "snap") {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === "heartbeat" || m.type === "app")) {
        // A stale leader cut off by a partition learns our term and steps down; without
        // this it would never hear of the newer term under pre-vote/check-quorum (§9.6).
        this.send({ type: "app-resp", to: m.from });
      } else if (m.type === "pre-vote") {
        this.send({ type: "pre-vote-resp", to: m.from, reject: true });
      }
      return;
    }

    switch (m.type) {
      case "hup":
        this.hup(m.context === "transfer" ? "transfer" : this.cfg.preVote ? "pre-vote" : "vote");
        return;
      case "vote":
      case "pre-vote":
        this.handleVoteRequest(m);
        return;
      default:
        if (this.role === "leader") stepLeader(this, m);
        else if (this.role === "follower") stepFollower(this, m);
        else stepCandidate(this, m);
    }
  }

  private handleVoteRequest(m: Message): void {
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === "pre-vote" && m.term > this.term);
    const respType: MessageType = m.type === "vote" ? "vote-resp" : "pre-vote-resp";
    if (canVote && (this.log.isUpToDate(m.index!, m.logTerm!) || this.cfg.bugs.has("vote-ignores-log"))) {
      // §5.2/§5.4.1: grant. The response carries the request's term (a pre-vote is for the
      // future term). The vote is recorded now and the Ready carrying this message also
      // carries the new HardState, which the host persists before sending (Figure 2).
      this.send({ type: respType, to: m.from, term: m.term, reject: false });
      if (m.type === "vote") {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, to: m.from, reject: true });
    }
  }

  private hup(kind: CampaignKind): void {
    if (this.role === "leader") return;
    if (!this.promotable()) return;
    // A node must not campaign with a configuration it has not finished applying.
    for (const e of this.log.nextCommittedEntries()) if (e.type === "conf-change") return;
    this.campaign(kind);
  }

  campaign(kind: CampaignKind): void {
    let voteTerm: number;
    let type: MessageType;
    if (kind === "pre-vote") {
      this.becomePreCandidate();
      voteTerm = this.term + 1;
      type = "pre-vote";
    } else {
      this.becomeCandidate();
      voteTerm = this.term;
      type = "vote";
    }
    if (this.poll(this.id, true) === "won") {
      // Single-voter configuration.
      if (kind === "pre-vote") this.campaign("vote");
      else this.becomeLeader();
      return;
    }
    for (const id of this.voterIds()) {
      if (id === this.id) continue;
      this.send({
        type,
        to: id,
        term: voteTerm,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        context: kind === "transfer" ? "transfer" : undefined,
      });
    }
  }

  /** The configuration commits and elections count by: this.conf, but for a canary. */
  private quorumConf(): ConfState {
    if (!this.incomingQuorumOnly || this.conf.votersOutgoing.length === 0) return this.conf;
    return { voters: this.conf.voters, votersOutgoing: [], learners: this.conf.learners };
  }

  poll(id: NodeId, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    return jointVote(this.quorumConf(), this.votes, this.cfg.bugs.has("vote-quorum-half"));
  }

  voterIds(): NodeId[] {
    return [...new Set([...this.conf.voters, ...this.conf.votersOutgoing])].sort((a, b) => a - b);
  }

  /** Ids of every member but us, ascending. */
  peerIds(): readonly NodeId[] {
    // Recomputed only when the configuration object changes (ConfState is immutable).
    if (this.peerIdsConf !== this.conf) {
      this.peerIdsCache = allMembers(this.conf).filter((id) => id !== this.id);
      this.peerIdsConf = this.conf;
    }
    return this.peerIdsCache;
  }

  private peerIdsConf: ConfState | undefined;
  private peerIdsCache: readonly NodeId[] = [];

  // ---- replication (§5.3) ------------------------------------------------------------

  appendEntries(ents: { type: Entry["type"]; data: Uint8Array }[]): { index: number; term: number } {
    let index = this.log.lastIndex();
    const full: Entry[] = ents.map((e) => ({ index: ++index, term: this.term, type: e.type, data: e.data }));
    this.log.append(full);
    if (this.cfg.maxUncommittedEntriesBytes > 0) for (const e of ents) this.uncommittedBytes += e.data.byteLength;
    // The leader's own match advances only when the host reports the entries durable
    // (onStable), so a commit never counts a copy that a crash could still lose.
    return { index, term: this.term };
  }

  /** Called by RawNode.advance when the host made the log durable up to log.stabled. */
  onStable(): void {
    if (this.role !== "leader") return;
    const self = this.prs.get(this.id);
    if (self && self.maybeUpdate(this.log.stabled)) {
      if (this.maybeCommit()) this.bcastAppend();
    }
  }

  /**
   * §5.3/§5.4.2: commit the highest index replicated on a quorum, but only when that
   * entry is of the current term (Figure 8); older entries commit indirectly.
   */
  maybeCommit(): boolean {
    const mci = this.learnersCountForCommit && this.conf.learners.length > 0 ? this.commitCountingLearners() : jointValue(this.quorumConf(), (id) => this.prs.get(id)?.match ?? 0);
    if (mci <= this.log.committed || !Number.isFinite(mci)) return false;
    if (this.log.term(mci) !== this.term && !this.cfg.bugs.has("commit-prior-term")) return false;
    const before = this.log.committed;
    this.log.commitTo(mci);
    if (this.cfg.maxUncommittedEntriesBytes > 0) this.releaseUncommitted(before, mci);
    this.commitConf = this.conf;
    // Every configuration entry not yet applied lies at or below pendingConfIndex.
    if (this.pendingConfIndex > before) this.noteOwnRemovalCommitted(before, mci);
    this.onCommitAdvanced();
    return true;
  }

  /**
   * Canary learner-counts-for-commit: the index held by a majority's worth (of C_new's voters)
   * of members, learners included, so a learner's copy stands in for a voter's. C_old, when
   * joint, still counts as it should.
   */
  private commitCountingLearners(): number {
    const match = (id: NodeId) => this.prs.get(id)?.match ?? 0;
    const values = [...this.conf.voters, ...this.conf.learners].map(match).sort((a, b) => b - a);
    const quorum = (this.conf.voters.length >> 1) + 1;
    return Math.min(values[quorum - 1] ?? 0, majorityValue(this.conf.votersOutgoing, match));
  }

  /** Sets ownRemovalCommittedAt if entries (before, to] hold this node's removal as voter. */
  private noteOwnRemovalCommitted(before: number, to: number): void {
    let conf = this.conf;
    const last = Math.min(to, this.pendingConfIndex);
    // The applied configuration, carried through entries committed but not yet applied.
    for (let i = this.log.applied + 1; i <= last; i++) {
      const e = this.log.entry(i);
      if (e.type !== "conf-change") continue;
      const next = applyConfChange(conf, decodeConfChange(e.data));
      if (i > before && isVoter(conf, this.id) && !isVoter(next, this.id)) {
        this.ownRemovalCommittedAt = i;
        return;
      }
      conf = next;
    }
  }

  private onCommitAdvanced(): void {
    if (this.role === "leader" && this.readsAwaitingCommit.length > 0 && this.committedInTerm()) {
      const waiting = this.readsAwaitingCommit;
      this.readsAwaitingCommit = [];
      for (const m of waiting) this.handleReadIndexRequest(m);
    }
  }

  committedInTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  bcastAppend(): void {
    for (const id of this.peerIds()) this.maybeSendAppend(id, true);
  }

  /** Sends an append (or a snapshot) to `to` if flow control allows; true if something was sent. */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.prs.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined || pr.next < this.log.firstIndex()) return this.sendSnapshot(to, pr);
    const ents = pr.next <= this.log.lastIndex() ? this.log.slice(pr.next, this.log.lastIndex() + 1, this.cfg.maxSizePerMsgBytes) : [];
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send({ type: "app", to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.log.committed });
    pr.sentEntries(prevIndex + ents.length, ents.length);
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    // §7: the follower needs entries we compacted; ship the snapshot instead.
    if (!pr.recentActive) return false;
    const snap = this.snapshot;
    assert(snap !== undefined && snap.index >= this.log.snapIndex, () => `node ${this.id} compacted to ${this.log.snapIndex} without a snapshot`);
    this.send({ type: "snap", to, snapshot: snap });
    pr.becomeSnapshot(snap.index);
    pr.snapshotSentTick = this.tickCount;
    return true;
  }

  bcastHeartbeat(context: string | undefined): void {
    for (const id of this.peerIds()) {
      const pr = this.prs.get(id)!;
      // Never tell a follower to commit beyond what it is known to hold.
      const commit = this.cfg.bugs.has("heartbeat-commit-unclamped") ? this.log.committed : Math.min(pr.match, this.log.committed);
      this.send({ type: "heartbeat", to: id, commit, context, leaseTick: this.tickCount });
    }
  }

  // ---- client requests ---------------------------------------------------------------

  /**
   * A leader leading on after its removal committed takes no new entries: until its host
   * stops it (stepDownOnRemoval false), or until C_new's voters hold its log (true).
   */
  private removedLeader(): boolean {
    return this.stepDownPending || (!isVoter(this.conf, this.id) && !this.conf.learners.includes(this.id));
  }

  /** Why this node takes no proposal now (any kind), or undefined when it does. */
  private proposalRefused(): ProposeResult | undefined {
    if (this.role !== "leader") return { ok: false, error: "not leader" };
    if (this.leadTransferee !== NONE) return { ok: false, error: "leader transfer in progress" };
    if (this.removedLeader()) return { ok: false, error: "leader removed from the cluster" };
    return undefined;
  }

  propose(data: Uint8Array): ProposeResult {
    const refused = this.proposalRefused();
    if (refused) return refused;
    if (!this.uncommittedAllows(data.byteLength)) return this.uncommittedFull();
    const r = this.appendEntries([{ type: "normal", data }]);
    this.bcastAppend();
    return { ok: true, ...r };
  }

  /**
   * Payload bytes this leader appended in its term and has not yet seen committed (limited by
   * maxUncommittedEntriesBytes: a leader cut off from its quorum would otherwise queue without
   * bound). Counted only with a limit set, so the default path does no work for it.
   */
  private uncommittedBytes = 0;

  /** Whether a proposal of `bytes` fits under the limit (always when nothing is pending); appendEntries counts it. */
  private uncommittedAllows(bytes: number): boolean {
    const max = this.cfg.maxUncommittedEntriesBytes;
    return max === 0 || this.uncommittedBytes === 0 || bytes === 0 || this.uncommittedBytes + bytes <= max;
  }

  private uncommittedFull(): ProposeResult {
    return { ok: false, error: `proposal dropped: ${this.uncommittedBytes} uncommitted bytes, limit ${this.cfg.maxUncommittedEntriesBytes}` };
  }

  /** Entries (before, to] committed: those of this term leave the uncommitted tally. */
  private releaseUncommitted(before: number, to: number): void {
    for (let i = Math.max(before + 1, this.log.firstIndex()); i <= to; i++) {
      const e = this.log.entry(i);
      if (e.term === this.term) this.uncommittedBytes -= e.data.byteLength;
    }
    assert(this.uncommittedBytes >= 0, () => `node ${this.id}: uncommitted bytes went negative (${this.uncommittedBytes})`);
  }

  /**
   * Proposes several entries as one (etcd-io/raft's MsgProp carries a list): one append per
   * follower carries them all, where `propose` in a loop sends one per entry. The result
   * names the last entry; the first is index - datas.length + 1.
   */
  proposeBatch(datas: readonly Uint8Array[]): ProposeResult {
    if (datas.length === 0 || datas.length > PROPOSE_BATCH_MAX) return { ok: false, error: `a batch holds 1 to ${PROPOSE_BATCH_MAX} entries, not ${datas.length}` };
    const refused = this.proposalRefused();
    if (refused) return refused;
    let bytes = 0;
    for (const d of datas) bytes += d.byteLength;
    if (!this.uncommittedAllows(bytes)) return this.uncommittedFull();
    const r = this.appendEntries(datas.map((data) => ({ type: "normal" as const, data })));
    this.bcastAppend();
    return { ok: true, ...r };
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    const refused = this.proposalRefused();
    if (refused) return refused;
    if (this.pendingConfIndex > this.log.applied) return { ok: false, error: "a configuration change is pending" };
    const why = validateConfChange(this.conf, cc);
    if (why !== null) return { ok: false, error: why };
    const data = encodeConfChange(cc);
    if (!this.uncommittedAllows(data.byteLength)) return this.uncommittedFull();
    const r = this.appendEntries([{ type: "conf-change", data }]);
    this.pendingConfIndex = r.index;
    this.bcastAppend();
    return { ok: true, ...r };
  }

  /**
   * Auto-leave for a leader in C_old,new with no configuration entry left to apply (thesis
   * §4.3: C_new follows once C_old,new is committed). A leader that applied the joint entry
   * itself proposes the leave then (applyConfChangeEntry); one elected after applying it as
   * a follower, its predecessor's leave entry lost, would otherwise stay joint for ever,
   * every later change refused as pending. etcd-io/raft proposes the leave once the applied
   * index reaches pendingConfIndex (AutoLeave); RawNode.advance calls this after applying,
   * and becomeLeader when everything is applied already (its caller broadcasts), so a
   * leader is never joint with no leave entry in flight (SafetyMonitor.checkJointLeft).
   */
  maybeAutoLeave(bcast = true): void {
    if (this.role !== "leader" || !isJoint(this.conf) || this.log.applied < this.pendingConfIndex) return;
    const r = this.appendEntries([{ type: "conf-change", data: encodeConfChange({ changes: [] }) }]);
    this.pendingConfIndex = r.index;
    if (bcast) this.bcastAppend();
  }

  /** Applies a committed conf-change entry (called as the host applies it). */
  applyConfChangeEntry(e: Entry): void {
    const cc = decodeConfChange(e.data);
    const wasVoter = isVoter(this.conf, this.id);
    const wasMember = wasVoter || this.conf.learners.includes(this.id);
    this.conf = applyConfChange(this.conf, cc);
    this.rebuildProgress();
    if (wasMember && !isVoter(this.conf, this.id) && !this.conf.learners.includes(this.id)) this.removedAtIndex = e.index;
    if (wasVoter && !isVoter(this.conf, this.id) && (this.role === "leader" || e.index === this.ownRemovalCommittedAt)) {
      this.removedAsLeaderAt = e.index;
      this.removalKnown = false;
    }
    if (this.role !== "leader") return;
    if (this.leadTransferee !== NONE && !isVoter(this.conf, this.leadTransferee)) this.leadTransferee = NONE;
    if (isJoint(this.conf)) {
      // Auto-leave (etcd's AutoLeave): C_old,new is committed, now propose C_new (§4.3).
      const r = this.appendEntries([{ type: "conf-change", data: encodeConfChange({ changes: [] }) }]);
      this.pendingConfIndex = r.index;
    } else if (!isVoter(this.conf, this.id) && this.cfg.stepDownOnRemoval) {
      // Thesis §4.2.2: a leader that is not part of C_new steps down once C_new is committed.
      // (Otherwise it leads on until its host stops it; see RaftConfig.stepDownOnRemoval.)
      this.stepDownPending = true;
    }
    this.maybeCommit();
    this.bcastAppend();
    this.maybeStepDownRemoved();
  }

  /**
   * A removed leader steps down only once every voter of C_new holds its whole log. With
   * configurations applied at commit (etcd's way, not the thesis's at append), a member of
   * C_new that never heard C_new committed is still in C_old,new and needs the departed
   * leader's vote, which a follower grants only to a log at least as long as its own. Two
   * members, the leader removed, the commit lost on the way: without this wait the last
   * member could never be elected (etcd-io/raft steps down at once and has that hazard).
   * Until then it leads on, taking no new entries (check-quorum spares it: see tickHeartbeat).
   */
  maybeStepDownRemoved(): void {
    if (!this.stepDownPending || this.role !== "leader") return;
    const last = this.log.lastIndex();
    if (this.conf.voters.some((id) => (this.prs.get(id)?.match ?? 0) < last)) return;
    // And once C_new knows its removal committed, or as a follower it would campaign again.
    if (!this.removalSettled()) return;
    this.becomeFollower(this.term, NONE);
  }

  private rebuildProgress(): void {
    const next = new Map<NodeId, Progress>();
    for (const id of allMembers(this.conf)) {
      const learner = !isVoter(this.conf, id);
      let pr = this.prs.get(id);
      if (!pr || pr.isLearner !== learner) {
        const fresh = new Progress(this.log.lastIndex() + 1, this.cfg.maxInflightMsgs, learner);
        if (pr) {
          fresh.match = pr.match;
          fresh.next = pr.next;
          fresh.state = pr.state;
          fresh.recentActive = pr.recentActive;
          fresh.pendingSnapshot = pr.pendingSnapshot;
          fresh.commitKnown = pr.commitKnown;
        } else if (id === this.id) {
          fresh.match = this.role === "leader" ? this.log.stabled : 0;
        } else {
          fresh.recentActive = true; // give a new member one check-quorum round
        }
        pr = fresh;
      }
      next.set(id, pr);
    }
    this.prs = next;
  }

  readIndex(context: string): { ok: true } | { ok: false; error: string } {
    if (this.role === "leader") {
      this.handleReadIndexRequest({ type: "read-index", from: this.id, to: this.id, term: 0, context });
      return { ok: true };
    }
    if (this.role === "follower" && this.lead !== NONE) {
      // Forward to the leader, which answers with its read index (thesis §6.4, followers).
      this.send({ type: "read-index", to: this.lead, context, term: 0 });
      return { ok: true };
    }
    return { ok: false, error: "no leader" };
  }

  /** Leader side of ReadIndex (thesis §6.4). */
  handleReadIndexRequest(m: Message): void {
    assert(this.role === "leader", "read index handled by a leader");
    const ctx = m.context ?? "";
    // Step 1: the leader must have committed an entry of its term to know the commit index.
    // A lone voter too: restarted, it may hold committed entries past its persisted commit
    // index (that index is written without an fsync of its own).
    if (!this.committedInTerm() && !this.cfg.bugs.has("read-index-before-term-commit")) {
      this.readsAwaitingCommit.push(m);
      return;
    }
    if (this.conf.voters.length === 1 && this.conf.votersOutgoing.length === 0 && this.conf.voters[0] === this.id) {
      this.respondRead(m.from, this.log.committed, ctx);
      return;
    }
    if (this.cfg.readOnlyOption === "lease-based" && this.leaseValid()) {
      this.leaseReadsServed++;
      this.respondRead(m.from, this.log.committed, ctx);
      return;
    }
    if (this.cfg.bugs.has("read-index-skips-heartbeat")) {
      this.respondRead(m.from, this.log.committed, ctx); // canary: trusts leadership unconfirmed
      return;
    }
    // Steps 2–3: record the commit index, then confirm leadership with a heartbeat round.
    this.pendingReads.push({ context: ctx, index: this.log.committed, from: m.from, acks: new Map([[this.id, true]]) });
    this.bcastHeartbeat(ctx);
  }

  /** A heartbeat response carrying a read context acknowledges leadership for that read. */
  ackRead(from: NodeId, ctx: string): void {
    const i = this.pendingReads.findIndex((p) => p.context === ctx);
    if (i < 0) return;
    const p = this.pendingReads[i]!;
    p.acks.set(from, true);
    if (jointVote(this.conf, p.acks) !== "won") return;
    // Leadership confirmed now, so every earlier pending read is confirmed too.
    const done = this.pendingReads.splice(0, i + 1);
    for (const d of done) this.respondRead(d.from, d.index, d.context);
  }

  private respondRead(to: NodeId, index: number, context: string): void {
    if (to === this.id) this.readStates.push({ index, context });
    else this.send({ type: "read-index-resp", to, index, context, term: this.term });
  }

  /**
   * Thesis §6.4.1: the lease starts when the heartbeat a quorum acknowledged was *sent*;
   * followers (with check-quorum) refuse votes for an election timeout after hearing a
   * leader, so none can be elected before ET minus a drift margin has elapsed.
   */
  leaseValid(): boolean {
    if (!this.cfg.checkQuorum || this.leadTransferee !== NONE || this.leaseVoided) return false;
    const start = jointValue(this.conf, (id) => (id === this.id ? this.tickCount : this.prs.get(id)?.ackedLeaseTick ?? Number.NEGATIVE_INFINITY));
    const margin = this.cfg.bugs.has("lease-read-ignores-skew") ? 0 : this.cfg.leaseMarginTicks;
    return this.tickCount - start < this.cfg.electionTicks - margin;
  }

  transferLeader(to: NodeId): { ok: true } | { ok: false; error: string } {
    if (this.role !== "leader") return { ok: false, error: "not leader" };
    if (to === this.id) return { ok: false, error: "already leader" };
    if (!this.conf.voters.includes(to)) return { ok: false, error: `node ${to} is not a voter` };
    this.stepTransferLeader(to);
    return { ok: true };
  }

  /** Thesis §3.10: bring the target up to date, then tell it to campaign at once. */
  stepTransferLeader(to: NodeId): void {
    if (this.leadTransferee === to) return;
    this.leadTransferee = to;
    this.electionElapsed = 0; // the transfer is aborted after one election timeout
    const pr = this.prs.get(to)!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.maybeSendAppend(to, true);
  }

  /** Thesis §3.10's TimeoutNow; it ends this leader's lease (§6.4.1) for good: see leaseVoided. */
  sendTimeoutNow(to: NodeId): void {
    this.leaseVoided = true;
    this.send({ type: "timeout-now", to });
  }

  // ---- follower-side handlers shared by follower and candidates ------------------------

  handleAppend(m: Message): void {
    this.noteLeaderCommit(m.commit!);
    if (m.index! < this.log.committed) {
      this.send({ type: "app-resp", to: m.from, index: this.log.committed, commit: this.log.committed });
      return;
    }
    const lastNew = this.log.maybeAppend(m.index!, m.logTerm!, m.commit!, m.entries ?? []);
    if (lastNew !== undefined) {
      this.send({ type: "app-resp", to: m.from, index: lastNew, commit: this.log.committed });
      return;
    }
    // Reject with a hint (fast backtracking): the largest index whose term is <= the
    // leader's prev term, so the leader can skip a whole conflicting term at once.
    const hint = this.log.findConflictByTerm(m.index!, m.logTerm!);
    this.send({ type: "app-resp", to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term, commit: this.log.committed });
  }

  handleHeartbeat(m: Message): void {
    this.noteLeaderCommit(m.commit!);
    // The leader clamps the commit index to what we are known to hold; the canary's follower
    // clamps it to what it holds, right or wrong.
    this.log.commitTo(this.cfg.bugs.has("heartbeat-commit-unclamped") ? Math.min(m.commit!, this.log.lastIndex()) : m.commit!);
    this.send({ type: "heartbeat-resp", to: m.from, context: m.context, leaseTick: m.leaseTick, commit: this.log.committed });
  }

  handleSnapshot(m: Message): void {
    const s = m.snapshot!;
    this.noteLeaderCommit(s.index);
    if (s.index <= this.log.committed) {
      this.send({ type: "app-resp", to: m.from, index: this.log.committed, commit: this.log.committed });
      return;
    }
    if (this.log.matchTerm(s.index, s.term)) {
      // We already hold the snapshot's last entry: just fast-forward the commit index, and
      // acknowledge up to it only. Entries after it were never checked against the leader's
      // (etcd-io/raft answers with the commit index too).
      this.log.commitTo(s.index);
      this.send({ type: "app-resp", to: m.from, index: this.log.committed, commit: this.log.committed });
      return;
    }
    this.log.restore(s);
    // The snapshot replaces the configuration entries it compacted away, so its ConfState is
    // the configuration now (the canary keeps the one this node had).
    if (!this.cfg.bugs.has("snapshot-ignores-conf-state")) this.conf = s.confState;
    this.rebuildProgress();
    this.send({ type: "app-resp", to: m.from, index: this.log.lastIndex(), commit: this.log.committed });
  }

  /** A leader's message shows how far it knows the log committed (see removalSettled). */
  private noteLeaderCommit(commit: number): void {
    if (commit > this.leaderCommitSeen) this.leaderCommitSeen = commit;
  }

  /** The host took a snapshot of its state machine at the applied index: compact the log. */
  compact(index: number, data: Uint8Array): Snapshot {
    assert(index === this.log.applied, () => `snapshot index ${index} must equal applied ${this.log.applied}`);
    const term = this.log.term(index);
    assert(term !== undefined, () => `snapshot index ${index} not in log`);
    const snap: Snapshot = { index, term, confState: this.conf, data };
    this.log.compact(index);
    this.snapshot = snap;
    return snap;
  }
}
