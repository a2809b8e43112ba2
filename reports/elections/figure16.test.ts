import { describe, expect, it } from "vitest";
import { RawNode } from "../../core/raft/rawnode";
import { RngStreams } from "../../sim/rng";
import { measureBroadcastMs, PAPER_NETWORK, PAPER_PERSIST_US, runElectionRow, runFigure16, trialConfig } from "./figure16";
import { runElectionTrial } from "./trial";

const range = (timeoutMinMs: number, timeoutMaxMs: number) => ({ timeoutMinMs, timeoutMaxMs, panel: "randomness" as const });

describe("core/raft electionTicksMax", () => {
  it("draws the randomized timeout from [electionTicks, electionTicksMax], both ends included", () => {
    const seen = new Set<number>();
    const rand = new RngStreams(3).stream("t");
    for (let i = 0; i < 200; i++) {
      const rn = new RawNode({ id: 1, peers: [1, 2, 3], rand, electionTicks: 150, electionTicksMax: 152, heartbeatTicks: 75 });
      seen.add(rn.raft.randomizedElectionTimeout);
    }
    expect([...seen].sort()).toEqual([150, 151, 152]);
    const fixed = new RawNode({ id: 1, peers: [1], rand, electionTicks: 150, electionTicksMax: 150, heartbeatTicks: 75 });
    expect(fixed.raft.randomizedElectionTimeout).toBe(150);
    expect(() => new RawNode({ id: 1, rand, electionTicks: 10, electionTicksMax: 9 })).toThrow(/electionTicksMax/);
  });

  it("keeps etcd's [ET, 2ET) when unset", () => {
    const rand = new RngStreams(4).stream("t");
    for (let i = 0; i < 100; i++) {
      const t = new RawNode({ id: 1, peers: [1, 2, 3], rand, electionTicks: 10 }).raft.randomizedElectionTimeout;
      expect(t).toBeGreaterThanOrEqual(10);
      expect(t).toBeLessThan(20);
    }
  });
});

describe("Figure 16 trials", () => {
  it("elects a leader no sooner than the timers allow, deterministically per seed", () => {
    const cfg = trialConfig(range(150, 200), {});
    for (let t = 0; t < 20; t++) {
      const a = runElectionTrial(cfg, 7, `t${t}`);
      expect(a).toEqual(runElectionTrial(cfg, 7, `t${t}`));
      expect(a.capped).toBe(false);
      // The earliest timer fires timeoutMin after the last heartbeat, which came at most a
      // heartbeat interval before the crash; then a vote round trip is needed.
      expect(a.timeWithoutLeaderMs).toBeGreaterThan(150 - 75);
      expect(a.candidacies).toBeGreaterThanOrEqual(1);
    }
  });

  it("stops a trial at the cap and counts it", () => {
    const row = runElectionRow(range(150, 150), { trials: 5, seed: 1, capMs: 300 });
    expect(row.capped).toBeGreaterThan(0);
    expect(row.maxMs).toBe(300);
  });

  it("more randomness means shorter elections, and the paper columns are simulated/published", () => {
    const result = runFigure16({ trials: 150, seed: 2, ranges: [range(150, 155), range(150, 300), { timeoutMinMs: 12, timeoutMaxMs: 24, panel: "scale" }] });
    const [narrow, wide, fast] = result.rows;
    expect(narrow!.medianMs).toBeGreaterThan(1.3 * wide!.medianMs);
    expect(narrow!.meanCandidacies).toBeGreaterThan(wide!.meanCandidacies);
    expect(fast!.medianMs).toBeLessThan(wide!.medianMs / 2);
    const cmp = narrow!.paper.find((p) => p.statistic === "median")!;
    expect(cmp.publishedMs).toBe(287);
    expect(cmp.simulatedMs).toBeCloseTo(narrow!.medianMs, 1);
    expect(cmp.ratio).toBeCloseTo(narrow!.medianMs / 287, 2);
    expect(fast!.paper.map((p) => p.statistic).sort()).toEqual(["max", "mean"]);
    expect(wide!.cdf.at(-1)).toEqual([wide!.maxMs, 1]);
  });

  it("models the paper's ~15 ms broadcast time", () => {
    const b = measureBroadcastMs(PAPER_NETWORK, PAPER_PERSIST_US, 2_000, 1);
    expect(b.medianMs).toBeGreaterThan(12);
    expect(b.medianMs).toBeLessThan(18);
  });
});
