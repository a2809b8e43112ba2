// Liveness without pre-vote. Two clean campaigns reported clusters without pre-vote as not
// live, and neither was a bug: members whose logs were behind, on fast clocks, kept timing out
// first and campaigning, and each campaign they lost bumped the term and restarted everyone's
// election timer, as etcd's raft does; only an up-to-date member can win, and only by timing
// out first (thesis §9.6; pre-vote exists for this).
// - `raftsim fuzz --runs 60000 --seed 7`, run 54977: 3 members; a write 4.05 s after the
//   heal against a bound of 4 s (20 election timeouts).
// - `raftsim fuzz --runs 60000 --seed 9`, run 38049: 4 members, two of them behind on clocks
//   10% and 20% fast; no leader for 32 election timeouts.
// Clusters without pre-vote now get 100 election timeouts, and only runs that need the time
// run longer.
// The seed-9 case ran with lease reads. Since session 9 a member that restarts under lease
// reads holds its vote for an election timeout (core/raft/raft.ts, votesRefusedUntilTick),
// and that case now settles in 9.3 s, inside the pre-vote bound; with ReadIndex reads, as
// kept here, the same faults took 23.6 s. Since session 11 its kubernetes controllers keep
// listing after the heal, which moves every later message's timing, and the run settles in
// 5.8 s; so the case now runs a kv workload under the same faults, at simulation seed 495
// (of 600 tried, 73 and 495 overran 20 election timeouts): nodes 4 and 2, clocks 20% and
// 10% fast, campaign 24 and 16 times before node 1 wins, 43.6 s after the heal. Since
// session 13 watchers close the streams they abandon, which again moves later messages:
// the case runs at simulation seed 186 (of 800 tried, 186, 396 and 686 overran 20
// election timeouts), where a write succeeds 24.3 s after the heal. Since session 31 a paused
// member catches up exactly the ticks its pause swallowed (sim/host/node_host.ts, onResume),
// which moves every run with a pause: the seed-7 case runs at simulation seed 474 (of 3,000
// tried, 38 overran 20 election timeouts; this one by the most but two, 8.1 s after the
// heal), the seed-9 case at simulation seed 1341 (of 1,500 tried, 7 overran; this one 37.4 s).
import { describe, expect, it } from "vitest";
import { livenessBoundUs, LIVENESS_ELECTION_TIMEOUTS, LIVENESS_ELECTION_TIMEOUTS_NO_PRE_VOTE, runScenario } from "./run";
import type { Scenario } from "./types";
import { validateScenario } from "./validate";

const CASES: { name: string; seed: number; scenario: Scenario }[] = [
  {
    name: "seed-7 campaign, run 54977",
    seed: 474,
    scenario: validateScenario({"name":"fuzz","description":"fuzzed: 1 faults from [pause], heal at 1151 ms","cluster":{"nodes":3,"disk":"nvme","network":"lan","tickMs":20,"electionTicks":10,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"read-index","snapshotEntries":10000,"clockDriftPpm":[-200000,200000,-200000],"alignedTicks":true},"workload":{"kind":"kv","clients":1,"ratePerSec":10,"keys":1,"valueBytes":1,"mix":{"put":1},"watchers":0,"requestTimeoutMs":300},"faults":[{"atMs":67,"type":"pause","node":2},{"atMs":1151,"type":"resume","node":"all-paused"}],"durationMs":2151,"checks":["liveness"]}, "seed-7 case"),
  },
  {
    name: "seed-9 campaign, run 38049 (its faults, a kv workload)",
    seed: 1341,
    scenario: validateScenario({"name":"fuzz","description":"fuzzed: 3 faults from [process, pause], heal at 2988 ms","cluster":{"nodes":4,"disk":"nvme","network":"wan","tickMs":100,"electionTicks":10,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"read-index","snapshotEntries":10000,"clockDriftPpm":[-100000,100000,-200000,200000]},"workload":{"kind":"kv","clients":1,"ratePerSec":67,"keys":6,"valueBytes":59,"mix":{"get":3,"getSerializable":2,"range":1,"put":1,"delete":1,"lease":1},"watchers":2,"requestTimeoutMs":1048},"faults":[{"atMs":0,"type":"crash","node":2},{"atMs":1266,"type":"pause","node":4},{"atMs":1499,"type":"crash","node":3},{"atMs":2988,"type":"resume","node":"all-paused"},{"atMs":2988,"type":"restart","node":"all-down"}],"durationMs":3988,"checks":["liveness"]}, "seed-9 case"),
  },
];

/** The liveness probe's client (scenarios/run.ts). */
const PROBE_CLIENT_ID = 99;
/** After the usual recovery window, runs get this long to converge (scenarios/run.ts). */
const CONVERGE_MS = 3_000;

const timeoutUs = (s: Scenario) => s.cluster.electionTicks * s.cluster.tickMs * 1_000;

describe("liveness bound without pre-vote", () => {
  it("is 100 election timeouts, against 20 with pre-vote", () => {
    const s = CASES[0]!.scenario;
    expect(livenessBoundUs(s)).toBe(LIVENESS_ELECTION_TIMEOUTS_NO_PRE_VOTE * timeoutUs(s));
    expect(livenessBoundUs({ ...s, cluster: { ...s.cluster, preVote: true } })).toBe(LIVENESS_ELECTION_TIMEOUTS * timeoutUs(s));
  });

  for (const c of CASES) {
    it(`${c.name}: stale members on fast clocks keep deposing candidates; the cluster settles within the bound`, () => {
      const r = runScenario({ seed: c.seed, scenario: c.scenario });
      expect(r.violations).toEqual([]);
      expect(r.checks.liveness).toBe("pass");
      // The case is only a case if it needed the longer bound: the probe's first success
      // came after 20 election timeouts.
      const firstOk = r.recorder.ops.find((op) => op.client === PROBE_CLIENT_ID && op.status === "ok");
      expect(firstOk?.return).toBeDefined();
      const recoveredUs = firstOk!.return! - c.scenario.durationMs * 1_000;
      console.log(`${c.name}: a client write succeeded ${recoveredUs / 1_000} ms after the heal (bounds: ${(LIVENESS_ELECTION_TIMEOUTS * timeoutUs(c.scenario)) / 1_000} ms with pre-vote, ${livenessBoundUs(c.scenario) / 1_000} ms without)`);
      expect(recoveredUs).toBeGreaterThan(LIVENESS_ELECTION_TIMEOUTS * timeoutUs(c.scenario));
      expect(recoveredUs).toBeLessThanOrEqual(livenessBoundUs(c.scenario));
      // The run went on at least until the write, and never ended before the usual length.
      const usualMs = c.scenario.durationMs + (LIVENESS_ELECTION_TIMEOUTS * timeoutUs(c.scenario)) / 1_000 + CONVERGE_MS;
      expect(r.simulatedMs).toBeGreaterThanOrEqual(Math.max(usualMs, firstOk!.return! / 1_000));
    });
  }

  it("a run that settles in time is as long as with pre-vote: the longer bound costs nothing there", () => {
    const c = CASES[1]!;
    // The same case under another simulation seed settles at once.
    const r = runScenario({ seed: 1, scenario: c.scenario });
    expect(r.checks.liveness).toBe("pass");
    expect(r.simulatedMs).toBe(c.scenario.durationMs + (LIVENESS_ELECTION_TIMEOUTS * timeoutUs(c.scenario)) / 1_000 + CONVERGE_MS);
  });
});
