// fast-check arbitraries for fuzzed scenarios: cluster, workload and a swarm-style fault
// plan. Swarm testing (as in TigerBeetle's VOPR): every run draws its own mix of enabled
// fault families and its own intensity, so rare combinations are not drowned out by an
// average that spreads every fault thinly over every run.
//
// Everything is generated as raw, freely shrinkable data (records, arrays, booleans,
// integers) and turned into a Scenario by one `.map`, so fast-check's shrinker can remove
// fault steps, switch off whole fault families (mask → false), lower the intensity and
// simplify the workload, and every candidate is still a valid scenario.
import fc from "fast-check";
import { CLOCK_DRIFT_PPM_MAX_DEFAULT } from "../../core/raft/config";
import { validateScenario } from "../validate";
import { ALL_CHECKS, CRASH_TRIGGERS, type ClusterSpec, type CrashTrigger, DEFAULT_CLUSTER, type FaultStep, type NodeSelector, type Scenario, type WorkloadSpec } from "../types";

/** Fault families that a run switches on or off as a whole (the swarm mask). */
export const FAULT_FAMILIES = ["network", "link", "process", "pause", "disk", "clock", "membership", "maintenance"] as const;
export type FaultFamily = (typeof FAULT_FAMILIES)[number];

/**
 * Simulated time between the heal phase and the end of the workload: some traffic on a
 * healed cluster. (The runner then heals again and gives liveness and convergence their
 * own time, so this need not be long.)
 */
export const SETTLE_MS = 1_000;
/** Bounds of the window in which faults fire; the heal phase runs at its end. */
export const FAULT_WINDOW_MIN_MS = 1_000;
export const FAULT_WINDOW_MAX_MS = 3_000;
/** Raw steps drawn per run before the swarm mask and intensity cut them down. */
const RAW_STEPS_MAX = 24;
/** At most this many fault steps reach the plan (before the heal phase). */
export const INTENSITY_MAX = 12;

/** A node selector before it is fitted to the cluster size. */
type RawSelector = { kind: "leader" | "follower" | "random" } | { kind: "id"; index: number };

/** One drawn fault, its time as a fraction (per mille) of the fault window. */
type RawStep = { atPermille: number; family: FaultFamily; make: (ctx: StepContext) => FaultStep | undefined };

interface StepContext {
  atMs: number;
  healAtMs: number;
  nodes: number;
  readMode: ClusterSpec["readMode"];
  sel(raw: RawSelector): NodeSelector;
}

export interface FuzzCaseRaw {
  cluster: Pick<ClusterSpec, "nodes" | "disk" | "network" | "preVote" | "checkQuorum" | "readMode" | "snapshotEntries" | "tickMs" | "electionTicks" | "clockDriftPpm"> & { smallMessages: boolean; alignedTicks: boolean };
  workload: WorkloadSpec;
  mask: Record<FaultFamily, boolean>;
  intensity: number;
  windowMs: number;
  steps: RawStep[];
  /** ClusterSpec.watchFragmentBytes, or etcd's default. */
  watchFragmentBytes?: number | undefined;
  /** With lease reads: the aimed drift-and-isolate steps (leaseSkewSteps). */
  leaseSkew?: LeaseSkew | undefined;
}

interface LeaseSkew {
  atPermille: number;
  isolateAfterMs: number;
}

/** The drift bound lease reads are built for (core/raft/config.ts), as the aimed steps use it. */
const LEASE_SKEW_PPM = CLOCK_DRIFT_PPM_MAX_DEFAULT;
const LEASE_SKEW_ISOLATE_AFTER_MS_MAX = 200;

const selectorArb: fc.Arbitrary<RawSelector> = fc.oneof(
  fc.constantFrom<RawSelector>({ kind: "leader" }, { kind: "follower" }, { kind: "random" }),
  fc.nat({ max: 8 }).map((index): RawSelector => ({ kind: "id", index })),
);

const atArb = fc.integer({ min: 0, max: 1_000 });
/** Drawn watch fragment sizes: from about two small events a fragment to a dozen. */
const WATCH_FRAGMENT_BYTES_MIN = 150;
const WATCH_FRAGMENT_BYTES_MAX = 2_000;
/** A duration that never outlasts the fault window: the heal phase must find a healed world. */
const windowed = (ctx: StepContext, ms: number) => Math.max(1, Math.min(ms, ctx.healAtMs - ctx.atMs));

