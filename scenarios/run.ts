// Runs one scenario with one seed: builds the world, starts the system under test and its
// workload, plays the fault plan, then runs the checks. A pure function of (seed, scenario,
// bugs): the trace hash proves it.
import { worldClientTransport } from "../sim/client_transport";
import { AssertionError } from "../core/assert";
import type { BugSet } from "../core/canary";
import { NO_BUGS } from "../core/canary";
import { ClientSession } from "../core/client/session";
import { MSG_CLIENT_RESPONSE, type ClientResponseMsg } from "../core/client/protocol";
import { EtcdSystem } from "../sim/etcd/system";
import { SafetyBreach } from "../sim/host/safety";
import { checkConvergence, checkDurability, checkLinearizability, checkWatchRules, type CheckOutcome, type Replica } from "./checks";
import { HistoryRecorder } from "./workload/history";
import { startKvWorkload } from "./workload/kv";
import { startWatchers } from "./workload/watchers";
import { startKubernetesWorkload } from "./workload/kubernetes";
import { REGISTRY_END, REGISTRY_PREFIX } from "./workload/kubernetes-objects";
import { checkKubernetes } from "./checks-kubernetes";
import type { TraceSink } from "../sim/trace/log";
import type { NodeId } from "../sim/trace/types";
import { diskProfile, networkProfile, World } from "../sim/world";
import { type Election, RunElections } from "./elections";
import { currentLeader, scheduleFaults } from "./faults";
import { catchingUp, catchUpMark, caughtUpSome, type CatchUpMark } from "./catch_up";
import { compactRevisionsOf } from "./checks";
import { checkLeases } from "./lease_check";
import { ALL_CHECKS, type CheckName, type Scenario } from "./types";

import type { CheckResult } from "./checks";
export type { CheckResult };

export interface Violation {
  check: CheckName | string;
  message: string;
}

export interface OpsSummary {
  total: number;
  ok: number;
  failed: number;
  unknown: number;
  byType: Record<string, number>;
  /** Watch activity: streams opened and responses received (events and progress). */
  watch: { streams: number; responses: number; events: number };
}

export interface RunResult {
  seed: number;
  scenario: string;
  traceHash: string;
  /**
   * The trace hash before the checks record their verdicts: the run itself. Equal run hashes
   * and different trace hashes mean the same run judged differently (a checker changed).
   */
  runHash: string;
  simulatedMs: number;
  events: number;
  messages: number;
  elections: Election[];
  ops: OpsSummary;
  /** The five checks, plus "invariants": an assertion inside the store failed during the run. */
  checks: Record<CheckName, CheckResult> & { invariants?: CheckResult };
  violations: Violation[];
  /** Why each check that says "unknown" could not decide (its own words, shortened). */
  unknownReasons: Partial<Record<CheckName, string>>;
}

export interface RunOptions {
  seed: number;
  scenario: Scenario;
  bugs?: BugSet;
  traceSink?: TraceSink;
  keepTrace?: boolean;
  /** Let the run go on past a Raft safety breach (default: stop there); tests use it to see what clients saw. */
  continuePastBreach?: boolean;
}

/** Builds the system under test for a scenario: the etcd store on Raft. */
export function buildSystem(scenario: Scenario, nodeIds: NodeId[], bugs: BugSet): EtcdSystem {
  const c = scenario.cluster;
  return new EtcdSystem({
    voters: nodeIds,
    tickUs: c.tickMs * 1_000,
    raft: {
      electionTicks: c.electionTicks,
      heartbeatTicks: c.heartbeatTicks,
      preVote: c.preVote,
      checkQuorum: c.checkQuorum,
      readOnlyOption: c.readMode === "lease" ? "lease-based" : "safe",
      ...(c.maxSizePerMsgBytes !== undefined ? { maxSizePerMsgBytes: c.maxSizePerMsgBytes } : {}),
      ...(c.maxInflightMsgs !== undefined ? { maxInflightMsgs: c.maxInflightMsgs } : {}),
    },
    bugs,
    snapshotEntries: c.snapshotEntries,
    alignedTicks: c.alignedTicks ?? false,
    ...(c.watchFragmentBytes !== undefined ? { watchFragmentBytes: c.watchFragmentBytes } : {}),
  });
}

