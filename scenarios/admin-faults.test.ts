// The fault plan's membership changes and snapshot save+restore go through the store's
// Cluster and Maintenance API (an operator client), and can fail as an operator's would.
import { describe, expect, it } from "vitest";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";
import type { Scenario } from "./types";
import { validateScenario } from "./validate";

function operatorNotes(run: ReturnType<typeof runScenario>): string[] {
  return run.world.trace.events.flatMap((e) => (e.type === "note" && e.text.startsWith("operator: ") && e.text.includes(" -> ") ? [e.text.slice("operator: ".length)] : []));
}

describe("fault plan through the Cluster and Maintenance API", () => {
  it("membership-change-under-partition: add learner, promote, remove the leader, all answered by the cluster", () => {
    const run = runScenario({ seed: 1, scenario: findBuiltin("membership-change-under-partition")!, keepTrace: true });
    const notes = operatorNotes(run);
    expect(notes[0]).toBe("member add http://n4:2380 --learner -> ok, members 1,2,3,4(learner)");
    expect(notes).toContain("member promote 4 -> ok, members 1,2,3,4");
    const removal = notes.find((n) => n.startsWith("member remove"));
    expect(removal).toMatch(/^member remove (\d) -> ok, members /);
    const removed = Number(/^member remove (\d)/.exec(removal!)![1]);
    const leader = run.system.leader()!;
    expect(leader.status().confState.voters).toEqual([1, 2, 3, 4].filter((id) => id !== removed));
    expect(Object.entries(run.checks).filter(([, v]) => v === "fail")).toEqual([]);
  });

  it("a change the cluster refuses is reported, not forced: a second learner", () => {
    const scenario: Scenario = validateScenario({
      name: "two-learners",
      durationMs: 4_000,
      faults: [
        { atMs: 1_500, type: "add-member", learner: true },
        { atMs: 2_000, type: "add-member", learner: true },
      ],
    });
    const run = runScenario({ seed: 2, scenario, keepTrace: true });
    const notes = operatorNotes(run);
    expect(notes).toEqual([
      "member add http://n4:2380 --learner -> ok, members 1,2,3,4(learner)",
      "member add http://n5:2380 --learner -> etcdserver: too many learner members in cluster",
    ]);
    expect(run.system.leader()!.status().confState.learners).toEqual([4]);
    // etcd's procedure is `member add`, then start the process: the accepted learner's
    // machine runs (once, from the answer on); the refused one's never does, not even when
    // the heal restarts every machine that is down, and no client or operator is sent to it.
    expect(run.world.node(4).starts).toBe(1);
    expect(run.world.node(4).status).toBe("up");
    expect(run.world.node(5).starts).toBe(0);
    expect(run.world.node(5).status).toBe("down");
    const texts = run.world.trace.events.flatMap((e) => (e.type === "note" ? [e.text] : []));
    expect(texts).toContain("operator: member 5 not started (add refused)");
    expect(run.world.trace.events.filter((e) => e.type === "send" && e.to === 5 && !run.world.allEndpoints().includes(e.from))).toEqual([]);
    expect(run.checks.liveness).toBe("pass");
  });

  it("the operator does not dial a machine that is down: an add after a crash is refused at once, and its machine never runs", () => {
    // etcdctl meets a refused connection on a stopped machine and tries its next endpoint;
    // only a machine that accepts the connection can leave a request hanging to its timeout.
    const scenario: Scenario = validateScenario({
      name: "add-after-crash",
      durationMs: 4_000,
      faults: [
        { atMs: 1_000, type: "crash", node: 1 },
        { atMs: 1_500, type: "add-member", learner: true },
      ],
    });
    // Seed 4: the operator's session starts out on member 1, the one that crashes.
    const run = runScenario({ seed: 4, scenario, keepTrace: true });
    const answer = run.world.trace.events.find((e) => e.type === "note" && e.text.startsWith("operator: member add ") && e.text.includes(" -> "));
    // etcd's strict reconfiguration check: the leader must be in touch with every voter.
    expect(answer && answer.type === "note" ? answer.text : "").toBe("operator: member add http://n4:2380 --learner -> etcdserver: unhealthy cluster");
    expect(answer!.tUs - 1_500_000).toBeLessThan(1_000_000);
    expect(run.world.node(4).starts).toBe(0);
  });

  it("snapshot-install saves a snapshot through the API and restores it into a fresh cluster", () => {
    const run = runScenario({ seed: 1, scenario: findBuiltin("snapshot-install")!, keepTrace: true });
    expect(run.system.snapshots).toHaveLength(1);
    const saved = run.system.snapshots[0]!;
    expect(saved.atUs).toBeGreaterThanOrEqual(8_000_000);
    expect(saved.summary.revision).toBeGreaterThan(100);
    const restored = run.world.trace.events.find((e) => e.type === "note" && e.text.startsWith("snapshot restored"));
    expect(restored && restored.type === "note" ? restored.text : "").toContain(`revision ${saved.summary.revision}, ${saved.summary.keys} keys, state ${saved.summary.stateHash.slice(0, 12)} (same)`);
    expect(run.checks.invariants).toBe("pass");
  });

  it("add-member with promoteAfterMs: the learner is promoted once in sync, retried while it is not", () => {
    // Promotion asked for 1 ms after the add: the learner has not caught up yet, so etcd
    // refuses (not in sync) and the operator asks again 250 ms later.
    const scenario = (promoteAfterMs: number | undefined): Scenario => validateScenario({
      name: "learner-promoted",
      durationMs: 4_000,
      faults: [{ atMs: 1_500, type: "add-member", learner: true, ...(promoteAfterMs !== undefined ? { promoteAfterMs } : {}) }],
    });
    const run = runScenario({ seed: 3, scenario: scenario(1), keepTrace: true });
    const notes = operatorNotes(run).filter((n) => n.startsWith("member promote"));
    expect(notes[0]).toBe("member promote 4 -> etcdserver: can only promote a learner member which is in sync with leader");
    expect(notes.at(-1)).toBe("member promote 4 -> ok, members 1,2,3,4");
    expect(notes.length).toBeLessThanOrEqual(4);
    expect(run.system.leader()!.status().confState.voters).toEqual([1, 2, 3, 4]);
    expect(Object.entries(run.checks).filter(([, v]) => v === "fail")).toEqual([]);
    // Without promoteAfterMs the new member stays a learner.
    const kept = runScenario({ seed: 3, scenario: scenario(undefined), keepTrace: true });
    expect(operatorNotes(kept).filter((n) => n.startsWith("member promote"))).toEqual([]);
    expect(kept.system.leader()!.status().confState.learners).toEqual([4]);
  });

  it("promoteAfterMs is refused on a voter add, with the place named", () => {
    expect(() => validateScenario({ name: "x", faults: [{ atMs: 1, type: "add-member", promoteAfterMs: 10 }] })).toThrow(/faults\[0\]\.promoteAfterMs: only a learner/);
  });
});