function step(family: FaultFamily, fields: fc.Arbitrary<(ctx: StepContext) => FaultStep | undefined>): fc.Arbitrary<RawStep> {
  return fc.record({ atPermille: atArb, make: fields }).map(({ atPermille, make }) => ({ atPermille, family, make }));
}

/** A weighted choice: the classic triggers (partitions, crashes) come up more often. */
const w = (weight: number, arbitrary: fc.Arbitrary<RawStep>) => ({ weight, arbitrary });

const stepArb: fc.Arbitrary<RawStep> = fc.oneof(
  // network: partitions, isolation, one-way cuts, clogged links
  w(3, step("network", selectorArb.map((s) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "isolate", node: c.sel(s) })))),
  // A split by a bit mask over node ids, fitted to the cluster size when the plan is built.
  w(3, step("network", fc.nat({ max: 255 }).map((bits) => (c: StepContext): FaultStep => {
    const groups: number[][] = [[], []];
    for (let id = 1; id <= c.nodes; id++) groups[(bits >> (id - 1)) & 1]!.push(id);
    // Never a no-op: when the mask puts everyone on one side, node 1 goes to the other.
    if (c.nodes > 1 && groups.some((g) => g.length === 0)) groups.sort((a, b) => a.length - b.length)[0]!.push(groups[1]!.shift()!);
    return { atMs: c.atMs, type: "partition", groups: groups.filter((g) => g.length > 0) };
  }))),
  w(1, step("network", fc.tuple(selectorArb, selectorArb).map(([from, to]) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "cut-one-way", from: c.sel(from), to: c.sel(to) })))),
  w(1, step("network", fc.tuple(selectorArb, selectorArb, fc.integer({ min: 50, max: 3_000 })).map(([a, b, d]) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "clog", a: c.sel(a), b: c.sel(b), durationMs: windowed(c, d) })))),
  // link: loss / duplication / reordering on every link (reset by the heal phase)
  // A reordered message is held back by up to 5 ms, or (swarm intensity) up to a TCP
  // retransmission's 200 ms: long enough to reach a node that crashed and restarted since.
  w(2, step("link", fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 30 }), fc.constantFrom(5, 50, 200)).map(([loss, dup, reorder, delayMaxMs]) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "link-faults", loss: loss / 100, duplicate: dup / 100, reorder: reorder / 100, ...(delayMaxMs !== 5 ? { delayMaxMs } : {}) })))),
  // process: crashes (sometimes tearing the last write) and restarts; fsync errors crash too
  w(3, step("process", fc.tuple(selectorArb, fc.boolean()).map(([s, tear]) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "crash", node: c.sel(s), ...(tear ? { tear: true } : {}) })))),
  w(2, step("process", selectorArb.map((s) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "restart", node: s.kind === "id" ? c.sel(s) : "all-down" })))),
  // adversarial: crash a node the moment it grants a vote or acknowledges an append — one
  // chosen node, or (as the VOPR does) whichever member does so next, a few times over
  w(2, step("process", fc.tuple(fc.option(selectorArb, { nil: undefined, freq: 2 }), fc.constantFrom<CrashTrigger>(...CRASH_TRIGGERS), fc.boolean(), fc.integer({ min: 1, max: 3 })).map(([s, on, tear, times]) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "crash-after", on, node: s === undefined ? "any" : c.sel(s), ...(tear ? { tear: true } : {}), ...(times > 1 ? { times } : {}) })))),
  // pause: a stopped process that wakes up with stale beliefs
  w(2, step("pause", selectorArb.map((s) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "pause", node: c.sel(s) })))),
  w(1, step("pause", fc.constant((c: StepContext): FaultStep => ({ atMs: c.atMs, type: "resume", node: "all-paused" })))),
  // disk: slow fsync, stalls, fsync errors
  w(1, step("disk", fc.tuple(selectorArb, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 100, max: 3_000 })).map(([s, factor, addMs, d]) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "slow-fsync", node: c.sel(s), factor, addMs, durationMs: windowed(c, d) })))),
  w(1, step("disk", fc.tuple(selectorArb, fc.integer({ min: 50, max: 2_000 })).map(([s, d]) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "disk-stall", node: c.sel(s), durationMs: windowed(c, d) })))),
  // One failing fsync: the error waits for the node's next fsync, which may come after the heal
  // phase, and a node that fail-stops then stays down; more than one would be a false alarm.
  w(1, step("disk", selectorArb.map((s) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "fsync-error", node: c.sel(s), count: 1 })))),
  // clock: jumps and drift. Lease-based reads are only safe under bounded drift, so a run
  // with lease reads gets no jumps (a jump there is a false alarm, not a bug).
  w(1, step("clock", fc.tuple(selectorArb, fc.integer({ min: -2_000, max: 2_000 })).map(([s, deltaMs]) => (c: StepContext): FaultStep | undefined => (c.readMode === "lease" ? undefined : { atMs: c.atMs, type: "clock-jump", node: c.sel(s), deltaMs })))),
  // Within the drift bound lease reads are built for (core/raft/config.ts).
  w(1, step("clock", fc.tuple(selectorArb, fc.integer({ min: -200_000, max: 200_000 })).map(([s, ppm]) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "clock-drift", node: c.sel(s), ppm })))),
  // membership: joins (as learner or voter), removals, promotion, leader transfer
  // A learner is promoted later in the same step half the time (an operator's usual
  // sequence); on their own, a learner add and a promote-learner step rarely meet in a plan.
  w(1, step("membership", fc.tuple(fc.boolean(), fc.option(fc.integer({ min: 100, max: 1_500 }), { nil: undefined, freq: 2 })).map(([learner, promoteMs]) => (c: StepContext): FaultStep => ({
    atMs: c.atMs, type: "add-member",
    ...(learner ? { learner: true } : {}),
    ...(learner && promoteMs !== undefined ? { promoteAfterMs: windowed(c, promoteMs) } : {}),
  })))),
  w(1, step("membership", selectorArb.map((s) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "remove-member", node: c.sel(s) })))),
  w(1, step("membership", fc.constant((c: StepContext): FaultStep => ({ atMs: c.atMs, type: "promote-learner" })))),
  w(2, step("membership", fc.option(selectorArb, { nil: undefined }).map((s) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "transfer-leader", ...(s ? { to: c.sel(s) } : {}) })))),
  // maintenance: compaction, Raft snapshots, and snapshot save+restore through the Maintenance API
  w(2, step("maintenance", fc.constant((c: StepContext): FaultStep => ({ atMs: c.atMs, type: "compact" })))),
  w(1, step("maintenance", selectorArb.map((s) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "snapshot", node: c.sel(s) })))),
  w(1, step("maintenance", selectorArb.map((s) => (c: StepContext): FaultStep => ({ atMs: c.atMs, type: "snapshot-save-restore", node: c.sel(s) })))),
);

