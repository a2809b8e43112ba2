// The Raft property's random cases (sim/host/raft.property.test.ts): cluster size 1/3/5 (2/4/6 in a quarter of runs),
// Raft options, crash triggers and a timed plan of faults and operations for runRaftCase.
// A module of its own so diagnostics and benches can draw the same cases.
import fc from "fast-check";
import { FAULT_WINDOW_MS, type FaultAction, type FaultKind, type RaftFuzzCase } from "./fuzz";

/** Every kind but "replace", which raftCaseArb draws on its own (see there). */
export const RAFT_FAULT_KINDS: FaultKind[] = [
  "partition", "isolate", "one-way", "heal", "crash", "crash-torn", "pause", "slow-fsync", "clock-jump",
  "clock-drift", "link-faults", "add-learner", "add-voter", "promote", "remove", "remove-leader", "transfer", "snapshot",
];

const faultArb: fc.Arbitrary<FaultAction> = fc.record({
  atMs: fc.integer({ min: 50, max: FAULT_WINDOW_MS - 1 }),
  kind: fc.constantFrom(...RAFT_FAULT_KINDS),
  a: fc.nat(1_000),
  b: fc.nat(100_000),
});

export const raftCaseArb: fc.Arbitrary<RaftFuzzCase> = fc.record({
  seed: fc.nat(2 ** 31 - 1),
  nodes: fc.constantFrom(1, 3, 5, 3, 5),
  preVote: fc.boolean(),
  checkQuorum: fc.boolean(),
  electionTicks: fc.constantFrom(3, 5, 10),
  smallMessages: fc.boolean(),
  snapshotEntries: fc.constantFrom(0, 15, 40),
  crashAfterVote: fc.constantFrom(0, 0.2, 0.5),
  crashAfterAck: fc.constantFrom(0, 0.01, 0.05),
  alignedTicks: fc.boolean(),
  leaseReads: fc.boolean(),
  faults: fc.array(faultArb, { minLength: 0, maxLength: 25 }),
  // Replacing a voter in one joint change (session 26) is drawn last and on its own, so the
  // fields above draw what they drew before it existed; in a quarter of the runs, up to two
  // replacements (three runs in four are the runs they were).
  replaces: fc.tuple(fc.nat(3), fc.array(fc.record({ atMs: fc.integer({ min: 50, max: FAULT_WINDOW_MS - 1 }), a: fc.nat(1_000) }), { minLength: 1, maxLength: 2 })),
  // Batched proposals (session 29), drawn after everything else for the same reason: in a
  // quarter of the runs the load proposes batches of up to 2, 5 or 20 entries.
  batch: fc.tuple(fc.nat(3), fc.constantFrom(2, 5, 20)),
  // And a limit on a leader's uncommitted bytes (session 29) in a quarter of the runs: small,
  // so that a leader cut off from its quorum meets it (the load's entries are ~5 bytes).
  uncommitted: fc.tuple(fc.nat(3), fc.constantFrom(20, 100, 400)),
  // And (session 30) in half the runs with lease reads, the drift that leases must survive,
  // aimed: the leader slow and the rest fast by the bound, then the leader cut off. Random
  // drifts and partitions met that moment rarely (the lease canary's catch run over ten
  // seeds had a median of 324).
  leaseSkew: fc.tuple(fc.nat(1), fc.integer({ min: 50, max: FAULT_WINDOW_MS - 1 }), fc.nat(100_000)),
  // And (session 30) in half the runs, clients stuck on a deposed leader (see
  // staleLeaderLoad); in half of those a snapshot every 5 applied entries, so that the
  // others' snapshot likely ends inside the run of entries it logged alone.
  staleLoad: fc.nat(3),
  // And (session 30) one member more in a quarter of the runs: even-sized configurations,
  // where a majority is not half (§5.2), and removals from them, where a joint
  // configuration's two majorities differ most (thesis §4.3).
  evenDice: fc.nat(3),
}).map(({ replaces: [dice, replaces], batch: [batchDice, batchMax], uncommitted: [limitDice, uncommittedBytesMax], leaseSkew: [skewDice, skewAtMs, skewB], staleLoad, evenDice, ...c }) => ({
  ...c,
  nodes: evenDice === 0 ? c.nodes + 1 : c.nodes,
  ...(staleLoad < 2 ? { staleLeaderLoad: true } : {}),
  ...(staleLoad === 0 ? { snapshotEntries: 5 } : {}),
  faults: [
    ...(dice > 0 ? c.faults : [...c.faults, ...replaces.map((r) => ({ ...r, kind: "replace" as const, b: 0 }))]),
    ...(skewDice === 0 && c.leaseReads ? [{ atMs: skewAtMs, kind: "lease-skew" as const, a: 0, b: skewB }] : []),
  ],
  ...(batchDice === 0 ? { batchMax } : {}),
  ...(limitDice === 0 ? { uncommittedBytesMax } : {}),
}));
