// The etcd cluster as a system under test: a RaftSystem whose nodes run EtcdNode (the KV
// server as the state machine, client and watch traffic on top).
import type { BugSet } from "../../core/canary";
import type { ProgramFactory } from "../process";
import { RaftHost, type RaftTuning } from "../host/node_host";
import { RaftSystem } from "../host/system";
import type { NodeId } from "../trace/types";
import { EtcdNode, type LeaseRevokeHook } from "./node";
import { StoreOracle } from "./oracle";

export interface EtcdSystemOptions {
  voters: readonly NodeId[];
  tickUs: number;
  raft: RaftTuning & { electionTicks: number };
  bugs: BugSet;
  snapshotEntries: number;
}

export class EtcdSystem extends RaftSystem {
  readonly nodes = new Map<NodeId, EtcdNode>();
  readonly oracle = new StoreOracle();
  /** Observes lease revokes the servers propose on expiry: returns a callback for the outcome. */
  onLeaseRevoke: LeaseRevokeHook | undefined;

  constructor(readonly etcdOpts: EtcdSystemOptions) {
    super({ voters: etcdOpts.voters, tickUs: etcdOpts.tickUs, raft: etcdOpts.raft, bugs: etcdOpts.bugs, snapshotEntries: etcdOpts.snapshotEntries });
  }

  override factory(id: NodeId): ProgramFactory {
    const peers = this.etcdOpts.voters.includes(id) ? this.etcdOpts.voters : [];
    return (ctx) => {
      const node = new EtcdNode(ctx, { bugs: this.etcdOpts.bugs, tickUs: this.etcdOpts.tickUs, electionTicks: this.etcdOpts.raft.electionTicks, oracle: this.oracle, onLeaseRevoke: (node, req) => this.onLeaseRevoke?.(node, req) });
      this.nodes.set(id, node);
      const host = new RaftHost(ctx, {
        peers,
        tickUs: this.etcdOpts.tickUs,
        raft: this.etcdOpts.raft,
        bugs: this.etcdOpts.bugs,
        stateMachine: () => node.sm,
        snapshotEntries: this.etcdOpts.snapshotEntries,
        traceNowUs: this.world ? () => this.world!.nowUs : undefined,
        observer: {
          onStart: (h) => {
            node.host = h;
            this.hosts.set(h.id, h);
          },
          onRole: (_h, role) => node.onRole(role),
        },
        onOtherMessage: (from, msgType, payload) => node.onClientMessage(from, msgType, payload),
      });
      return host;
    };
  }

  /** The live etcd node of an up process. */
  node(id: NodeId): EtcdNode | undefined {
    return this.host(id) ? this.nodes.get(id) : undefined;
  }
}