/** Election timeouts after the heal within which liveness wants a leader and a write. */
export const LIVENESS_ELECTION_TIMEOUTS = 20;
/**
 * Without pre-vote, a member whose log is behind still campaigns, and every campaign it
 * loses bumps the term and restarts everyone's election timer, as etcd's raft does; only a
 * member with an up-to-date log can win, and only by timing out first (thesis §9.6; pre-vote
 * exists for this). Members behind on fast clocks win that race most rounds, and the rounds
 * add up: in the clean seed-9 campaign's case (4 members, pre-vote off, the two stale ones on
 * clocks 10% and 20% fast), 300 simulation seeds took a median 0.56 s, p99 9.7 s and at most
 * 29.6 s to a write (with ReadIndex reads instead of the lease, whose restarted members hold
 * their votes: 0.27 s, 11.4 s, 23.1 s); with pre-vote, at most 2.6 s (`npm run bench:liveness`). A cluster
 * without pre-vote gets this many election timeouts. A disruption that never ends still fails.
 */
export const LIVENESS_ELECTION_TIMEOUTS_NO_PRE_VOTE = 100;

/** After the fault plan, everything heals; liveness wants a leader and a write within this. */
export function livenessBoundUs(scenario: Scenario): number {
  const timeouts = scenario.cluster.preVote ? LIVENESS_ELECTION_TIMEOUTS : LIVENESS_ELECTION_TIMEOUTS_NO_PRE_VOTE;
  return timeouts * electionTimeoutUs(scenario);
}

/** How long every checked run goes on after the heal (then CONVERGE_US more), whatever the bound. */
function recoveryRunUs(scenario: Scenario): number {
  return LIVENESS_ELECTION_TIMEOUTS * electionTimeoutUs(scenario);
}

function electionTimeoutUs(scenario: Scenario): number {
  return scenario.cluster.electionTicks * scenario.cluster.tickMs * 1_000;
}
/** Then the cluster gets this long to catch up before replicas are compared. */
const CONVERGE_US = 3_000_000;
/** Past the usual run length, how often to look whether the probe's write has succeeded. */
const PROBE_WAIT_STEP_US = 1_000_000;
/**
 * Replicas caught applying the last entries (a lease the leader revoked just before the end)
 * sit at different applied indexes, and convergence compares only equal ones: the run goes
 * on in steps of this much while no two live replicas share an index, up to SETTLE_MAX_US.
 */
const SETTLE_STEP_US = 100_000;
/** At most this much past the liveness bound for a leader catching up a voter it needs. */
const CATCH_UP_WAIT_MAX_US = 60_000_000;
const SETTLE_MAX_US = 1_000_000;
const PROBE_CLIENT_ID = 99;
const LESSOR_CLIENT_ID_BASE = 10_000;

