// A leader removed by C_new must remember across a restart that it was, until C_new is known
// to have heard: C_new's voters are still in C_old,new and may need its vote. Found by the Raft
// property (seed 26001, run 3738): one member grew to two, the first was removed while it led
// and crashed before the other heard the removal committed; restarted, it counted itself
// settled and never campaigned again, and the other, needing its vote, waited for ever.
import { describe, expect, it } from "vitest";
import { NO_BUGS } from "../../core/canary";
import { type RaftFuzzCase, runRaftCase } from "./fuzz";

const CASE: RaftFuzzCase = {
  seed: 1550234328, nodes: 1, preVote: true, checkQuorum: true, electionTicks: 10, smallMessages: true, snapshotEntries: 40,
  crashAfterVote: 0, crashAfterAck: 0.05, alignedTicks: false, leaseReads: false,
  faults: [
    { atMs: 155, kind: "one-way", a: 944, b: 39560 },
    { atMs: 780, kind: "slow-fsync", a: 114, b: 37592 },
    { atMs: 1004, kind: "add-voter", a: 73, b: 39336 },
    { atMs: 1185, kind: "slow-fsync", a: 915, b: 34988 },
    { atMs: 1268, kind: "remove", a: 578, b: 69719 },
    { atMs: 1465, kind: "crash", a: 494, b: 78328 },
    { atMs: 2325, kind: "remove-leader", a: 640, b: 18867 },
    { atMs: 2389, kind: "heal", a: 670, b: 87227 },
    { atMs: 2793, kind: "remove", a: 33, b: 67236 },
    { atMs: 2949, kind: "crash", a: 500, b: 97181 },
  ],
};

describe("a removed leader restarted before C_new heard (thesis §4.2.2)", () => {
  it("keeps its right to campaign, so C_new's voter still in C_old,new gets elected", () => {
    const r = runRaftCase(CASE, NO_BUGS);
    expect(r.violations.map((v) => `${v.property}: ${v.message}`)).toEqual([]);
    expect(r.proposalsOk).toBeGreaterThan(0);
  });
});
