// One randomized Raft run on the simulated world: a steady proposal load, a plan of
// faults (partitions, crashes losing unsynced writes, pauses, slow fsync, clock skew,
// message loss/duplication/reordering) and operations (membership changes with learners,
// removal of the leader and replacement of a voter in one joint change, leader transfers,
// snapshots), then healing and a liveness window. Adversarial triggers crash a node right
// after it grants a vote or acknowledges an append, while its fsync is still in flight:
// the moment that durability bugs show.
// The SafetyMonitor judges the run.
import type { BugSet, CanaryBug } from "../../core/canary";
import { AssertionError } from "../../core/assert";
import { CLOCK_DRIFT_PPM_MAX_DEFAULT } from "../../core/raft/config";
import type { NodeId } from "../trace/types";
import { SafetyMonitor, type SafetyViolation } from "./safety";
import { buildRaftWorld } from "./testkit";

export type FaultKind =
  | "partition" | "isolate" | "one-way" | "heal" | "crash" | "crash-torn" | "pause" | "slow-fsync"
  | "clock-jump" | "clock-drift" | "link-faults" | "add-learner" | "add-voter" | "promote"
  | "remove" | "remove-leader" | "transfer" | "snapshot" | "replace" | "lease-skew";

export interface FaultAction {
  readonly atMs: number;
  readonly kind: FaultKind;
  /** Picks a node (mod the node count) and parameters. */
  readonly a: number;
  readonly b: number;
}

export interface RaftFuzzCase {
  readonly seed: number;
  /** 1, 3 or 5 as the issue asks; 2, 4 or 6 in a quarter of the runs (see raftCaseArb). */
  readonly nodes: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly electionTicks: number;
  readonly smallMessages: boolean;
  readonly snapshotEntries: number;
  /** Probability that a granted vote / an append ack is followed by a crash of its sender. */
  readonly crashAfterVote: number;
  readonly crashAfterAck: number;
  /** Nodes tick in lockstep (simultaneous timeouts: split votes) instead of at random phases. */
  readonly alignedTicks: boolean;
  /**
   * Lease-based reads (thesis §6.4.1; check-quorum on) instead of ReadIndex for the steady
   * read load through every member, judged also by the monitor's lease-read invariant, and
   * clock drift up to the ±20% bound leases are built for (otherwise ±2%).
   */
  readonly leaseReads?: boolean;
  readonly faults: readonly FaultAction[];
  /** The steady load proposes batches (proposeBatch) of 1 to batchMax entries, cycling, instead of one entry. */
  readonly batchMax?: number;
  /** Raft's maxUncommittedEntriesBytes: a leader cut off from its quorum refuses proposals past it. */
  readonly uncommittedBytesMax?: number;
  /**
   * Clients stuck on a deposed leader: each entry of the load is also proposed to every
   * member that still believes it leads an earlier term. Cut off from its quorum, it logs a
   * run of entries nobody else has, which a later leader must overwrite, or, if the others
   * compacted past where that run begins, replace by a snapshot (§7: the log past the
   * snapshot goes unless the snapshot's last entry is in it).
   */
  readonly staleLeaderLoad?: boolean;
}

/** Runs of the Raft property in CI (sim/host/raft.property.test.ts), for the clean property and per canary. */
export const RAFT_PROPERTY_CI_RUNS = 300;

/** The canaries planted in the Raft layer: the Raft property is shown to catch each (the store's own, raftsim fuzz). */
export const RAFT_CANARIES: readonly CanaryBug[] = [
  "ack-before-fsync", "no-truncate-on-conflict", "vote-before-persist", "commit-prior-term", "lease-read-ignores-skew",
  "vote-ignores-log", "heartbeat-commit-unclamped", "read-index-skips-heartbeat", "snapshot-keeps-conflicting-log",
  "joint-quorum-incoming-only", "learner-counts-for-commit", "snapshot-ignores-conf-state", "read-index-before-term-commit",
  "vote-quorum-half",
];

export interface RaftFuzzResult {
  readonly violations: SafetyViolation[];
  readonly elections: number;
  readonly committed: number;
  readonly proposalsOk: number;
  readonly events: number;
}

const MS = 1_000;
/** Clock drift in lease-read runs reaches the bound the lease margin is built for (±20%). */
const LEASE_DRIFT_PPM = CLOCK_DRIFT_PPM_MAX_DEFAULT;
export const FAULT_WINDOW_MS = 3_000;
export const LIVENESS_WINDOW_MS = 3_000;
const MAX_EVENTS = 400_000;
/** An unanswered liveness marker is proposed again after this long. */
const MARKER_RETRY_US = 500 * MS;