export function runScenario(options: RunOptions): RunResult & { world: World; recorder: HistoryRecorder; system: EtcdSystem } {
  const { seed, scenario } = options;
  const bugs = options.bugs ?? NO_BUGS;
  const nodeIds = Array.from({ length: scenario.cluster.nodes }, (_, i) => i + 1);
  const system = buildSystem(scenario, nodeIds, bugs);
  // The first Raft safety breach ends the run: what follows is not the store under test any
  // more, and diverged logs can exchange appends and rejections without end.
  system.safety.stopOnViolation = options.continuePastBreach !== true;
  const world = new World(
    {
      seed,
      scenario: scenario.name,
      nodeIds,
      disk: diskProfile(scenario.cluster.disk),
      network: networkProfile(scenario.cluster.network),
      config: { scenario, bugs: [...bugs].sort() },
      ...(options.traceSink ? { traceSink: options.traceSink } : {}),
      keepTrace: options.keepTrace ?? false,
    },
    (ctx) => system.factory(ctx.id)(ctx),
  );
  const elections = new RunElections();
  world.trace.observe((e) => elections.observe(e), RunElections.TYPES);
  system.attach(world);
  scenario.cluster.clockDriftPpm?.forEach((ppm, i) => {
    if (ppm !== 0) world.clockDrift(nodeIds[i]!, ppm);
  });
  world.startAll();
  scheduleFaults(world, system, scenario.faults);

  const recorder = new HistoryRecorder(world);
  // Leases the leader expires are revoked through Raft by the server itself: record each
  // revoke as an operation of its own (a client of one op), so the model knows of it.
  let lessorClientNext = LESSOR_CLIENT_ID_BASE;
  system.onLeaseRevoke = (node, request) => {
    const op = recorder.invoke(lessorClientNext++, "lease-expire", request, node);
    return (response) => recorder.complete(op, response && !("error" in response) ? "ok" : response ? "fail" : "unknown", response);
  };
  // Clients know the machines that run: a member whose add was refused never does.
  const members = () => world.allEndpoints().filter((id) => world.node(id).starts > 0);
  const endUs = scenario.durationMs * 1_000;
  const kubernetes = scenario.workload.kind === "kubernetes" && scenario.workload.clients > 0 ? startKubernetesWorkload(world, scenario, members, recorder) : undefined;
  const workload = scenario.workload.kind === "none" || scenario.workload.clients === 0 ? undefined : (kubernetes ?? startKvWorkload(world, scenario.workload, members, recorder, world.streams.stream("workload")));
  const watchRange = scenario.workload.kind === "kubernetes" ? { key: REGISTRY_PREFIX, rangeEnd: REGISTRY_END } : undefined;
  const watchers = scenario.workload.kind === "none" ? [] : startWatchers(world, world.streams.stream("watchers"), scenario.workload.watchers, members, 500_000, watchRange, scenario.workload.api);
  // A broken invariant inside a node is a finding of this run, not a crash of the harness.
  let invariant: string | undefined;
  const runTo = (timeUs: number) => {
    if (invariant !== undefined) return;
    try {
      world.scheduler.runUntil(timeUs);
    } catch (error) {
      if (!(error instanceof AssertionError)) throw error;
      if (error instanceof SafetyBreach) {
        invariant = `at ${Math.round(world.nowUs / 1_000)} ms: ${error.message}`;
        return;
      }
      const assertion = `at ${Math.round(world.nowUs / 1_000)} ms: ${error.message}`;
      // The monitor records breaches as they happen: one already there came first, and the
      // assertion is likely its consequence (two leaders in a term, say, then a torn log).
      const earlier = system.safety.violations[0];
      invariant = earlier ? `raft ${earlier.property}: ${earlier.message} (later, ${assertion})` : assertion;
    }
  };
  runTo(endUs);

  // Heal: every fault ends, so liveness and convergence can be judged.
  workload?.stop();
  heal(world, system);
  const probe = livenessProbe(world, system, recorder, members, scenario, endUs);
  // No checks asked for (determinism tests, benchmarks): no need to wait for recovery.
  if (scenario.checks.length > 0) {
    // A longer bound (no pre-vote) lengthens only the runs that need it: the rest stay as
    // long, and their traces as they were.
    const deadlineUs = endUs + livenessBoundUs(scenario);
    // What the leader knows of its voters' catch-up a step before the bound and at it, read
    // on the way past (reading changes nothing in the run): the evidence for waiting longer.
    const marks: { atUs: number; mark: CatchUpMark | undefined }[] = [{ atUs: deadlineUs - PROBE_WAIT_STEP_US, mark: undefined }, { atUs: deadlineUs, mark: undefined }];
    const advance = (toUs: number) => {
      for (const m of marks) {
        if (world.nowUs >= m.atUs || m.atUs > toUs) continue;
        runTo(m.atUs);
        m.mark = catchUpMark(system);
      }
      runTo(toUs);
    };
    advance(endUs + recoveryRunUs(scenario) + CONVERGE_US);
    if (!probe.succeeded() && world.nowUs < deadlineUs) {
      while (!probe.succeeded() && world.nowUs < deadlineUs && invariant === undefined) advance(Math.min(deadlineUs, world.nowUs + PROBE_WAIT_STEP_US));
      runTo(world.nowUs + CONVERGE_US);
    }
    const before = marks[0]!.mark;
    const atBound = marks[1]!.mark;
    // A leader that finished catching up a voter its quorum needed in the second before the
    // bound: the probe's next attempt (it pauses 200 ms after a failed one) may land just
    // past it, so the bound moves by one step (seed 156 with 2 members at 12 rounds, run
    // 8226: the new voter caught up 300 ms before the bound, and the write that was in
    // flight then came back 22 ms after). Only runs whose write missed the bound change.
    if (invariant === undefined && !probe.succeededBy(deadlineUs) && before !== undefined && before.behind > 0 && atBound !== undefined && atBound.behind === 0 && caughtUpSome(before, atBound)) {
      const graceUntilUs = deadlineUs + PROBE_WAIT_STEP_US;
      world.record({ tUs: world.nowUs, type: "note", node: atBound.leader, text: `liveness: leader ${atBound.leader} caught up its ${before.behind} voter(s) behind in the second before the bound: the bound moves ${PROBE_WAIT_STEP_US / 1_000} ms` });
      probe.extendTo(graceUntilUs);
      if (!probe.succeeded() && world.nowUs < graceUntilUs) runTo(graceUntilUs);
    }
    // Past the bound, a leader that was catching up a voter its quorum needs when the bound
    // came (behind its commit index, or behind a backlog at the end of its log that the
    // probe's write waits behind) gets more time, in steps, for as long as each step shows
    // progress (scenarios/catch_up.ts). Anything else that failed the bound still fails.
    if (!probe.succeeded() && invariant === undefined && atBound !== undefined && catchingUp(atBound) && caughtUpSome(before, atBound)) {
      const waitUntilUs = world.nowUs + CATCH_UP_WAIT_MAX_US;
      let mark = atBound;
      const behindText = mark.behind > 0 ? `${mark.behind} voter(s) behind its commit index ${mark.committed}` : `${mark.backlogBehind} voter(s) behind its last index ${mark.last} (commit index ${mark.committed})`;
      world.record({ tUs: world.nowUs, type: "note", node: mark.leader, text: `liveness: past the bound, leader ${mark.leader} was catching up ${behindText}: waiting on while it makes progress` });
      while (!probe.succeeded() && invariant === undefined && world.nowUs < waitUntilUs) {
        const next = catchUpMark(system);
        if (!caughtUpSome(mark, next)) break;
        mark = next!;
        probe.extendTo(world.nowUs + PROBE_WAIT_STEP_US);
        runTo(world.nowUs + PROBE_WAIT_STEP_US);
      }
      if (probe.succeeded()) runTo(world.nowUs + CONVERGE_US);
    }
    if (scenario.checks.includes("convergence")) {
      const settle = () => {
        const settleUntilUs = world.nowUs + SETTLE_MAX_US;
        while (invariant === undefined && world.nowUs < settleUntilUs && replicasApart(world, system)) runTo(world.nowUs + SETTLE_STEP_US);
      };
      const beforeSettle = appliedSpread(world, system);
      settle();
      // Still apart after the settling second, with the replica furthest behind closing in on
      // the one ahead through it (one entry per append, four in flight, on an HDD: the
      // fuzzer's small-messages setting; seed 154 with 3 members at 16 rounds, run 59162,
      // ended 548 entries behind): it gets more time, in 1 s steps, for as long as each step
      // closes the gap, then the settling again. A member that does not move (one whose add
      // never applied, at index 0) gets none, and its run stays as it was.
      let spread = appliedSpread(world, system);
      if (invariant === undefined && replicasApart(world, system) && gaining(beforeSettle, spread)) {
        world.record({ tUs: world.nowUs, type: "note", text: `convergence: replicas apart, the one furthest behind catching up (applied ${spread!.min} of ${spread!.max}): waiting on while it gains` });
        const waitUntilUs = world.nowUs + CATCH_UP_WAIT_MAX_US;
        while (invariant === undefined && world.nowUs < waitUntilUs && replicasApart(world, system)) {
          runTo(world.nowUs + PROBE_WAIT_STEP_US);
          const next = appliedSpread(world, system);
          if (!gaining(spread, next)) break;
          spread = next;
        }
        settle();
      }
    }
  }
  recorder.closeOutstanding();
  // Raft's own safety (election safety, leader completeness, log matching, commit rule),
  // watched on every member throughout: a breach is an invariants finding.
  const upHosts = world.allEndpoints().filter((id) => world.node(id).status === "up").map((id) => system.hosts.get(id)).filter((h) => h !== undefined);
  system.safety.stopOnViolation = false;
  system.safety.checkLogs(upHosts);
  system.safety.checkJointLeft(upHosts);
  const breach = system.safety.violations[0];
  if (invariant === undefined && breach) invariant = `raft ${breach.property}: ${breach.message}`;

  const checks = Object.fromEntries(ALL_CHECKS.map((c) => [c, "skipped"])) as RunResult["checks"];
  const violations: Violation[] = [];
  const replicas: Replica[] = [];
  for (const id of world.allEndpoints()) {
    const node = system.node(id);
    if (node) replicas.push({ node: id, appliedIndex: node.server.appliedIndex(), server: node.server });
  }
  const outcomes: Partial<Record<CheckName, () => CheckOutcome>> = {
    linearizability: () => checkLinearizability(recorder, system.oracle.storeEvents(), system.oracle.compactions(), system.oracle.revisionsProposedAtUs()),
    durability: () => checkDurability(recorder, replicas),
    convergence: () => {
      const c = checkConvergence(replicas, { shared: system.oracle.stateCheckpointsShared(), mismatches: system.oracle.stateMismatches });
      if (system.oracle.mismatches.length > 0) return { result: "fail", messages: [...system.oracle.mismatches.slice(0, 5), ...c.messages] };
      return c;
    },
    watch: () => checkWatchRules(watchers.flatMap((w) => w.histories), system.oracle.storeEvents(), compactRevisionsOf(recorder)),
    liveness: () => probe.outcome(),
    kubernetes: () => checkKubernetes(kubernetes?.record, system.oracle.storeEvents()),
    leases: () => checkLeases(recorder.ops, scenario),
  };
  const details: Partial<Record<CheckName, unknown>> = {};
  const unknownReasons: Partial<Record<CheckName, string>> = {};
  checks.invariants = invariant === undefined ? "pass" : "fail";
  if (invariant !== undefined) violations.push({ check: "invariants", message: invariant });
  for (const check of invariant === undefined || options.continuePastBreach === true ? scenario.checks : []) {
    const outcome = outcomes[check]!();
    checks[check] = outcome.result;
    details[check] = outcome.detail;
    for (const message of outcome.messages) if (outcome.result === "fail") violations.push({ check, message });
    if (outcome.result === "unknown") unknownReasons[check] = unknownReason(outcome.messages);
  }
  const runHash = world.trace.digestSoFar();
  for (const [check, result] of Object.entries(checks)) {
    const detail = details[check as CheckName];
    if (check === "invariants" && result === "pass") continue;
    const message = violations.filter((v) => v.check === check).map((v) => v.message).join("; ");
    world.record({ tUs: world.nowUs, type: "check", check, result, ...(message ? { message } : {}), ...(result === "fail" && detail !== undefined ? { detail } : {}) });
  }
  const traceHash = world.trace.finish();
  return {
    seed,
    scenario: scenario.name,
    traceHash,
    runHash,
    simulatedMs: Math.round(world.nowUs / 1_000),
    events: world.scheduler.eventsRun,
    messages: world.network.messagesSent,
    elections: elections.elections,
    ops: withWatchActivity(recorder.summary(), watchActivity(watchers.flatMap((w) => w.histories))),
    checks,
    violations,
    unknownReasons,
    world,
    recorder,
    system,
  };
}

