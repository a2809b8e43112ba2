// The Raft cluster as a system under test: one RaftHost per node, plus the operations a
// fault plan asks for (membership changes, leader transfer, snapshots), routed to the
// current leader the way an operator would.
import type { BugSet } from "../../core/canary";
import type { ConfChange } from "../../core/raft/types";
import type { ProgramFactory } from "../process";
import type { NodeView, SystemUnderTest } from "../system";
import type { NodeId } from "../trace/types";
import type { World } from "../world";
import { type HostObserver, RaftHost, type RaftTuning } from "./node_host";
import { HashListStateMachine, type StateMachine } from "./state_machine";
import type { NodeContext } from "../process";

export interface RaftSystemOptions {
  /** Initial voters (bootstrapped); nodes added later join with an empty configuration. */
  readonly voters: readonly NodeId[];
  readonly tickUs: number;
  readonly raft?: RaftTuning;
  readonly bugs?: BugSet;
  readonly snapshotEntries?: number;
  readonly nodeStateEveryTicks?: number;
  readonly alignedTicks?: boolean;
  readonly stateMachine?: (ctx: NodeContext) => StateMachine;
  readonly observer?: HostObserver;
}

export class RaftSystem implements SystemUnderTest {
  readonly name = "raft";
  /** The current incarnation of each node's host (a crashed one stays until restart). */
  readonly hosts = new Map<NodeId, RaftHost>();
  world: World | undefined;
  private readonly observer: HostObserver;

  constructor(readonly opts: RaftSystemOptions) {
    const user = opts.observer;
    // Delegate method by method: the observer is often a class instance (SafetyMonitor),
    // whose methods live on its prototype, where an object spread would not see them.
    this.observer = {
      onStart: (h) => {
        this.hosts.set(h.id, h);
        user?.onStart?.(h);
      },
      onRole: (h, role, term, lead) => user?.onRole?.(h, role, term, lead),
      onCommit: (h, from, to) => user?.onCommit?.(h, from, to),
      onApply: (h, e) => user?.onApply?.(h, e),
      onRestore: (h, snap) => user?.onRestore?.(h, snap),
      onSend: (h, m) => user?.onSend?.(h, m),
      onLeaseRead: (h, term, count) => user?.onLeaseRead?.(h, term, count),
      onReadAsked: (h) => user?.onReadAsked?.(h) ?? 0,
      onReadAnswered: (h, index, asked) => user?.onReadAnswered?.(h, index, asked),
      onDurable: (h, entries, snapshot) => user?.onDurable?.(h, entries, snapshot),
    };
  }

  factory(id: NodeId): ProgramFactory {
    const peers = this.opts.voters.includes(id) ? this.opts.voters : [];
    return (ctx) =>
      new RaftHost(ctx, {
        peers,
        tickUs: this.opts.tickUs,
        raft: this.opts.raft,
        bugs: this.opts.bugs,
        stateMachine: this.opts.stateMachine ?? (() => new HashListStateMachine()),
        snapshotEntries: this.opts.snapshotEntries,
        nodeStateEveryTicks: this.opts.nodeStateEveryTicks,
        alignedTicks: this.opts.alignedTicks,
        observer: this.observer,
        traceNowUs: this.world ? () => this.world!.nowUs : undefined,
      });
  }

  attach(world: World): void {
    this.world = world;
  }

  /** The live host of a node that is up (not crashed, not paused), if any. */
  host(id: NodeId): RaftHost | undefined {
    const h = this.hosts.get(id);
    if (!h) return undefined;
    if (this.world && this.world.processes.get(id)?.status !== "up") return undefined;
    return h;
  }

  view(id: NodeId): NodeView | undefined {
    const h = this.host(id);
    if (!h) return undefined;
    const s = h.status();
    return { role: s.isLearner ? "learner" : s.role, term: s.term, leader: s.lead === 0 ? null : s.lead };
  }

  /** The leader with the highest term among live nodes. */
  leader(): RaftHost | undefined {
    // Called per proposal by load generators: no sorted key copy or status objects. Ties on
    // term go to the lowest id, as a scan in id order would give.
    let best: RaftHost | undefined;
    for (const h of this.hosts.values()) {
      if (!h.isLeader() || this.host(h.id) !== h) continue;
      const term = h.rn.raft.term;
      if (!best || term > best.rn.raft.term || (term === best.rn.raft.term && h.id < best.id)) best = h;
    }
    return best;
  }

  private change(cc: ConfChange): void {
    this.leader()?.proposeConfChange(cc);
  }

  /** Starts a new, empty node with the next free id (it joins once a conf change names it). */
  private spawnNode(world: World): NodeId {
    const id = Math.max(...world.allEndpoints()) + 1;
    world.addNode(id, this.factory(id));
    world.node(id).start();
    return id;
  }

  addMember(learner: boolean): NodeId | undefined {
    if (!this.world) return undefined;
    const id = this.spawnNode(this.world);
    this.change({ changes: [{ op: learner ? "add-learner" : "add-voter", node: id }] });
    return id;
  }

  /**
   * One conf change that adds a new voter and removes `id`: C_old and C_new then differ in
   * two members, so (unlike a single add or removal from an odd-sized cluster) a majority of
   * C_new need not include a majority of C_old, and joint consensus (thesis §4.3) is what
   * keeps them from deciding apart. etcd's member API changes one member at a time; raft's
   * ConfChangeV2 takes several.
   */
  replaceMember(id: NodeId): NodeId | undefined {
    const l = this.leader();
    if (!this.world || !l || !l.status().confState.voters.includes(id)) return undefined;
    const added = this.spawnNode(this.world);
    this.change({ changes: [{ op: "add-voter", node: added }, { op: "remove-node", node: id }] });
    return added;
  }

  removeMember(id: NodeId): void {
    this.change({ changes: [{ op: "remove-node", node: id }] });
  }

  /** Raft itself has no readiness check: one attempt, for `id` if it is a learner. */
  promoteLearner(id?: NodeId): void {
    const l = this.leader();
    const learners = l?.status().confState.learners ?? [];
    const learner = id !== undefined && learners.includes(id) ? id : learners[0];
    if (learner !== undefined) this.change({ changes: [{ op: "add-voter", node: learner }] });
  }

  transferLeader(to: NodeId | undefined): void {
    const l = this.leader();
    if (!l) return;
    const target = to ?? l.status().confState.voters.find((v) => v !== l.id);
    if (target !== undefined) l.transferLeader(target);
  }

  compact(): void {
    for (const id of [...this.hosts.keys()].sort((a, b) => a - b)) this.host(id)?.takeSnapshot();
  }

  snapshot(id: NodeId): void {
    this.host(id)?.takeSnapshot();
  }
}

export function raftSystem(opts: RaftSystemOptions): RaftSystem {
  return new RaftSystem(opts);
}
