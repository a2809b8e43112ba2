import { describe, expect, it } from "vitest";
import { syntheticLatencyResult } from "../testing";
import { measure } from "./measure";
import { headline, latencyJson, latencyMarkdown } from "./render";
import { faultSteps, runLatency, validateLatencyOptions } from "./run";

describe("latency measurement", () => {
  it("measures client-seen latency per RPC from call to return, only successful ops of workload clients in the window", () => {
    const m = measure(
      {
        ops: [
          { client: 100, opType: "put", call: 0, return: 5_000, status: "ok" }, // before the window
          { client: 100, opType: "put", call: 1_000_000, return: 1_002_000, status: "ok" },
          { client: 101, opType: "put", call: 1_100_000, return: 1_104_000, status: "ok" },
          { client: 101, opType: "get", call: 1_200_000, return: 1_201_000, status: "ok" },
          { client: 101, opType: "get", call: 1_300_000, return: 1_400_000, status: "fail" },
          { client: 102, opType: "txn", call: 1_400_000, return: null, status: "unknown" },
          { client: 99, opType: "put", call: 1_500_000, return: 1_500_500, status: "ok" }, // not a workload client
        ],
        startUs: 1_000_000,
        durationUs: 2_000_000,
        fsyncLatenciesUs: [[800, 1_200], [1_000]],
        elections: 2,
      },
      (c) => c >= 100,
    );
    expect(m.latency.put).toMatchObject({ count: 2, p50: 3, max: 4 });
    expect(m.latency.range).toMatchObject({ count: 1, max: 1 });
    expect(m.latency.txn!.count).toBe(0);
    expect([m.ok, m.failed, m.unknown]).toEqual([3, 1, 1]);
    expect(m.throughputOpsPerSec).toBe(3); // 3 ok in a 1 s window
    expect(m.fsyncs).toBe(3);
    expect(m.fsyncLatencyMs.p50).toBe(1);
    expect(m.elections).toBe(2);
  });

  it("reports the CLI contract's JSON shape with ratios that follow the data", () => {
    const r = syntheticLatencyResult({ ssd: 1, hdd: 10 });
    const json = latencyJson(r) as { profiles: Record<string, Record<string, Record<string, number>> & { throughputOpsPerSec: number; fsyncs: number }> };
    for (const disk of ["ssd", "hdd"]) {
      for (const rpc of ["put", "range", "txn"]) expect(Object.keys(json.profiles[disk]![rpc]!).sort()).toEqual(["count", "max", "p50", "p90", "p99", "p999"]);
      expect(json.profiles[disk]!.fsyncs).toBe(3);
    }
    const ratio = json.profiles.hdd!.put!.p99! / json.profiles.ssd!.put!.p99!;
    expect(ratio).toBeCloseTo(10, 1);
    expect(headline(r)).toMatch(/hdd .* \(10\.0× ssd\)/);
    expect(latencyMarkdown(r)).toContain("| put | hdd |");
  });

  it("--faults: every profile runs the same fault plan; the crash shows up as a new election and lost throughput", () => {
    const base = { disks: ["ssd", "hdd"], nodes: 3, workload: "one-client-put", seed: 3, durationMs: 6_000 };
    const calm = runLatency(base);
    const faulty = runLatency({ ...base, faults: "leader-crash-restart" });
    expect(faulty.faults!.scenario).toBe("leader-crash-restart");
    // crash at 3 s is inside the 6 s run, restart at 5 s too.
    expect(faulty.faults!.steps.map((s) => [s.atMs, s.type])).toEqual([[3_000, "crash"], [5_000, "restart"]]);
    expect(faulty.faults!.beyondEnd).toEqual([]);
    for (const disk of base.disks) {
      expect(calm.profiles[disk]!.elections).toBe(1);
      expect(faulty.profiles[disk]!.elections).toBeGreaterThanOrEqual(2);
      // Clients stuck on the crashed leader wait out their request timeout: fewer requests complete.
      expect(faulty.profiles[disk]!.ok).toBeLessThan(0.8 * calm.profiles[disk]!.ok);
      expect(faulty.profiles[disk]!.latency.put!.count).toBeGreaterThan(0);
    }
    expect(latencyMarkdown(faulty)).toContain("crash (node \"leader\") at 3 s; restart (node \"all-down\") at 5 s");
  }, 60_000);

  it("--faults: steps after the end of a shorter run are listed as not applied; unknown plans are refused", () => {
    expect(faultSteps({ faults: "leader-crash-restart", durationMs: 4_000 })).toEqual({ applied: [{ atMs: 3_000, type: "crash", node: "leader" }], beyondEnd: [{ atMs: 5_000, type: "restart", node: "all-down" }] });
    expect(validateLatencyOptions({ disks: ["ssd"], nodes: 3, workload: "mixed", durationMs: 5_000, faults: "no-such-plan" })).toMatch(/unknown fault plan 'no-such-plan'/);
  });
});
