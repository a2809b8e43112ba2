// Regression (thesis §6.4.1): a leader paused while its clock ran slow at the drift bound kept
// its lease past another leader's election. On resume the host caught up the ticks the pause
// swallowed counted from the pause, not from the last tick, and started the next tick a whole
// period later: up to a tick lost each way, a lease that much longer. Found by store fuzzing
// with the aimed lease skew (`raftsim fuzz --seed 303 --nodes 3 --cycles 8`, run 41607),
// shrunk to these four faults; the drawn cluster and workload are kept.
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const FOUND = validateScenario({
  name: "lease-pause-skew",
  description: "the leader, its clock slow by the drift bound, is isolated and then paused for 470 ms",
  cluster: { nodes: 3, disk: "ssd", network: "lan", tickMs: 100, electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: true, readMode: "lease", snapshotEntries: 5, clockDriftPpm: [100_000, 100_000, 0], maxSizePerMsgBytes: 1, maxInflightMsgs: 4, alignedTicks: true, watchFragmentBytes: 740 },
  workload: { kind: "kv", clients: 1, ratePerSec: 29, keys: 2, valueBytes: 9, mix: { get: 5, range: 3, put: 2, delete: 1, lease: 1 }, watchers: 1, requestTimeoutMs: 1210, api: "full" },
  faults: [
    { atMs: 9386, type: "clock-skew", node: "leader", ppm: 200_000, durationMs: 993 },
    { atMs: 9459, type: "isolate", node: "leader" },
    { atMs: 9519, type: "pause", node: 2 },
    { atMs: 9989, type: "resume", node: "all-paused" },
    { atMs: 22563, type: "heal" },
    { atMs: 22563, type: "resume", node: "all-paused" },
  ],
  durationMs: 23563,
}, "lease-pause-skew");

describe("a leader's lease across a pause under the aimed clock skew", () => {
  it("lapses before another leader is elected (the run fuzzing found)", () => {
    const r = runScenario({ seed: 1990198805, scenario: FOUND });
    expect(r.violations).toEqual([]);
    expect(r.checks.invariants).toBe("pass");
  });

  it("and on other seeds and pause lengths", () => {
    const failing: string[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      for (const pauseMs of [150, 470, 930]) {
        const faults = FOUND.faults.map((f) => (f.type === "resume" && f.atMs === 9989 ? { ...f, atMs: 9519 + pauseMs } : f));
        const r = runScenario({ seed, scenario: { ...FOUND, faults } });
        if (r.checks.invariants !== "pass") failing.push(`seed ${seed} pause ${pauseMs} ms: ${r.violations[0]?.message}`);
      }
    }
    expect(failing).toEqual([]);
  });
});
