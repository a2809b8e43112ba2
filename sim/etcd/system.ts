// The etcd cluster as a system under test: a RaftSystem whose nodes run EtcdNode (the KV
// server as the state machine, client and watch traffic on top).
import { SafetyMonitor } from "../host/safety";
import { assert } from "../../core/assert";
import type { BugSet } from "../../core/canary";
import { ERR_MEMBER_NOT_FOUND, ERR_MEMBER_NOT_LEARNER, ERR_TIMEOUT, isError } from "../../core/server/api";
import { peerUrl } from "../../core/server/cluster";
import type { World } from "../world";
import type { ProgramFactory } from "../process";
import { RaftHost, type RaftTuning } from "../host/node_host";
import { RaftSystem } from "../host/system";
import type { NodeId } from "../trace/types";
import { EtcdNode, type LeaseRevokeHook } from "./node";
import { StoreOracle } from "./oracle";
import { Operator } from "./operator";
import { restoreCluster, summarizeSnapshot, type SnapshotSummary } from "./restore";

/** How long an operator waits before asking again to promote a learner that is not in sync. */
const PROMOTE_RETRY_US = 250_000;

export interface EtcdSystemOptions {
  voters: readonly NodeId[];
  tickUs: number;
  raft: RaftTuning & { electionTicks: number };
  bugs: BugSet;
  snapshotEntries: number;
  /** Members tick in lockstep from the start (see HostOptions.alignedTicks). */
  alignedTicks?: boolean;
  /** Size at which members split watch responses for watchers that ask (default etcd's 2 MiB). */
  watchFragmentBytes?: number;
}

export class EtcdSystem extends RaftSystem {
  readonly nodes = new Map<NodeId, EtcdNode>();
  readonly oracle = new StoreOracle();
  /** Observes lease revokes the servers propose on expiry: returns a callback for the outcome. */
  onLeaseRevoke: LeaseRevokeHook | undefined;
  /** Sends the fault plan's cluster and maintenance requests (set on attach). */
  operator: Operator | undefined;
  /** Raft's safety properties (Figure 3), judged on every member as the run goes. */
  readonly safety = new SafetyMonitor();
  /** Snapshots saved through the Maintenance API during the run, in order. */
  readonly snapshots: { atUs: number; node: NodeId; image: Uint8Array; summary: SnapshotSummary }[] = [];

  constructor(readonly etcdOpts: EtcdSystemOptions) {
    super({ voters: etcdOpts.voters, tickUs: etcdOpts.tickUs, raft: etcdOpts.raft, bugs: etcdOpts.bugs, snapshotEntries: etcdOpts.snapshotEntries });
  }