/** A reason is one line for a summary: a long one (a list of replicas, say) is cut. */
const UNKNOWN_REASON_CHARS_MAX = 160;

function unknownReason(messages: readonly string[]): string {
  const text = messages.join("; ") || "no reason given";
  return text.length <= UNKNOWN_REASON_CHARS_MAX ? text : `${text.slice(0, UNKNOWN_REASON_CHARS_MAX - 1)}…`;
}

/** The applied index of each live replica (a machine that is up and runs a member). */
function liveAppliedIndexes(world: World, system: EtcdSystem): number[] {
  const indexes: number[] = [];
  for (const id of world.allEndpoints()) {
    const node = world.node(id).status === "up" ? system.node(id) : undefined;
    if (node) indexes.push(node.server.appliedIndex());
  }
  return indexes;
}

/** The lowest and highest applied index of live replicas that have applied anything (undefined: fewer than two). */
function appliedSpread(world: World, system: EtcdSystem): { min: number; max: number } | undefined {
  const applied = liveAppliedIndexes(world, system).filter((index) => index > 0);
  return applied.length >= 2 ? { min: Math.min(...applied), max: Math.max(...applied) } : undefined;
}

/** Whether the replica furthest behind moved up and the gap to the one ahead shrank. */
function gaining(before: { min: number; max: number } | undefined, after: { min: number; max: number } | undefined): boolean {
  return before !== undefined && after !== undefined && after.min > before.min && after.max - after.min < before.max - before.min;
}

