// Builds a simulated world running a Raft cluster (tests, the property test, the bench).
import type { BugSet } from "../../core/canary";
import { NO_BUGS } from "../../core/canary";
import type { TraceSink } from "../trace/log";
import type { NodeId } from "../trace/types";
import { diskProfile, networkProfile, World } from "../world";
import type { HostObserver, RaftTuning } from "./node_host";
import { RaftSystem } from "./system";

export interface RaftWorldOptions {
  seed: number;
  nodes: number;
  disk?: string;
  network?: string;
  tickUs?: number;
  raft?: RaftTuning;
  bugs?: BugSet;
  snapshotEntries?: number;
  observer?: HostObserver;
  keepTrace?: boolean;
  traceSink?: TraceSink;
  alignedTicks?: boolean;
}

export function buildRaftWorld(o: RaftWorldOptions): { world: World; system: RaftSystem } {
  const nodeIds: NodeId[] = Array.from({ length: o.nodes }, (_, i) => i + 1);
  const system = new RaftSystem({
    voters: nodeIds,
    tickUs: o.tickUs ?? 100_000,
    raft: o.raft,
    bugs: o.bugs ?? NO_BUGS,
    snapshotEntries: o.snapshotEntries,
    observer: o.observer,
    alignedTicks: o.alignedTicks,
  });
  const world = new World(
    {
      seed: o.seed,
      scenario: "raft",
      nodeIds,
      disk: { ...diskProfile(o.disk ?? "ssd") },
      network: { ...networkProfile(o.network ?? "lan") },
      config: { nodes: o.nodes },
      keepTrace: o.keepTrace ?? false,
      traceSink: o.traceSink,
    },
    (ctx) => system.factory(ctx.id)(ctx),
  );
  system.attach(world);
  world.startAll();
  return { world, system };
}
