// Configuration of one Raft node. Defaults mirror etcd: heartbeat 1 tick, election 10
// ticks (the host ticks every 100 ms by default), pre-vote and check-quorum on.
import type { BugSet } from "../canary";
import { NO_BUGS } from "../canary";
import type { Rand } from "../rand";
import type { Entry, HardState, NodeId, Snapshot } from "./types";

export type ReadOnlyOption = "safe" | "lease-based";

export interface RaftConfig {
  readonly id: NodeId;
  readonly electionTicks?: number;
  /**
   * Largest randomized election timeout, inclusive. Default 2·electionTicks − 1, i.e.
   * etcd's [ET, 2ET). Set it to reproduce the Raft paper's [min, max] ranges (§9.3).
   */
  readonly electionTicksMax?: number;
  readonly heartbeatTicks?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly maxSizePerMsgBytes?: number;
  readonly maxInflightMsgs?: number;
  /**
   * A leader refuses proposals once the payload bytes it took this term and has not yet
   * committed would pass this (etcd-io/raft's MaxUncommittedEntriesSize; one proposal is
   * always taken when none is pending, however large). 0, the default: no limit.
   */
  readonly maxUncommittedEntriesBytes?: number;
  /** "safe": ReadIndex with a heartbeat round (thesis §6.4); "lease-based": thesis §6.4.1. */
  readonly readOnlyOption?: ReadOnlyOption;
  /** Ticks shaved off the lease to cover bounded clock drift between nodes (§6.4.1); default from clockDriftPpmMax. */
  readonly leaseMarginTicks?: number;
  /** The clock drift bound lease reads rely on (parts per million of clock rate). */
  readonly clockDriftPpmMax?: number;
  /**
   * A leader whose removal (C_new without it) commits steps down at once (thesis §4.2.2),
   * by default. false: it leads on, not counting itself and taking no proposals, until its
   * host stops it, as etcd's raft does by default: its appends are how the remaining members
   * learn that C_new committed. Applying configurations at commit (as etcd does), a member
   * that never learns it is left in C_old,new and needs the departed leader's vote.
   */
  readonly stepDownOnRemoval?: boolean;
  /** Draws the randomized election timeout; nothing else in the core is random. */
  readonly rand: { int(minIncl: number, maxExcl: number): number };
  readonly bugs?: BugSet;
  /** Initial voters, used only when `storage` is empty (bootstrap: a config entry at index 1). */
  readonly peers?: readonly NodeId[];
}

/** What the host recovered from stable storage (its WAL and last snapshot). */
export interface RaftStorage {
  readonly hardState: HardState;
  readonly snapshot?: Snapshot;
  /** Entries after the snapshot, contiguous. */
  readonly entries: readonly Entry[];
  /**
   * Raft.removedWhileLeadingAt() as the host last made it durable, if it did: a leader removed
   * and restarted before C_new heard then keeps its right to campaign (Raft.removalSettled).
   */
  readonly removedAsLeaderAt?: number;
}

export interface ResolvedConfig {
  id: NodeId;
  electionTicks: number;
  electionTicksMax: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  maxSizePerMsgBytes: number;
  maxInflightMsgs: number;
  maxUncommittedEntriesBytes: number;
  readOnlyOption: ReadOnlyOption;
  leaseMarginTicks: number;
  stepDownOnRemoval: boolean;
  rand: Pick<Rand, "int">;
  bugs: BugSet;
  peers: readonly NodeId[];
}

/** The simulator's drift faults reach ±20%, far beyond real quartz (~100 ppm), to stress leases. */
export const CLOCK_DRIFT_PPM_MAX_DEFAULT = 200_000;

/**
 * Thesis §6.4.1. A follower that heard the leader refuses votes until its own election
 * timeout has run, which may start one tick early (the tick right after the heartbeat):
 * at least (ET − 1) of its ticks, (ET − 1) / (1 + d) real ticks when its clock runs fast by d.
 * The leader's lease, counted from that heartbeat's send in its own ticks, lasts L / (1 − d)
 * real ticks when its clock runs slow. Safe when L ≤ (ET − 1)(1 − d)/(1 + d).
 */
export function leaseMarginTicksFor(electionTicks: number, driftPpmMax: number): number {
  const d = driftPpmMax / 1_000_000;
  const leaseTicks = Math.floor(((electionTicks - 1) * (1 - d)) / (1 + d));
  return electionTicks - Math.max(0, leaseTicks);
}

export function resolveConfig(c: RaftConfig): ResolvedConfig {
  const r: ResolvedConfig = {
    id: c.id,
    electionTicks: c.electionTicks ?? 10,
    electionTicksMax: c.electionTicksMax ?? 2 * (c.electionTicks ?? 10) - 1,
    heartbeatTicks: c.heartbeatTicks ?? 1,
    preVote: c.preVote ?? true,
    checkQuorum: c.checkQuorum ?? true,
    maxSizePerMsgBytes: c.maxSizePerMsgBytes ?? 1024 * 1024,
    maxInflightMsgs: c.maxInflightMsgs ?? 256,
    maxUncommittedEntriesBytes: c.maxUncommittedEntriesBytes ?? 0,
    readOnlyOption: c.readOnlyOption ?? "safe",
    leaseMarginTicks: c.leaseMarginTicks ?? leaseMarginTicksFor(c.electionTicks ?? 10, c.clockDriftPpmMax ?? CLOCK_DRIFT_PPM_MAX_DEFAULT),
    stepDownOnRemoval: c.stepDownOnRemoval ?? true,
    rand: c.rand,
    bugs: c.bugs ?? NO_BUGS,
    peers: c.peers ?? [],
  };
  if (!(Number.isInteger(r.maxUncommittedEntriesBytes) && r.maxUncommittedEntriesBytes >= 0)) {
    throw new Error(`raft: maxUncommittedEntriesBytes must be an integer >= 0 (0: no limit), got ${r.maxUncommittedEntriesBytes}`);
  }
  if (!(r.id > 0 && Number.isInteger(r.id))) throw new Error(`raft: id must be a positive integer, got ${r.id}`);
  if (!(r.heartbeatTicks >= 1 && r.electionTicks > r.heartbeatTicks)) {
    throw new Error(`raft: need electionTicks > heartbeatTicks >= 1, got ${r.electionTicks}/${r.heartbeatTicks}`);
  }
  if (!(Number.isInteger(r.electionTicksMax) && r.electionTicksMax >= r.electionTicks)) {
    throw new Error(`raft: need electionTicksMax >= electionTicks, got ${r.electionTicksMax}/${r.electionTicks}`);
  }
  if (r.readOnlyOption === "lease-based" && !r.checkQuorum) {
    // Thesis §6.4.1: the lease is only sound when a partitioned leader steps down.
    throw new Error("raft: lease-based reads require checkQuorum");
  }
  return r;
}
