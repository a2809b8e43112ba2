// The Raft core alone, measured beside bench/raft.ts's hosted cluster: the same 5 voters and
// the same load (one 100 B proposal every simulated ms, 100 ms ticks, heartbeat 1 tick,
// election 10 ticks, pre-vote and check-quorum as etcd), but no simulated world: no network
// latency, no disk, no trace, no state machine. Each Ready is "persisted" at once and its
// messages are delivered in order until nothing moves, before the next millisecond. It
// shows how much of the hosted run's cost is the consensus core itself and how much is the
// world around it (the scheduler, lognormal latencies, the WAL and its CRCs, fsync queues,
// trace hashing): a ceiling for the hosted ratio, not the measure.
import { RawNode } from "../core/raft/rawnode";
import type { Message, NodeId } from "../core/raft/types";
import { testRand } from "../core/raft/testing";

const VOTERS: NodeId[] = [1, 2, 3, 4, 5];
const TICK_MS = 100;
/** A bound on delivery rounds per millisecond: the pump must go quiet long before it. */
const PUMP_ROUNDS_MAX = 10_000;

export interface CoreFigures {
  /** The leader's commit index at the end. */
  committed: number;
  /** Entries the slowest node applied. */
  appliedMin: number;
  messages: number;
  readies: number;
}

export function raftCoreWorkload(simSeconds: number): CoreFigures {
  const nodes = new Map<NodeId, RawNode>();
  for (const id of VOTERS) nodes.set(id, new RawNode({ id, peers: VOTERS, rand: testRand(id * 7919), electionTicks: 10, heartbeatTicks: 1, preVote: true, checkQuorum: true }));
  const applied = new Map<NodeId, number>(VOTERS.map((id) => [id, 0]));
  let queue: Message[] = [];
  let messages = 0;
  let readies = 0;
  const pump = () => {
    for (let round = 0; round < PUMP_ROUNDS_MAX; round++) {
      for (const [id, rn] of nodes) {
        if (!rn.hasReady()) continue;
        const rd = rn.ready();
        readies++;
        for (const m of rd.messages) queue.push(m);
        applied.set(id, applied.get(id)! + rd.committedEntries.length);
        rn.advance(rd);
      }
      if (queue.length === 0) return;
      const batch = queue;
      queue = [];
      messages += batch.length;
      for (const m of batch) nodes.get(m.to)?.step(m);
    }
    throw new Error(`raft core bench: no quiet point after ${PUMP_ROUNDS_MAX} delivery rounds`);
  };
  const leaderOf = () => [...nodes.values()].find((rn) => rn.raft.role === "leader");
  const payload = new Uint8Array(100);
  pump();
  for (let ms = 1; ms <= simSeconds * 1_000; ms++) {
    if (ms % TICK_MS === 0) for (const rn of nodes.values()) rn.tick();
    leaderOf()?.propose(payload);
    pump();
  }
  const leader = leaderOf();
  if (!leader) throw new Error("raft core bench: no leader at the end");
  return { committed: leader.raft.log.committed, appliedMin: Math.min(...applied.values()), messages, readies };
}
