// One trial of the Raft paper's leader-election experiment (Ongaro & Ousterhout 2014,
// §9.3, Figure 16), run on the simulated scheduler and network with the real Raft core:
// a leader sends one last heartbeat to its followers, crashes at a uniformly random point
// of its heartbeat interval, and we measure the virtual time until a new leader exists.
//
// Built directly on sim/scheduler + sim/network rather than the full store, so 1,000
// trials per row stay fast: there is no disk (persisting a vote is a fixed delay before
// the acknowledgment leaves) and no trace. Ticks are applied lazily: a node's tick() calls are replayed when it next has something to do,
// and a wake-up is scheduled for the tick at which its election timer fires, which is
// exactly what ticking every millisecond would do, minus the idle events.
import { RawNode } from "../../core/raft/rawnode";
import type { Entry, Message, NodeId, Snapshot } from "../../core/raft/types";
import { Network, type NetworkProfile } from "../../sim/network";
import { RngStreams } from "../../sim/rng";
import { type EventHandle, Scheduler } from "../../sim/scheduler";

export interface ElectionTrialConfig {
  servers: number;
  timeoutMinMs: number;
  timeoutMaxMs: number;
  /** The leader's heartbeat interval; the paper used half the minimum timeout. */
  heartbeatMs: number;
  /** One-way message latency: the paper's cluster had a broadcast time of ~15 ms. */
  network: NetworkProfile;
  /**
   * How many followers (chosen at random) are one entry behind the others, and so can
   * never win: the paper gave servers logs of different lengths.
   */
  laggingFollowers: number;
  /** A trial that elects no leader within this long stops and counts as this long. */
  capMs: number;
  /** Raft tick length: 1 ms gives the paper's ms-resolution timeouts. */
  tickUs: number;
  /**
   * How long persisting a vote or log entry takes: acknowledgments (vote-resp, app-resp)
   * leave only after it. Requests leave at once, the sender's own write overlapping the
   * round trip (as a leader's does in etcd, thesis §10.2.1); the delay is fixed and
   * shorter than any round trip, so a candidate's vote for itself is always durable
   * before it can count the votes that make it leader.
   */
  persistUs: number;
}

export interface ElectionTrialResult {
  /** From the leader's crash to the moment a node becomes leader (virtual ms). */
  timeWithoutLeaderMs: number;
  capped: boolean;
  /** Elections started (candidacies) before one succeeded. */
  candidacies: number;
}

const SNAPSHOT_INDEX = 10;
const LEADER_TERM = 2;
const LEADER_ENTRIES = 4;
const OLD_LEADER: NodeId = 1;
/** Messages that promise something durable (a vote, appended entries). */
const ACKS = new Set<string>(["vote-resp", "app-resp"]);

interface SimNode {
  id: NodeId;
  rn: RawNode;
  /** Virtual time of this node's next tick (its tick phase is random). */
  nextTickUs: number;
  wake: EventHandle | undefined;
}