/** The largest cluster the fuzzer draws. */
const NODES_MAX = 5;

export const clusterArb: fc.Arbitrary<FuzzCaseRaw["cluster"]> = fc.record({
  nodes: fc.constantFrom(3, 5, 4),
  disk: fc.constantFrom("nvme", "ssd", "hdd"),
  network: fc.constantFrom("lan", "wan"),
  preVote: fc.boolean(),
  checkQuorum: fc.boolean(),
  readMode: fc.constantFrom<ClusterSpec["readMode"]>("read-index", "lease"),
  // A snapshot every 5 applied entries in a third of the runs: a member cut off and brought
  // back is then likely to get a snapshot that ends inside entries it logged alone, where
  // §7's rule about discarding the log is put to the test (at 50, the smallest value until
  // session 26, store fuzzing took ~8,600 runs to find the canary for it; now ~1,900).
  snapshotEntries: fc.constantFrom(10_000, 200, 5),
  // Shorter ticks mean more elections (and so more leader changes) per second of faults.
  tickMs: fc.constantFrom(100, 50, 20),
  // Short election timeouts mean more elections, and more split votes for a crash to land in.
  electionTicks: fc.constantFrom(10, 5, 3),
  // Half the runs put every machine's clock off by up to the drift bound lease reads are
  // built for (core/raft/config.ts), as a whole fleet of skewed quartz; the rest run true.
  // One entry per possible node; shrinks towards no drift.
  clockDriftPpm: fc.oneof(
    fc.constant<number[]>([]),
    fc.array(fc.constantFrom<number>(0, -200_000, 200_000, -100_000, 100_000), { minLength: NODES_MAX, maxLength: NODES_MAX }),
  ),
  // Raft flow control at its tightest (one entry per append, four in flight) in half the
  // runs: a lagging follower or a new leader then catches up entry by entry, which is where
  // the commit rule for entries of earlier terms (§5.4.2) is put to the test.
  smallMessages: fc.boolean(),
  // Members booted together tick in lockstep, so their election timers can expire together:
  // split votes, where a vote lost in a crash can be granted twice.
  alignedTicks: fc.boolean(),
});