  override factory(id: NodeId): ProgramFactory {
    const peers = this.etcdOpts.voters.includes(id) ? this.etcdOpts.voters : [];
    return (ctx) => {
      const node = new EtcdNode(ctx, { bugs: this.etcdOpts.bugs, tickUs: this.etcdOpts.tickUs, electionTicks: this.etcdOpts.raft.electionTicks, oracle: this.oracle, onLeaseRevoke: (node, req) => this.onLeaseRevoke?.(node, req), ...(this.etcdOpts.watchFragmentBytes !== undefined ? { watchFragmentBytes: this.etcdOpts.watchFragmentBytes } : {}) });
      this.nodes.set(id, node);
      const host = new RaftHost(ctx, {
        peers,
        tickUs: this.etcdOpts.tickUs,
        raft: this.etcdOpts.raft,
        bugs: this.etcdOpts.bugs,
        stateMachine: () => node.sm,
        snapshotEntries: this.etcdOpts.snapshotEntries,
        alignedTicks: this.etcdOpts.alignedTicks ?? false,
        stopWhenRemoved: true,
        traceNowUs: this.world ? () => this.world!.nowUs : undefined,
        observer: {
          onStart: (h) => {
            node.host = h;
            this.hosts.set(h.id, h);
            this.safety.onStart(h);
          },
          onRole: (h, role, term) => {
            node.onRole(role);
            this.safety.onRole(h, role, term);
          },
          onCommit: (h, from, to) => this.safety.onCommit(h, from, to),
          onApply: (h, e) => this.safety.onApply(h, e),
          onPropose: (_h, index, term) => this.oracle.noteProposed(index, term),
          onRestore: (h, snap) => this.safety.onRestore(h, snap),
          onSend: (h, m) => this.safety.onSend(h, m),
          onLeaseRead: (h, term, count) => this.safety.onLeaseRead(h, term, count),
          onReadAsked: () => this.safety.onReadAsked(),
          onReadAnswered: (h, index, asked) => this.safety.onReadAnswered(h, index, asked),
          onDurable: (h, entries, snapshot) => this.safety.onDurable(h, entries, snapshot),
        },
        onOtherMessage: (from, msgType, payload) => node.onClientMessage(from, msgType, payload),
      });
      // The member notes whom it hears from (its transport's "active since"), as etcd's
      // reconfiguration checks need.
      return {
        onMessage: (from, msgType, payload) => {
          node.admin.notePeer(from);
          host.onMessage(from, msgType, payload);
        },
        onResume: () => host.onResume(),
      };
    };
  }

  override attach(world: World): void {
    super.attach(world);
    this.oracle.clock = () => world.nowUs;
    this.operator = new Operator(world);
    this.safety.runningHosts = () => [...this.hosts.values()].filter((h) => world.processes.get(h.id)?.status === "up");
  }

  /**
   * The members an operator sends to: machines that have run, less those that are down
   * (etcdctl, started afresh for each command, uses the endpoints it can connect to); all
   * that have run if every one is down.
   */
  private members = (): NodeId[] => {
    const world = this.world;
    if (!world) return [];
    const started = world.allEndpoints().filter((id) => world.node(id).starts > 0);
    const running = started.filter((id) => world.node(id).status !== "down");
    return running.length > 0 ? running : started;
  };

  // ---- the fault plan's membership changes, through the Cluster API like an operator ----

  override addMember(learner: boolean): NodeId | undefined {
    const world = this.world;
    const operator = this.operator;
    if (!world || !operator) return undefined;
    // etcd's procedure: `member add` first, then start the new member's process (with an
    // empty configuration; it waits for the leader's appends or snapshot). A refused add
    // leaves a machine that never runs: etcd would not start a member its peers do not list.
    // An add whose answer is lost or timed out may still apply, so that process is started.
    // An add still unanswered at a heal (its answer lost, say) starts then: see startUnansweredAdds.
    const id = Math.max(...world.allEndpoints()) + 1;
    world.addNode(id, this.factory(id));
    this.addsUnanswered.add(id);
    operator.request(this.members, { type: "memberAdd", peerURLs: [peerUrl(id)], isLearner: learner }, (outcome) => {
      this.addsUnanswered.delete(id);
      const refused = outcome.status === "fail" && isError(outcome.response) && outcome.response.error !== ERR_TIMEOUT;
      const proc = world.node(id);
      if (refused) world.record({ tUs: world.nowUs, type: "note", node: id, text: proc.starts === 0 ? `operator: member ${id} not started (add refused)` : `operator: member ${id}'s add refused after it was started` });
      else if (proc.status === "down" && proc.starts === 0) proc.start();
    });
    return id;
  }

  /** Members whose `member add` has no answer yet; their machines have not run. */
  private readonly addsUnanswered = new Set<NodeId>();

