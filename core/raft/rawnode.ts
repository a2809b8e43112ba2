// RawNode: the host-facing surface (etcd-io/raft's RawNode). The host calls tick/step/
// propose/..., then takes a Ready and handles it in this order, which is the contract:
//   1. persist `snapshot`, `entries` and `hardState` (fsync when `mustSync`);
//   2. send `messages` (they may acknowledge what step 1 made durable: votes, appends);
//   3. restore `snapshot` into the state machine, apply `committedEntries`, serve `readStates`;
//   4. call advance(ready).
import { assert } from "../assert";
import type { RaftConfig, RaftStorage } from "./config";
import { isVoter } from "./confchange";
import type { ProposeResult } from "./raft";
import { Raft } from "./raft";
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, ReadState, Role, Snapshot, SoftState } from "./types";

export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  readonly mustSync: boolean;
}

export interface Status {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly lead: NodeId;
  readonly role: Role;
  readonly isLearner: boolean;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly confState: ConfState;
  readonly leadTransferee: NodeId;
}

export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private outstanding = false;

  constructor(config: RaftConfig, storage?: RaftStorage) {
    this.raft = new Raft(config, storage);
    this.prevSoft = this.softState();
    // What storage already holds; a bootstrap node has not persisted anything yet.
    this.prevHard = storage?.hardState ?? { term: 0, vote: 0, commit: 0 };
  }

  tick(): void {
    this.raft.tick();
  }

  /** Feeds a message received from the network. Local message types are refused. */
  step(m: Message): void {
    if (m.type === "hup" || m.type === "beat") return;
    // Responses from nodes that are not members are ignored (etcd does the same).
    if ((m.type === "app-resp" || m.type === "heartbeat-resp") && !this.raft.prs.has(m.from)) return;
    this.raft.step(m);
  }

  /** Starts an election now (tests, operators). */
  campaign(): void {
    this.raft.step({ type: "hup", from: this.raft.id, to: this.raft.id, term: 0 });
  }

  propose(data: Uint8Array): ProposeResult {
    return this.raft.propose(data);
  }

  /** Several entries in one proposal (see Raft.proposeBatch). */
  proposeBatch(datas: readonly Uint8Array[]): ProposeResult {
    return this.raft.proposeBatch(datas);
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    return this.raft.proposeConfChange(cc);
  }

  readIndex(context: string): { ok: true } | { ok: false; error: string } {
    return this.raft.readIndex(context);
  }

  transferLeader(to: NodeId): { ok: true } | { ok: false; error: string } {
    return this.raft.transferLeader(to);
  }

  /** The host snapshotted its state machine at the applied index; the log is compacted. */
  compact(appliedIndex: number, data: Uint8Array): Snapshot {
    return this.raft.compact(appliedIndex, data);
  }

  softState(): SoftState {
    return { lead: this.raft.lead, role: this.raft.role };
  }

  hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }

  status(): Status {
    const r = this.raft;
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      lead: r.lead,
      role: r.role,
      isLearner: r.conf.learners.includes(r.id) && !isVoter(r.conf, r.id),
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      firstIndex: r.log.firstIndex(),
      confState: r.conf,
      leadTransferee: r.leadTransferee,
    };
  }

  hasReady(): boolean {
    // Called after every step and tick: compares fields without building state objects.
    const r = this.raft;
    if (r.lead !== this.prevSoft.lead || r.role !== this.prevSoft.role) return true;
    const ph = this.prevHard;
    if (r.term !== ph.term || r.vote !== ph.vote || r.log.committed !== ph.commit) return true;
    return (
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.log.pendingSnapshot !== undefined ||
      r.log.stabled < r.log.lastIndex() ||
      r.log.committed > Math.max(r.log.applied, r.log.snapIndex)
    );
  }

  ready(): Ready {
    assert(!this.outstanding, "ready() called again before advance()");
    this.outstanding = true;
    const r = this.raft;
    const softChanged = r.lead !== this.prevSoft.lead || r.role !== this.prevSoft.role;
    const hardChanged = r.term !== this.prevHard.term || r.vote !== this.prevHard.vote || r.log.committed !== this.prevHard.commit;
    const s = softChanged ? this.softState() : this.prevSoft;
    const h = hardChanged ? this.hardState() : this.prevHard;
    const entries = r.log.unstableEntries();
    const snapshot = r.log.pendingSnapshot;
    const rd: Ready = {
      softState: softChanged ? s : undefined,
      hardState: hardChanged ? h : undefined,
      entries,
      snapshot,
      messages: r.msgs,
      committedEntries: r.log.nextCommittedEntries(),
      readStates: r.readStates,
      // Term and vote must be durable before any vote or ack leaves (Figure 2); commit may lag.
      mustSync: entries.length > 0 || snapshot !== undefined || h.term !== this.prevHard.term || h.vote !== this.prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    if (softChanged) this.prevSoft = s;
    return rd;
  }

  /** The host finished handling `rd` (persisted, sent, applied). */
  advance(rd: Ready): void {
    assert(this.outstanding, "advance() without ready()");
    this.outstanding = false;
    const r = this.raft;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot) {
      if (r.log.pendingSnapshot === rd.snapshot) r.log.pendingSnapshot = undefined;
      if (rd.snapshot.index > r.log.applied) r.log.applied = rd.snapshot.index;
      if (!r.snapshot || rd.snapshot.index > r.snapshot.index) r.snapshot = rd.snapshot;
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      // Entries may have been overwritten since ready(); then they are not stable.
      if (r.log.term(last.index) === last.term && last.index > r.log.stabled) r.log.stabled = last.index;
    }
    for (const e of rd.committedEntries) {
      if (e.index <= r.log.applied) continue; // covered by a snapshot restored meanwhile
      // An entry below a snapshot restored meanwhile is already reflected in its ConfState.
      if (e.type === "conf-change" && e.index > r.log.snapIndex) r.applyConfChangeEntry(e);
      r.log.appliedTo(e.index);
    }
    r.maybeAutoLeave();
    r.onStable();
  }
}