const KUBE_KINDS = ["pods", "deployments", "configmaps", "leases"];
const KUBE_NAMESPACES = ["default", "kube-system", "monitoring"];

export const workloadArb: fc.Arbitrary<WorkloadSpec> = fc
  .record({
    kind: fc.constantFrom<WorkloadSpec["kind"]>("kv", "kubernetes"),
    // Modest load: a history of a few hundred operations keeps the linearizability search short.
    clients: fc.integer({ min: 1, max: 3 }),
    ratePerSec: fc.integer({ min: 10, max: 100 }),
    keys: fc.integer({ min: 1, max: 8 }),
    valueBytes: fc.integer({ min: 1, max: 64 }),
    mix: fc.record({
      get: fc.nat({ max: 5 }),
      getSerializable: fc.nat({ max: 2 }),
      range: fc.nat({ max: 3 }),
      put: fc.integer({ min: 1, max: 6 }), // at least one write, or there is nothing to check
      delete: fc.nat({ max: 3 }),
      txn: fc.nat({ max: 4 }),
      lease: fc.nat({ max: 2 }),
      compact: fc.nat({ max: 1 }),
    }),
    watchers: fc.nat({ max: 2 }),
    requestTimeoutMs: fc.integer({ min: 300, max: 2_000 }),
    // Sticky clients stay on one member; round-robin ones (clientv3's balancer) spread their
    // requests over all members, so a deposed leader that still believes it leads gets asked.
    roundRobin: fc.boolean(),
    // The kubernetes workload's own knobs (used when kind is "kubernetes"): how many kinds
    // and namespaces, LIST page size (0 = one page; 1 = a page per object, many continues),
    // the election lease's TTL and the controllers' action weights.
    kubernetes: fc.record({
      kinds: fc.integer({ min: 1, max: KUBE_KINDS.length }).map((n) => KUBE_KINDS.slice(0, n)),
      namespaces: fc.integer({ min: 1, max: KUBE_NAMESPACES.length }).map((n) => KUBE_NAMESPACES.slice(0, n)),
      leaseTtlSeconds: fc.integer({ min: 1, max: 5 }),
      listPageSize: fc.constantFrom(8, 0, 1, 3),
      mix: fc.record({
        get: fc.nat({ max: 4 }),
        update: fc.integer({ min: 1, max: 6 }), // writes keep the caches' comparisons meaningful
        create: fc.nat({ max: 4 }),
        delete: fc.nat({ max: 2 }),
        compact: fc.constantFrom(0, 0.1, 0.5),
      }),
    }),
  })
  .map(({ kubernetes, roundRobin, ...w }) => ({
    ...w,
    // Every fuzzed kv client draws from etcd's whole KV API, and watchers use filters and
    // sub-ranges (kv-requests.ts); fixed rather than drawn, so every case tests it.
    api: "full" as const,
    ...(roundRobin ? { balancer: "round-robin" as const } : {}),
    mix: Object.fromEntries(Object.entries(w.mix).filter(([, v]) => v > 0)),
    ...(w.kind === "kubernetes" ? { kubernetes: { ...kubernetes, mix: Object.fromEntries(Object.entries(kubernetes.mix).filter(([, v]) => v > 0)) } } : {}),
  }));

const maskArb: fc.Arbitrary<Record<FaultFamily, boolean>> = fc.record(Object.fromEntries(FAULT_FAMILIES.map((f) => [f, fc.boolean()])) as Record<FaultFamily, fc.Arbitrary<boolean>>);