  /**
   * A heal starts the machines of adds still unanswered: the add may have applied (a voter
   * added to a one-member cluster makes a quorum of two, and the cluster waits for it), and an
   * operator repairing the cluster starts what it added rather than wait out etcdctl's 5 s.
   * Seed 121 with 2 members at 8 rounds, run 1978: the add's answer was lost to link loss, the
   * add had applied, and the lone member had no quorum until the timeout started the new one,
   * past the liveness bound.
   */
  startUnansweredAdds(): void {
    const world = this.world;
    if (!world) return;
    for (const id of this.addsUnanswered) {
      const proc = world.node(id);
      if (proc.status !== "down" || proc.starts > 0) continue;
      world.record({ tUs: world.nowUs, type: "note", node: id, text: `operator: member ${id} started before its add was answered` });
      proc.start();
    }
  }

  override removeMember(id: NodeId): void {
    this.operator?.request(this.members, { type: "memberRemove", ID: id }, () => {});
  }

  override promoteLearner(id?: NodeId, attempts = 1): void {
    const operator = this.operator;
    const world = this.world;
    if (id !== undefined) {
      operator?.request(this.members, { type: "memberPromote", ID: id }, (outcome) => {
        const r = outcome.status === "ok" ? outcome.response : undefined;
        // Promoted, or no longer a learner to promote: done. Not in sync yet, no leader, a
        // lost answer: try again a little later, while attempts last.
        if (r && (!isError(r) || r.error === ERR_MEMBER_NOT_FOUND || r.error === ERR_MEMBER_NOT_LEARNER)) return;
        if (attempts > 1 && world) world.scheduler.after(PROMOTE_RETRY_US, () => this.promoteLearner(id, attempts - 1));
      });
      return;
    }
    operator?.request(this.members, { type: "memberList" }, (outcome) => {
      const r = outcome.status === "ok" ? outcome.response : undefined;
      if (!r || isError(r) || r.type !== "memberList") return;
      const learner = r.members.find((m) => m.isLearner);
      if (learner) operator.request(this.members, { type: "memberPromote", ID: learner.ID }, () => {});
    });
  }

  /**
   * Fault plan's snapshot save+restore: asks member `id` for a snapshot through the
   * Maintenance API, keeps it, and boots a fresh cluster from it out of band; the restored
   * cluster must hold exactly the snapshot's state, or the run has a broken invariant.
   */
  snapshotSaveRestore(id: NodeId): void {
    const world = this.world;
    if (!world || !this.operator) return;
    const seed = world.streams.stream("snapshot-restore").int(1, 2 ** 31);
    this.operator.request(() => [id], { type: "snapshot" }, (outcome) => {
      const r = outcome.status === "ok" ? outcome.response : undefined;
      if (!r || isError(r) || r.type !== "snapshot") return;
      const image = new Uint8Array(Buffer.from(r.blob, "base64"));
      const summary = summarizeSnapshot(image);
      this.snapshots.push({ atUs: world.nowUs, node: id, image, summary });
      const restored = restoreCluster({ image, nodes: 3, seed, tickUs: this.etcdOpts.tickUs, electionTicks: this.etcdOpts.raft.electionTicks });
      const hashes = Object.values(restored.stateHashes);
      assert(restored.ok, () => `snapshot of node ${id} at revision ${summary.revision}: restored cluster failed: ${restored.error}`);
      assert(
        restored.revision === summary.revision && restored.keys === summary.keys && hashes.every((h) => h === summary.stateHash),
        () => `snapshot of node ${id}: restored cluster differs (revision ${restored.revision} vs ${summary.revision}, keys ${restored.keys} vs ${summary.keys}, state ${hashes.map((h) => h.slice(0, 12)).join(",")} vs ${summary.stateHash.slice(0, 12)})`,
      );
      world.record({ tUs: world.nowUs, type: "note", node: id, text: `snapshot restored into a fresh 3-node cluster: revision ${summary.revision}, ${summary.keys} keys, state ${summary.stateHash.slice(0, 12)} (same)` });
    });
  }

  /** The live etcd node of an up process. */
  node(id: NodeId): EtcdNode | undefined {
    return this.host(id) ? this.nodes.get(id) : undefined;
  }
}
