// The store's end-to-end acceptance run (issue: `raftsim run --scenario kv-mixed --seed 3`):
// every operation type and watch activity show up, and every check passes.
import { describe, expect, it } from "vitest";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";

describe("kv-mixed, seed 3", () => {
  it("exercises get, range, put, delete, txn, lease and watch, and passes every check", () => {
    const r = runScenario({ seed: 3, scenario: findBuiltin("kv-mixed")! });
    for (const type of ["get", "range", "put", "delete", "txn", "lease", "watch"]) expect(r.ops.byType[type] ?? 0, type).toBeGreaterThan(0);
    expect(r.ops.watch.events).toBeGreaterThan(0);
    expect(r.checks).toMatchObject({ linearizability: "pass", watch: "pass", durability: "pass", convergence: "pass", liveness: "pass", leases: "pass", invariants: "pass" });
  });
});
