// The snapshot-save-restore step is a real check: when the restored cluster does not hold the
// snapshot's state (simulated here by a restore that loses the last key), the run fails its
// invariants check with a message naming the difference.
import { describe, expect, it, vi } from "vitest";

vi.mock("../sim/etcd/restore", async (importOriginal) => {
  const real = await importOriginal<typeof import("../sim/etcd/restore")>();
  return {
    ...real,
    restoreCluster: (o: Parameters<typeof real.restoreCluster>[0]) => {
      const r = real.restoreCluster(o);
      return { ...r, keys: r.keys - 1 };
    },
  };
});

const { findBuiltin } = await import("./builtin");
const { runScenario } = await import("./run");

describe("snapshot-save-restore as a check", () => {
  it("a restore that differs from the snapshot fails the run's invariants", () => {
    const run = runScenario({ seed: 1, scenario: findBuiltin("snapshot-install")! });
    expect(run.checks.invariants).toBe("fail");
    expect(run.violations.map((v) => v.message).join("\n")).toMatch(/snapshot of node \d+: restored cluster differs \(revision (\d+) vs \1, keys (\d+) vs \d+/);
  });
});
