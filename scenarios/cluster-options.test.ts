// Scenario knobs the fuzzer draws: lockstep ticks, Raft flow control, repeated crash-after
// triggers and long reordering delays. Each is shown to change what the run does.
import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../sim/trace/types";
import { runScenario } from "./run";
import { DEFAULT_CLUSTER, DEFAULT_WORKLOAD, type Scenario } from "./types";
import { ScenarioError, validateScenario } from "./validate";

function scenario(over: Partial<Scenario> = {}): Scenario {
  return {
    name: "options",
    description: "",
    cluster: { ...DEFAULT_CLUSTER },
    workload: { ...DEFAULT_WORKLOAD, clients: 2, ratePerSec: 100, mix: { put: 1 } },
    faults: [],
    durationMs: 3_000,
    checks: ["linearizability", "durability", "convergence"],
    ...over,
  };
}

const events = (s: Scenario, seed = 1): readonly TraceEvent[] => runScenario({ seed, scenario: s, keepTrace: true }).world.trace.events;

describe("cluster.alignedTicks", () => {
  it("makes every member report its state at the same instants", () => {
    const times = (evs: readonly TraceEvent[]) => new Set(evs.filter((e) => e.type === "node-state").map((e) => e.tUs));
    const nodes = DEFAULT_CLUSTER.nodes;
    // node-state is traced every 10 ticks: in lockstep, the nodes share each instant.
    const aligned = times(events(scenario({ cluster: { ...DEFAULT_CLUSTER, alignedTicks: true } })));
    const random = times(events(scenario()));
    expect(aligned.size * nodes).toBe(events(scenario({ cluster: { ...DEFAULT_CLUSTER, alignedTicks: true } })).filter((e) => e.type === "node-state").length);
    expect(random.size).toBeGreaterThan(aligned.size);
  });
});

describe("cluster.maxSizePerMsgBytes / maxInflightMsgs", () => {
  it("one entry per append: a follower held back catches up in many more appends", () => {
    const faults: Scenario["faults"] = [{ atMs: 500, type: "crash", node: "follower" }, { atMs: 2_000, type: "restart", node: "all-down" }];
    const appends = (c: Scenario["cluster"]) => events(scenario({ cluster: c, faults })).filter((e) => e.type === "send" && e.msgType === "app").length;
    const small = appends({ ...DEFAULT_CLUSTER, maxSizePerMsgBytes: 1, maxInflightMsgs: 4 });
    const wide = appends({ ...DEFAULT_CLUSTER });
    expect(small).toBeGreaterThan(wide + 50);
  });
});

describe("crash-after times", () => {
  it("crashes the node on each of the first N triggers", () => {
    const crashes = (times: number) =>
      events(scenario({ faults: [{ atMs: 500, type: "crash-after", on: "ack", node: "follower", times }], durationMs: 2_000 })).filter((e) => e.type === "fault" && e.fault === "crash").length;
    expect(crashes(1)).toBe(1);
    expect(crashes(3)).toBe(3);
  });
  it('on "commit" crashes a member within 400 µs of its commit index advancing, before its backend syncs again', () => {
    const faults: Scenario["faults"] = [{ atMs: 500, type: "crash-after", on: "commit", node: "follower", times: 2 }, { atMs: 1_500, type: "restart", node: "all-down" }];
    const r = runScenario({ seed: 1, scenario: scenario({ faults, durationMs: 2_000 }), keepTrace: true });
    const evs = r.world.trace.events;
    const crashes = evs.filter((e) => e.type === "fault" && e.fault === "crash");
    expect(crashes.length).toBe(2);
    for (const crash of crashes) {
      const node = (crash as { nodes: number[] }).nodes[0]!;
      const commit = evs.filter((e) => e.type === "commit" && e.node === node && e.tUs <= crash.tUs && e.tUs >= 500_000).at(-1);
      expect(commit, `a commit on member ${node} before its crash at ${crash.tUs}`).toBeDefined();
      expect(crash.tUs - commit!.tUs).toBeLessThanOrEqual(400);
      const backendSynced = evs.some((e) => e.type === "fsync-end" && e.node === node && e.file === "backend.db" && e.tUs > commit!.tUs && e.tUs <= crash.tUs);
      expect(backendSynced).toBe(false);
    }
    // The restarts replay from the WAL what the backends lost: the checks hold.
    expect(r.violations).toEqual([]);
  });
  it("stops firing at the final heal: recovery is judged with no fault left armed", () => {
    // Found by `raftsim fuzz --seed 131 --runs 3319 --shard 3318/3319 --cycles 8` (run 3318):
    // shots left over crashed the members the liveness probe's writes reached, after the heal.
    const faults: Scenario["faults"] = [{ atMs: 1_900, type: "crash-after", on: "ack", node: "any", times: 1_000 }];
    const r = runScenario({ seed: 1, scenario: scenario({ faults, durationMs: 2_000, checks: ["liveness", "durability"] }), keepTrace: true });
    const crashes = r.world.trace.events.filter((e) => e.type === "fault" && e.fault === "crash");
    expect(crashes.length).toBeGreaterThan(0);
    expect(crashes.every((e) => e.tUs < 2_000_000)).toBe(true);
    expect(r.violations).toEqual([]);
    expect(r.checks.liveness).toBe("pass");
  });
});

describe("validation of the new fields", () => {
  const bad = (input: Record<string, unknown>) => () => validateScenario({ name: "x", ...input });
  it("names the field and what was expected", () => {
    expect(bad({ cluster: { alignedTicks: "yes" } })).toThrow(new ScenarioError("scenario.cluster.alignedTicks", "expected true or false"));
    expect(bad({ cluster: { maxSizePerMsgBytes: 0 } })).toThrow(/scenario\.cluster\.maxSizePerMsgBytes: expected an integer in \[1, /);
    expect(bad({ cluster: { maxInflightMsgs: 1.5 } })).toThrow(/scenario\.cluster\.maxInflightMsgs/);
    expect(bad({ faults: [{ atMs: 0, type: "crash-after", on: "vote", node: 1, times: 0 }] })).toThrow(/scenario\.faults\[0\]\.times/);
    expect(bad({ faults: [{ atMs: 0, type: "crash-after", on: "apply", node: 1 }] })).toThrow(new ScenarioError("scenario.faults[0].on", 'expected one of "vote", "ack", "commit", got "apply"'));
    expect(bad({ faults: [{ atMs: 0, type: "link-faults", loss: 0, duplicate: 0, reorder: 0.1, delayMaxMs: -1 }] })).toThrow(/scenario\.faults\[0\]\.delayMaxMs/);
  });
});

describe("workload.balancer", () => {
  it("round-robin clients spread their requests over every member; sticky ones stay on one", () => {
    const members = (balancer: "sticky" | "round-robin") => {
      const evs = events(scenario({ workload: { ...DEFAULT_WORKLOAD, clients: 1, ratePerSec: 50, mix: { get: 1, put: 1 }, balancer } }));
      return new Set(evs.filter((e) => e.type === "client-invoke").map((e) => (e as { node: number }).node)).size;
    };
    expect(members("sticky")).toBe(1);
    expect(members("round-robin")).toBe(DEFAULT_CLUSTER.nodes);
  });
  it("is validated", () => {
    expect(() => validateScenario({ name: "x", workload: { balancer: "random" } })).toThrow(new ScenarioError("scenario.workload.balancer", `expected "sticky" or "round-robin"`));
  });
});
