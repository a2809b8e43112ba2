// What the scenario runner needs from the system under test running on the world: the
// program each node runs, a view of who leads, and the operations a fault plan can ask
// for (membership changes, leader transfer, compaction, snapshots). The plain Raft host
// (sim/host) and the etcd store (sim/etcd) implement it.
import type { ProgramFactory } from "./process";
import type { NodeId, Role } from "./trace/types";
import type { World } from "./world";

export interface NodeView {
  role: Role;
  term: number;
  leader: NodeId | null;
}

export interface SystemUnderTest {
  readonly name: string;
  /** The program factory for a node id (used at start, restart and when members join). */
  factory(id: NodeId): ProgramFactory;
  /** Called once after the world is built and nodes are started. */
  attach?(world: World): void;
  /** The node's current view of itself, or undefined if down / not known. */
  view(id: NodeId): NodeView | undefined;
  addMember?(learner: boolean): NodeId | undefined;
  /**
   * Starts the machines of members whose add is still unanswered (it may yet apply, and the
   * cluster may need them for a quorum): what an operator repairing the cluster does, at a
   * heal or a restart of everything down.
   */
  startUnansweredAdds?(): void;
  removeMember?(id: NodeId): void;
  /**
   * Promotes learner `id` (or, without one, any learner), trying up to `attempts` times a
   * little apart while the store says the learner is not in sync yet, as an operator would.
   */
  promoteLearner?(id?: NodeId, attempts?: number): void;
  transferLeader?(to: NodeId | undefined): void;
  compact?(): void;
  snapshot?(id: NodeId): void;
  /** Save a snapshot through the store's API and check a cluster restored from it. */
  snapshotSaveRestore?(id: NodeId): void;
}
