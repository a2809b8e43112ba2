// Regression (thesis §6.4.1): a paused process fires its tick timer only once on resume. A
// leader that so lost the ticks of a pause still counted its lease as good and answered a
// read from it after another leader had been elected. Found by the Raft property with lease
// reads (RAFT_PROP_RUNS=2000, run 1534); the case below is that run's.
import { describe, expect, it } from "vitest";
import { NO_BUGS } from "../../core/canary";
import { type RaftFuzzCase, runRaftCase } from "./fuzz";
import { buildRaftWorld } from "./testkit";

const FOUND: RaftFuzzCase = {
  seed: 403847691, nodes: 3, preVote: false, checkQuorum: true, electionTicks: 5, smallMessages: true, snapshotEntries: 15,
  crashAfterVote: 0, crashAfterAck: 0.01, alignedTicks: true, leaseReads: true,
  faults: [
    { atMs: 879, kind: "pause", a: 29, b: 38406 },
    { atMs: 1869, kind: "crash-torn", a: 288, b: 16728 },
    { atMs: 132, kind: "pause", a: 868, b: 82327 },
    { atMs: 181, kind: "transfer", a: 529, b: 95535 },
    { atMs: 1248, kind: "crash-torn", a: 919, b: 51224 },
    { atMs: 2011, kind: "crash-torn", a: 316, b: 99599 },
    { atMs: 1333, kind: "crash", a: 54, b: 49129 },
    { atMs: 2957, kind: "remove-leader", a: 958, b: 46760 },
  ],
};

describe("a leader's lease across a pause", () => {
  it("lapses: the ticks a pause swallowed are ticked on resume, so no lease read follows a newer leader's election", () => {
    const r = runRaftCase(FOUND, NO_BUGS);
    expect(r.violations).toEqual([]);
  });
});

describe("the ticks of a pause", () => {
  // Twin worlds from one seed: in one, node 1 pauses; in the other it never does. Ticks are
  // timer-driven only, so right after the resume the paused one must have ticked exactly as
  // often, wherever in a tick period the pause began and ended (and with the clock drifting).
  it("are all caught up on resume, and the next tick keeps its phase", () => {
    const tickUs = 100_000;
    const mismatches: string[] = [];
    for (const driftPpm of [0, -200_000, 150_000]) {
      for (const startUs of [2_000_000, 2_030_000, 2_099_999]) {
        for (const pausedUs of [1, 60_000, 99_999, 100_000, 470_000, 930_001]) {
          const twin = (pause: boolean) => {
            const { world, system } = buildRaftWorld({ seed: 7, nodes: 3, tickUs });
            world.clockDrift(1, driftPpm);
            world.scheduler.runUntil(startUs);
            if (pause) world.pause(1);
            world.scheduler.runUntil(startUs + pausedUs);
            if (pause) world.resume(1);
            const host = system.hosts.get(1)!;
            const atResume = host.ticksTotal;
            world.scheduler.runUntil(startUs + pausedUs + 3 * tickUs);
            return [atResume, host.ticksTotal];
          };
          const [paused, unpaused] = [twin(true), twin(false)];
          if (paused.join() !== unpaused.join()) mismatches.push(`drift ${driftPpm} ppm, pause ${pausedUs} µs at ${startUs} µs: ticks ${paused.join("→")} paused, ${unpaused.join("→")} not`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
