// Test support: a synthetic latency result (no simulation needed) and the chart bundle
// built in memory with esbuild, so report tests do not depend on `npm run build`.
import { build } from "esbuild";
import { measure } from "./latency/measure";
import type { LatencyResult } from "./latency/types";

/** Ops whose latency is `baseMs` × a fixed spread, per disk; deterministic. */
export function syntheticLatencyResult(disks: Record<string, number>): LatencyResult {
  const profiles: LatencyResult["profiles"] = {};
  for (const [disk, baseMs] of Object.entries(disks)) {
    const ops = [];
    for (let i = 0; i < 2_000; i++) {
      const spread = 1 + ((i * 7919) % 1000) / 250; // 1..5
      const opType = ["put", "get", "txn", "getSerializable"][i % 4]!;
      const call = 1_000_000 + i * 1_000;
      ops.push({ client: 100 + (i % 3), opType, call, return: call + Math.round(baseMs * spread * 1_000), status: "ok" });
    }
    ops.push({ client: 100, opType: "put", call: 5_000_000, return: null, status: "unknown" });
    ops.push({ client: 99, opType: "put", call: 6_000_000, return: 6_000_100, status: "ok" }); // a probe: not counted
    profiles[disk] = measure({ ops, startUs: 1_000_000, durationUs: 10_000_000, fsyncLatenciesUs: [[baseMs * 1_000, 2 * baseMs * 1_000], [baseMs * 1_000]], elections: 1 }, (c) => c >= 100);
  }
  return {
    seed: 1,
    nodes: 3,
    network: "lan",
    workload: "mixed",
    workloadDescription: "synthetic <b>test</b> workload",
    durationMs: 10_000,
    faults: null,
    disks: Object.keys(disks).map((name) => ({ name, source: "synthetic", fsyncMedianMs: disks[name]!, fsyncP99Ms: 2 * disks[name]! })),
    profiles,
  };
}

export async function buildChartsBundle(): Promise<string> {
  const r = await build({ entryPoints: ["reports/html/charts.ts"], bundle: true, platform: "browser", format: "iife", target: "chrome110", minify: true, write: false, logLevel: "silent" });
  return r.outputFiles[0]!.text;
}