/** Runs one trial; a pure function of (config, seed, name). */
export function runElectionTrial(cfg: ElectionTrialConfig, seed: number, name: string): ElectionTrialResult {
  const streams = new RngStreams(seed);
  const setup = streams.stream(`${name}:setup`);
  const scheduler = new Scheduler();
  const ids = Array.from({ length: cfg.servers }, (_, i) => i + 1);
  const network = new Network({ ...cfg.network }, streams.stream(`${name}:network`), {
    nowUs: () => scheduler.nowUs,
    schedule: (delayUs, fn) => void scheduler.after(delayUs, fn),
    trace: () => {},
    // The old leader is gone: whatever reaches it is dropped.
    endpointState: (id) => (id === OLD_LEADER ? "down" : "up"),
  });

  const confState = { voters: ids, votersOutgoing: [], learners: [] };
  const snapshot: Snapshot = { index: SNAPSHOT_INDEX, term: 1, confState, data: new Uint8Array(0) };
  const leaderLog: Entry[] = Array.from({ length: LEADER_ENTRIES }, (_, i) => ({ index: SNAPSHOT_INDEX + 1 + i, term: LEADER_TERM, type: "normal" as const, data: new Uint8Array(0) }));

  const nodes = new Map<NodeId, SimNode>();
  let leaderAtUs = -1;
  let candidacies = 0;

  const handleReady = (n: SimNode): void => {
    while (n.rn.hasReady()) {
      const rd = n.rn.ready();
      if (rd.softState?.role === "candidate") candidacies++;
      if (rd.softState?.role === "leader" && leaderAtUs < 0) leaderAtUs = scheduler.nowUs;
      for (const m of rd.messages) {
        if (rd.mustSync && cfg.persistUs > 0 && ACKS.has(m.type)) scheduler.after(cfg.persistUs, () => network.send(m.from, m.to, m.type, m));
        else network.send(m.from, m.to, m.type, m);
      }
      n.rn.advance(rd);
    }
  };

  /** Replays the ticks due by `nowUs` (at most the one that fires the timer). */
  const catchUp = (n: SimNode): void => {
    while (n.nextTickUs <= scheduler.nowUs) {
      n.rn.tick();
      n.nextTickUs += cfg.tickUs;
    }
  };

  const scheduleWake = (n: SimNode): void => {
    scheduler.cancel(n.wake);
    const r = n.rn.raft;
    if (r.role === "leader") return;
    const ticksLeft = Math.max(1, r.randomizedElectionTimeout - r.electionElapsed);
    n.wake = scheduler.at(n.nextTickUs + (ticksLeft - 1) * cfg.tickUs, () => activate(n));
  };

  const activate = (n: SimNode, m?: Message): void => {
    catchUp(n);
    if (m) n.rn.step(m);
    handleReady(n);
    scheduleWake(n);
  };

  const lagging = new Set(setup.shuffle(ids.filter((id) => id !== OLD_LEADER)).slice(0, cfg.laggingFollowers));
  for (const id of ids) {
    if (id === OLD_LEADER) continue;
    const lag = lagging.has(id) ? 1 : 0;
    const rn = new RawNode(
      {
        id,
        electionTicks: cfg.timeoutMinMs * (1_000 / cfg.tickUs),
        electionTicksMax: cfg.timeoutMaxMs * (1_000 / cfg.tickUs),
        heartbeatTicks: Math.max(1, Math.round((cfg.heartbeatMs * 1_000) / cfg.tickUs)),
        // The paper's Raft had neither (they came later, in the thesis).
        preVote: false,
        checkQuorum: false,
        rand: streams.stream(`${name}:raft${id}`),
      },
      { hardState: { term: LEADER_TERM, vote: OLD_LEADER, commit: SNAPSHOT_INDEX }, snapshot, entries: leaderLog.slice(0, LEADER_ENTRIES - lag) },
    );
    const n: SimNode = { id, rn, nextTickUs: setup.int(1, cfg.tickUs + 1), wake: undefined };
    nodes.set(id, n);
    network.register(id, (_from, _type, payload) => activate(n, payload as Message));
  }
  network.register(OLD_LEADER, () => {});

  // The synchronized heartbeat: every follower resets its election timer on it.
  for (const n of nodes.values()) {
    const hb: Message = { type: "heartbeat", from: OLD_LEADER, to: n.id, term: LEADER_TERM, commit: SNAPSHOT_INDEX };
    network.send(OLD_LEADER, n.id, "heartbeat", hb);
    scheduleWake(n);
  }
  // The leader dies somewhere in its heartbeat interval; nothing it would send after that
  // leaves, and nothing before it matters (no timer can fire that early: heartbeat < timeout).
  const crashUs = Math.round(setup.uniform(0, cfg.heartbeatMs * 1_000));
  const capUs = crashUs + cfg.capMs * 1_000;
  while (leaderAtUs < 0 && scheduler.step()) {
    if (scheduler.nowUs > capUs) break;
  }
  if (leaderAtUs < 0) return { timeWithoutLeaderMs: cfg.capMs, capped: true, candidacies };
  return { timeWithoutLeaderMs: Math.max(0, leaderAtUs - crashUs) / 1_000, capped: false, candidacies };
}