export function runRaftCase(c: RaftFuzzCase, bugs: BugSet): RaftFuzzResult {
  const monitor = new SafetyMonitor();
  const tickUs = 10 * MS;
  const { world, system } = buildRaftWorld({
    seed: c.seed,
    nodes: c.nodes,
    tickUs,
    bugs,
    snapshotEntries: c.snapshotEntries,
    observer: monitor,
    alignedTicks: c.alignedTicks,
    raft: {
      electionTicks: c.electionTicks,
      heartbeatTicks: 1,
      preVote: c.preVote,
      checkQuorum: c.checkQuorum || c.leaseReads === true,
      readOnlyOption: c.leaseReads ? "lease-based" : "safe",
      maxSizePerMsgBytes: c.smallMessages ? 1 : 64 * 1024,
      maxInflightMsgs: c.smallMessages ? 4 : 64,
      maxUncommittedEntriesBytes: c.uncommittedBytesMax ?? 0,
    },
  });
  const sched = world.scheduler;
  const rng = world.streams.stream("fuzz-triggers");
  const pick = (a: number): NodeId => {
    const ids = world.allEndpoints();
    return ids[a % ids.length]!;
  };
  const up = (id: NodeId) => world.node(id).status === "up";
  monitor.runningHosts = () => [...system.hosts.values()].filter((h) => up(h.id));

  // Adversarial crash triggers (bounded so the cluster can still make progress).
  let triggered = 0;
  const crashSoon = (id: NodeId) => {
    if (triggered >= 8 || !up(id)) return;
    triggered++;
    sched.after(rng.int(0, 400), () => {
      world.crash(id, rng.chance(0.5) ? "tear-last" : "drop-unsynced");
      sched.after(rng.int(1 * MS, 40 * MS), () => world.restart(id));
    });
  };
  world.trace.observe((e) => {
    if (sched.nowUs >= FAULT_WINDOW_MS * MS) return;
    if (e.type === "vote" && e.granted && rng.chance(c.crashAfterVote)) crashSoon(e.node);
    else if (e.type === "send" && e.msgType === "app-resp" && rng.chance(c.crashAfterAck)) crashSoon(e.from);
  });

  let added = 0;
  for (const f of c.faults) {
    sched.at(f.atMs * MS, () => applyFault(f));
  }
  function applyFault(f: FaultAction): void {
    const n = pick(f.a);
    switch (f.kind) {
      case "partition": {
        const ids = world.allEndpoints();
        const cut = 1 + (f.b % Math.max(1, ids.length - 1));
        const shuffled = ids.map((id, i) => ({ id, k: (i * 7919 + f.a * 31) % 101 })).sort((x, y) => x.k - y.k).map((x) => x.id);
        world.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
        return;
      }
      case "isolate":
        return world.isolate(n);
      case "one-way":
        return world.cutOneWay(n, pick(f.b));
      case "heal":
        return world.heal();
      case "crash":
      case "crash-torn":
        world.crash(n, f.kind === "crash" ? "drop-unsynced" : "tear-last");
        sched.after((5 + (f.b % 500)) * MS, () => world.restart(n));
        return;
      case "pause":
        world.pause(n);
        sched.after((5 + (f.b % 500)) * MS, () => world.resume(n));
        return;
      case "slow-fsync":
        return world.slowFsync(n, 1 + (f.b % 20), f.b % 2 === 0 ? 20 * MS : 0, 300 * MS);
      case "clock-jump":
        return world.clockJump(n, ((f.b % 200) - 100) * MS);
      case "clock-drift":
        return world.clockDrift(n, c.leaseReads ? (f.b % (2 * LEASE_DRIFT_PPM + 1)) - LEASE_DRIFT_PPM : (f.b % 40_001) - 20_000);
      case "link-faults":
        return world.setLinkFaults((f.b % 20) / 100, (f.b % 7) / 100, (f.b % 11) / 100, 5 * MS);
      case "add-learner":
      case "add-voter":
        if (added >= 2) return;
        added++;
        system.addMember(f.kind === "add-learner");
        return;
      case "replace":
        // Counts as an addition: a run spawns at most two new members.
        if (added >= 2) return;
        if (system.replaceMember(n) !== undefined) added++;
        return;
      case "promote":
        return system.promoteLearner();
      case "remove":
        return system.removeMember(n);
      case "remove-leader": {
        const l = system.leader();
        if (l) system.removeMember(l.id);
        return;
      }
      case "transfer":
        return system.transferLeader(f.b % 2 === 0 ? undefined : n);
      case "snapshot":
        return system.snapshot(n);
      case "lease-skew": {
        // The worst the lease bound allows (thesis §6.4.1), aimed: the leader's clock runs
        // slow by the bound and every other clock fast by it, then the leader is cut off
        // from its peers (not its readers). Its lease must lapse before they elect another.
        // The skew ends at the heal. Left on, it is a liveness fault of its own: a member whose
        // clock runs fast and whose log is behind times out first again and again; without
        // pre-vote each of its campaigns restarts the timer of the one member that could win,
        // whose clock runs slow (seed 30003, run 592: two voters, no leader for 3 s after the
        // heal). The isolation too stays inside the fault window, which the heal ends.
        const l = system.leader();
        if (!c.leaseReads || !l) return;
        world.clockSkew(l.id, LEASE_DRIFT_PPM, FAULT_WINDOW_MS * MS - sched.nowUs);
        sched.at(Math.min(f.atMs + (f.b % 200), FAULT_WINDOW_MS - 1) * MS, () => world.isolate(l.id));
        return;
      }
    }
  }

  // Steady load: one entry per 20 ms to whoever leads. With batchMax, a batch of 1..batchMax
  // entries (cycling), the next one after 20 ms per entry: the same 50 entries/s, in another
  // shape. (At a batch every 20 ms, ten times the load outran a cluster held to one entry
  // per message and disrupted by a removed member (no pre-vote): the backlog, not Raft,
  // failed liveness; Raft property seed 29003, run 1759.)
  let proposalsOk = 0;
  let seq = 0;
  let batches = 0;
  const load = () => {
    const l = system.leader();
    const size = (c.batchMax ?? 1) > 1 ? (batches++ % c.batchMax!) + 1 : 1;
    if (l && size > 1) l.proposeBatch(Array.from({ length: size }, () => new TextEncoder().encode(`p${++seq}`)), (r) => r.ok && proposalsOk++);
    else if (l) l.propose(new TextEncoder().encode(`p${++seq}`), (r) => r.ok && proposalsOk++);
    if (c.staleLeaderLoad && l) {
      for (const h of system.hosts.values()) {
        if (h !== l && h.isLeader() && up(h.id)) h.propose(new TextEncoder().encode(`s${++seq}`), (r) => r.ok && proposalsOk++);
      }
    }
    if (sched.nowUs < (FAULT_WINDOW_MS + LIVENESS_WINDOW_MS) * MS) sched.after(size * 20 * MS, load);
  };
  sched.after(20 * MS, load);

  // A read every 5 ms through a random member (a follower asks the leader), by ReadIndex or,
  // with leaseReads, from the leader's lease; the monitor judges each answer's read index.
  {
    const reads = world.streams.stream("fuzz-reads");
    const read = () => {
      const ids = world.allEndpoints().filter(up);
      const h = ids.length > 0 ? system.host(reads.pick(ids)) : undefined;
      h?.readIndex(() => {});
      if (sched.nowUs < (FAULT_WINDOW_MS + LIVENESS_WINDOW_MS) * MS) sched.after(5 * MS, read);
    };
    sched.after(5 * MS, read);
  }

  // Heal everything at the end of the fault window.
  sched.at(FAULT_WINDOW_MS * MS, () => {
    world.heal();
    world.setLinkFaults(0, 0, 0);
    for (const id of world.allEndpoints()) {
      world.resume(id);
      world.restart(id);
    }
  });

  // The marker is proposed through whichever node leads; a proposal to a node that then
  // loses its place (a removed member, say) may never be answered, so after a while it is
  // proposed again through the current leader. Any one of them committing counts.
  let marker = false;
  let pendingSinceUs: number | undefined;
  const probe = () => {
    const l = system.leader();
    const stale = pendingSinceUs !== undefined && sched.nowUs - pendingSinceUs > MARKER_RETRY_US;
    if (l && !marker && (pendingSinceUs === undefined || stale)) {
      pendingSinceUs = sched.nowUs;
      l.propose(new TextEncoder().encode("liveness-marker"), (r) => {
        if (r.ok) marker = true;
        else pendingSinceUs = undefined; // lost leadership: try again on the next probe
      });
    }
    if (!marker) sched.after(50 * MS, probe);
  };
  sched.at((FAULT_WINDOW_MS + 1) * MS, probe);

  try {
    // Run in slices so that a message storm (a livelock) ends the run as a finding.
    const endUs = (FAULT_WINDOW_MS + LIVENESS_WINDOW_MS) * MS;
    for (let t = 100 * MS; t <= endUs; t += 100 * MS) {
      sched.runUntil(t);
      if (sched.eventsRun > MAX_EVENTS) {
        monitor.violations.push({ property: "liveness", message: `event storm: over ${MAX_EVENTS} events by ${t / MS} ms` });
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof AssertionError)) throw err;
    monitor.violations.push({ property: "assertion", message: err.message });
  }
  if ((globalThis as { RAFT_FUZZ_DEBUG?: boolean }).RAFT_FUZZ_DEBUG) {
    for (const id of world.allEndpoints()) {
      const h = system.hosts.get(id);
      if (!h) { console.log(id, "no host", world.node(id).status); continue; }
      const r = h.rn.raft;
      console.log(id, world.node(id).status, r.role, r.term, "lead", r.lead, "commit", r.log.committed, "last", r.log.lastIndex(), "snap", r.log.snapIndex, "applied", r.log.applied, JSON.stringify(r.conf));
      for (const [pid, pr] of r.prs) console.log("   pr", pid, pr.state, pr.match, pr.next, pr.recentActive, pr.probeSent, pr.pendingSnapshot);
    }
  }
  const live = world.allEndpoints().filter(up).map((id) => system.host(id)!).filter(Boolean);
  monitor.checkLogs(live);
  monitor.checkJointLeft(live);
  if (monitor.violations.length === 0 && !marker) {
    monitor.violations.push({
      property: "liveness",
      message: `no proposal committed within ${LIVENESS_WINDOW_MS} ms after healing (leader: ${system.leader()?.id ?? "none"})`,
    });
  }
  return { violations: monitor.violations, elections: monitor.elections, committed: monitor.maxCommitted, proposalsOk, events: sched.eventsRun };
}