// fast-check shrinks a record's fields in this order, so the fault plan comes first: with a
// bounded shrink budget, fewer faults matter more than a simpler workload.
const caseFields = {
  intensity: fc.integer({ min: 1, max: INTENSITY_MAX }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: RAW_STEPS_MAX, size: "max" }),
  mask: maskArb,
  windowMs: fc.integer({ min: FAULT_WINDOW_MIN_MS, max: FAULT_WINDOW_MAX_MS }),
  cluster: clusterArb,
  workload: workloadArb,
  // Last, so every field above draws what it drew before this one existed. Half the runs
  // split watch responses at a few hundred bytes (watchers that ask for fragments).
  watchFragmentBytes: fc.oneof(fc.constant(undefined), fc.integer({ min: WATCH_FRAGMENT_BYTES_MIN, max: WATCH_FRAGMENT_BYTES_MAX })),
};

const leaseSkewFields = {
  atPermille: atArb,
  isolateAfterMs: fc.integer({ min: 0, max: LEASE_SKEW_ISOLATE_AFTER_MS_MAX }),
};

export const fuzzCaseRawArb: fc.Arbitrary<FuzzCaseRaw> = fc.record({
  ...caseFields,
  // Last too (session 30). Half the lease-read runs meet the drift bound aimed at the lease
  // (see leaseSkewSteps); shrinks to off.
  leaseSkew: fc.oneof(fc.constant(undefined), fc.record(leaseSkewFields)),
});

/**
 * Thesis §6.4.1 at the edge of its assumption: every clock runs fast by the drift bound the
 * lease margin is built for, the leader's slow by it (so its lease outlasts its followers'
 * election timeouts by the most the bound allows), then the leader is cut off from its peers
 * (clients still reach it). Its lease must lapse before they elect another. Drawn drifts and
 * partitions rarely meet that way: store fuzzing found the lease canary after a median of
 * ~340 runs, the Raft property's median over ten seeds was 324.
 */
function leaseSkewSteps(skew: LeaseSkew, windowMs: number): FaultStep[] {
  const atMs = Math.floor((skew.atPermille * (windowMs - 1)) / 1_000);
  // The skew ends with the faults (at the heal). Left on, it is a liveness fault of its own:
  // a member whose clock runs fast and whose log is behind times out first again and again,
  // and without pre-vote each of its campaigns restarts the timer of the member that could
  // win, whose clock runs slow (Raft property seed 30003, run 592).
  return [
    { atMs, type: "clock-skew", node: "leader", ppm: LEASE_SKEW_PPM, durationMs: windowMs - atMs },
    { atMs: Math.min(atMs + skew.isolateAfterMs, windowMs - 1), type: "isolate", node: "leader" },
  ];
}

function fitSelector(raw: RawSelector, nodes: number): NodeSelector {
  return raw.kind === "id" ? (raw.index % nodes) + 1 : raw.kind;
}

/** The steps that undo what a plan did, all at `atMs`: only those the plan needs. */
export function healPhase(plan: FaultStep[], atMs: number): FaultStep[] {
  const used = new Set(plan.map((s) => s.type));
  const phase: FaultStep[] = [];
  if (["partition", "isolate", "cut-one-way", "clog"].some((t) => used.has(t as FaultStep["type"]))) phase.push({ atMs, type: "heal" });
  if (used.has("link-faults")) phase.push({ atMs, type: "link-faults", loss: 0, duplicate: 0, reorder: 0 });
  if (used.has("pause")) phase.push({ atMs, type: "resume", node: "all-paused" });
  if (used.has("crash") || used.has("crash-after") || used.has("fsync-error")) phase.push({ atMs, type: "restart", node: "all-down" });
  return phase;
}

/** The scenario a raw case stands for; `faultCount` excludes the heal phase. */
export interface FuzzCase {
  scenario: Scenario;
  faultCount: number;
}