/** Two or more live replicas, no two of them at the same applied index. */
function replicasApart(world: World, system: EtcdSystem): boolean {
  const indexes = liveAppliedIndexes(world, system);
  return indexes.length >= 2 && new Set(indexes).size === indexes.length;
}

function heal(world: World, system: EtcdSystem): void {
  world.faultsEnded = true;
  world.heal();
  world.setLinkFaults(0, 0, 0);
  for (const id of world.allEndpoints()) {
    const p = world.node(id);
    if (p.status === "down") world.restart(id);
    else if (p.status === "paused") world.resume(id);
    world.releaseDisk(id);
    world.clearFsyncErrors(id);
  }
  system.startUnansweredAdds();
}

/** Liveness: after healing, a leader emerges and a client write succeeds within the bound. */
function livenessProbe(world: World, system: EtcdSystem, recorder: HistoryRecorder, members: () => number[], scenario: Scenario, healedAtUs: number) {
  let succeededAtUs: number | undefined;
  const session = new ClientSession(PROBE_CLIENT_ID, members(), worldClientTransport(world, PROBE_CLIENT_ID), 500_000, world.streams.stream("probe"));
  world.network.register(PROBE_CLIENT_ID, (from, msgType, payload) => {
    if (msgType === MSG_CLIENT_RESPONSE) session.onResponse(from, payload as ClientResponseMsg);
  });
  const boundUs = healedAtUs + livenessBoundUs(scenario);
  /** The bound, or later while a voter the quorum needs catches up (extendTo). */
  let deadlineUs = boundUs;
  let attempt = 0;
  const tryOnce = () => {
    if (succeededAtUs !== undefined || world.nowUs > deadlineUs || session.busy) return;
    // A machine whose process is down (crashed, or fail-stopped after its removal) refuses the
    // connection, and clientv3 moves on to its next endpoint at once; only a member that
    // accepts the connection can hold a request until it times out.
    session.setMembers(members().filter((id) => world.node(id).status !== "down"));
    const request = { type: "put" as const, key: "probe", value: `p${++attempt}` };
    const op = recorder.invoke(PROBE_CLIENT_ID, "put", request, session.member);
    session.request(request, (outcome) => {
      recorder.complete(op, outcome.status, outcome.status === "unknown" ? null : outcome.response);
      if (outcome.status === "ok") succeededAtUs = world.nowUs;
      else world.scheduler.after(200_000, tryOnce);
    });
  };
  world.scheduler.at(healedAtUs, tryOnce);
  return {
    succeeded: () => succeededAtUs !== undefined,
    succeededBy: (us: number) => succeededAtUs !== undefined && succeededAtUs <= us,
    /** Allows attempts until `untilUs` (a leader catching up a voter its quorum needs). */
    extendTo: (untilUs: number) => {
      const stopped = world.nowUs > deadlineUs && !session.busy && succeededAtUs === undefined;
      deadlineUs = Math.max(deadlineUs, untilUs);
      if (stopped) tryOnce();
    },
    outcome: (): CheckOutcome => {
      if (succeededAtUs !== undefined && succeededAtUs <= deadlineUs) {
        const recoveredMs = Math.round((succeededAtUs - healedAtUs) / 1_000);
        // Past the bound only by waiting on a voter's catch-up: say so.
        return { result: "pass", messages: [], detail: { recoveredMs, ...(succeededAtUs > boundUs ? { waitedForCatchUpMs: Math.round((succeededAtUs - boundUs) / 1_000) } : {}) } };
      }
      // Members up with no configuration at all: those that lost their bootstrap, and joiners
      // whose add never applied (they wait for a leader that can never be elected).
      const unconfigured = members().filter((id) => {
        const host = system.hosts.get(id);
        return host !== undefined && host.rn.raft.conf.voters.length === 0 && world.node(id).status === "up";
      });
      const lost = unconfigured.filter((id) => system.hosts.get(id)!.bootstrapLost);
      if (lost.length > 0 && unconfigured.length === members().length) {
        // Not a finding: etcd 3.4 restarts the same way and stays stuck (a known limit).
        const joiners = unconfigured.length - lost.length;
        return { result: "unknown", messages: [`every member (${lost.join(", ")}) lost its bootstrap to a torn first WAL write, so none holds a configuration to campaign with (etcd 3.4 too)${joiners > 0 ? `; ${joiners} added member(s) never joined` : ""}`] };
      }
      const leader = currentLeader(world, system);
      const waited = deadlineUs > boundUs ? `, then ${Math.round((deadlineUs - boundUs) / 1_000)} ms more while a voter caught up` : "";
      return { result: "fail", messages: [`no client write succeeded within ${livenessBoundUs(scenario) / 1_000} ms after faults healed${waited} (leader now: ${leader ?? "none"}; ${attempt} attempts)`] };
    },
  };
}

/** byType gains "watch" (responses received; watch traffic is not in `total`, which counts requests). */
function withWatchActivity(summary: Omit<RunResult["ops"], "watch">, watch: RunResult["ops"]["watch"]): RunResult["ops"] {
  const byType = watch.responses > 0 ? Object.fromEntries(Object.entries({ ...summary.byType, watch: watch.responses }).sort()) : summary.byType;
  return { ...summary, byType, watch };
}

function watchActivity(histories: { responses: { events: unknown[] }[] }[]): { streams: number; responses: number; events: number } {
  let responses = 0;
  let events = 0;
  for (const h of histories) {
    responses += h.responses.length;
    for (const r of h.responses) events += r.events.length;
  }
  return { streams: histories.length, responses, events };
}