export function buildCase(raw: FuzzCaseRaw): FuzzCase {
  const nodes = raw.cluster.nodes;
  const healAtMs = raw.windowMs;
  const plan: FaultStep[] = [];
  for (const s of raw.steps) {
    if (plan.length >= raw.intensity) break;
    if (!raw.mask[s.family]) continue;
    const atMs = Math.floor((s.atPermille * (raw.windowMs - 1)) / 1_000);
    const made = s.make({ atMs, healAtMs, nodes, readMode: raw.cluster.readMode, sel: (r) => fitSelector(r, nodes) });
    // At most one latent fsync error per plan (see the fsync-error step).
    if (made && !(made.type === "fsync-error" && plan.some((p) => p.type === "fsync-error"))) plan.push(made);
  }
  if (raw.leaseSkew && raw.cluster.readMode === "lease") plan.push(...leaseSkewSteps(raw.leaseSkew, raw.windowMs));
  // Stable sort by time: steps at the same time keep their drawn order.
  plan.sort((a, b) => a.atMs - b.atMs);
  const faults = [...plan, ...healPhase(plan, healAtMs)];
  const enabled = FAULT_FAMILIES.filter((f) => raw.mask[f]);
  // Lease-based reads need check-quorum (a leader must step down before its lease can lapse).
  // On a WAN (25–65 ms one way) the tick stays at 100 ms: an election timeout must be many round trips.
  const { clockDriftPpm: driftDrawn, smallMessages, alignedTicks, ...rawCluster } = raw.cluster;
  // One drawn drift per member, repeated past the fifth (`--nodes` up to FUZZ_NODES_MAX).
  const drift = driftDrawn ?? [];
  const clockDriftPpm = drift.length === 0 ? [] : Array.from({ length: nodes }, (_, i) => drift[i % drift.length]!);
  const cluster: ClusterSpec = {
    ...DEFAULT_CLUSTER,
    ...rawCluster,
    ...(clockDriftPpm.some((ppm) => ppm !== 0) ? { clockDriftPpm } : {}),
    ...(smallMessages ? { maxSizePerMsgBytes: 1, maxInflightMsgs: 4 } : {}),
    ...(alignedTicks ? { alignedTicks } : {}),
    ...(raw.watchFragmentBytes !== undefined ? { watchFragmentBytes: raw.watchFragmentBytes } : {}),
    checkQuorum: raw.cluster.checkQuorum || raw.cluster.readMode === "lease",
    tickMs: raw.cluster.network === "wan" ? 100 : raw.cluster.tickMs,
  };
  const scenario: Scenario = {
    name: "fuzz",
    description: `fuzzed: ${plan.length} faults from [${enabled.join(", ")}], heal at ${healAtMs} ms`,
    cluster,
    workload: raw.workload,
    faults,
    durationMs: healAtMs + SETTLE_MS,
    checks: ALL_CHECKS.slice(),
  };
  // Through JSON and the validator, exactly as a replay file will be read back: the same
  // object (and so the same trace header and hash), and proof every case is a valid scenario.
  return { faultCount: plan.length, scenario: validateScenario(JSON.parse(JSON.stringify(scenario)), "fuzz case") };
}

export const fuzzCaseArb: fc.Arbitrary<FuzzCase> = fuzzCaseRawArb.map(buildCase);

/** The same cases without clients or watchers: cheap runs for testing the harness itself. */
export const quietCaseArb: fc.Arbitrary<FuzzCase> = fuzzCaseRawArb.map(({ workload: { kubernetes: _kubernetes, ...workload }, ...raw }) => buildCase({ ...raw, workload: { ...workload, kind: "none", clients: 0, watchers: 0 } }));

/** A scenario's fault plan without its heal phase, and when that phase runs. */
function splitPlan(scenario: Scenario): { plan: FaultStep[]; healAtMs: number | undefined } {
  const last = scenario.faults.at(-1)?.atMs;
  const phase = last === undefined ? [] : healPhase(scenario.faults.filter((s) => s.atMs < last), last);
  const isPhaseStep = (s: FaultStep) => s.atMs === last && phase.some((p) => JSON.stringify(p) === JSON.stringify(s));
  return { plan: scenario.faults.filter((s) => !isPhaseStep(s)), healAtMs: phase.length > 0 ? last : undefined };
}

/** Counts a scenario's fault steps that are not part of a heal phase (for replay files). */
export function countFaults(scenario: Scenario): number {
  return splitPlan(scenario).plan.length;
}

/** The scenario with its i-th fault step removed, and the heal phase fitted to what is left. */
export function withoutFault(scenario: Scenario, i: number): FuzzCase {
  return keepingFaults(scenario, (j) => j !== i);
}

/** The scenario with only the fault steps `keep` accepts (by index), heal phase refitted. */
export function keepingFaults(scenario: Scenario, keep: (index: number) => boolean): FuzzCase {
  const { plan, healAtMs } = splitPlan(scenario);
  const kept = plan.filter((_, j) => keep(j));
  const faults = healAtMs === undefined ? kept : [...kept, ...healPhase(kept, healAtMs)];
  return { scenario: { ...scenario, faults }, faultCount: kept.length };
}

/** The most fault-and-heal cycles one run may chain (`raftsim fuzz --cycles N`). */
export const CYCLES_MAX = 20;
/**
 * Cluster sizes `raftsim fuzz --nodes N` may fix in place of the drawn 3–5. Not 1: a lone
 * member whose very first write is torn keeps its bootstrap entry but not the commit, never
 * applies a configuration and never campaigns (etcd's raft writes its bootstrap entries the
 * same way); with more members the leader sends them again.
 */
export const FUZZ_NODES_MIN = 2;
export const FUZZ_NODES_MAX = 7;

/** A cycle after the first: its own fault plan, family mask, intensity and window. */
const cycleRawArb = fc.record({
  intensity: fc.integer({ min: 1, max: INTENSITY_MAX }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: RAW_STEPS_MAX, size: "max" }),
  mask: maskArb,
  windowMs: fc.integer({ min: FAULT_WINDOW_MIN_MS, max: FAULT_WINDOW_MAX_MS }),
});

/**
 * One run that goes through `cycles` rounds of faults, each followed by its heal phase and
 * a settle time, on one cluster under one workload: recovery from a recovery (a member torn
 * twice, leases across several leader changes, watchers resuming again and again), which a
 * single round cannot reach. Each round draws its own swarm mask. Only the last round's heal
 * phase is the scenario's; the earlier ones are plain steps the shrinker may remove.
 * `nodes` (`raftsim fuzz --nodes N`) fixes the cluster size in place of the drawn one.
 * With `cycles` = 1 and no `nodes` this is exactly fuzzCaseArb (the default campaign).
 */
export function campaignCaseArb(cycles: number, nodes?: number): fc.Arbitrary<FuzzCase> {
  if (!Number.isInteger(cycles) || cycles < 1 || cycles > CYCLES_MAX) throw new RangeError(`cycles: expected an integer in [1, ${CYCLES_MAX}], got ${cycles}`);
  if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < FUZZ_NODES_MIN || nodes > FUZZ_NODES_MAX)) throw new RangeError(`nodes: expected an integer in [${FUZZ_NODES_MIN}, ${FUZZ_NODES_MAX}], got ${nodes}`);
  // A fixed size replaces the drawn one; everything else is drawn as in the default campaign.
  const sized = (raw: FuzzCaseRaw): FuzzCaseRaw => (nodes === undefined ? raw : { ...raw, cluster: { ...raw.cluster, nodes } });
  if (cycles === 1) return nodes === undefined ? fuzzCaseArb : fuzzCaseRawArb.map((raw) => buildCase(sized(raw)));
  return fc
    .record({
      first: fc.record(caseFields),
      more: fc.array(cycleRawArb, { minLength: cycles - 1, maxLength: cycles - 1 }),
      // Drawn after the rounds, so they draw what they drew before it existed: the aimed
      // lease steps (leaseSkewSteps) in one round, half the time.
      leaseSkew: fc.oneof(fc.constant(undefined), fc.record({ cycle: fc.nat(cycles - 1), ...leaseSkewFields })),
    })
    .map(({ first, more, leaseSkew }) => {
      const head = sized(first);
      const raws: FuzzCaseRaw[] = [head, ...more.map((c) => ({ ...head, ...c }))];
      if (leaseSkew) raws[leaseSkew.cycle] = { ...raws[leaseSkew.cycle]!, leaseSkew };
      return buildCycles(raws);
    });
}

/** The scenario of several raw cases run back to back (cluster and workload from the first). */
export function buildCycles(raws: readonly FuzzCaseRaw[]): FuzzCase {
  const cases = raws.map(buildCase);
  const faults: FaultStep[] = [];
  let offsetMs = 0;
  for (const c of cases) {
    for (const s of c.scenario.faults) faults.push({ ...s, atMs: s.atMs + offsetMs });
    offsetMs += c.scenario.durationMs;
  }
  const first = cases[0]!.scenario;
  const scenario: Scenario = {
    ...first,
    description: `fuzzed: ${cases.length} cycles of faults and heal (${cases.map((c) => c.faultCount).join(" + ")} faults)`,
    faults,
    durationMs: offsetMs,
  };
  const validated = validateScenario(JSON.parse(JSON.stringify(scenario)), "fuzz case");
  return { scenario: validated, faultCount: countFaults(validated) };
}
