// Turns one run into the latency report's numbers: client-seen latency per operation type
// (call → return in virtual time, successful operations only), throughput, fsyncs and
// elections. A pure function of the run, so the same seed gives the same figures.
import { cdfPoints, type LatencySummary, round, summarize } from "../stats";

/** What the report needs from a run (a subset of runScenario's result). */
export interface RunData {
  /** Client operations: call/return in virtual µs; return null = outcome unknown. */
  ops: readonly { client: number; opType: string; call: number; return: number | null; status: string }[];
  /** The measured window: operations invoked in [startUs, durationUs). */
  durationUs: number;
  /** Start of the window: the first leader's election (before it every request fails). */
  startUs: number;
  /** Per node: every fsync's latency (µs). */
  fsyncLatenciesUs: readonly (readonly number[])[];
  elections: number;
}

/** etcd RPC names for the workload's operation types. */
export const RPC_OF: Record<string, string> = { put: "put", get: "range", range: "range", getSerializable: "rangeSerializable", delete: "deleteRange", txn: "txn", lease: "lease", compact: "compact" };
export const MAIN_RPCS = ["put", "range", "txn"] as const;

export interface ProfileMeasurement {
  /** Latency summaries in ms per RPC; put/range/txn always present (count 0 when unused). */
  latency: Record<string, LatencySummary>;
  cdf: Record<string, [number, number][]>;
  ok: number;
  failed: number;
  unknown: number;
  throughputOpsPerSec: number;
  windowMs: number;
  fsyncs: number;
  fsyncLatencyMs: LatencySummary;
  elections: number;
}

export function measure(run: RunData, clientIds: (id: number) => boolean): ProfileMeasurement {
  const byRpc = new Map<string, number[]>();
  let ok = 0, failed = 0, unknown = 0;
  for (const op of run.ops) {
    if (!clientIds(op.client) || op.call < run.startUs || op.call >= run.durationUs) continue;
    if (op.status === "ok" && op.return !== null) {
      ok++;
      const rpc = RPC_OF[op.opType] ?? op.opType;
      let list = byRpc.get(rpc);
      if (!list) byRpc.set(rpc, (list = []));
      list.push((op.return - op.call) / 1_000);
    } else if (op.status === "fail") failed++;
    else unknown++;
  }
  const rpcs = [...new Set([...MAIN_RPCS, ...byRpc.keys()])].sort();
  const latency: Record<string, LatencySummary> = {};
  const cdf: Record<string, [number, number][]> = {};
  for (const rpc of rpcs) {
    const values = byRpc.get(rpc) ?? [];
    const s = summarize(values);
    latency[rpc] = { p50: round(s.p50), p90: round(s.p90), p99: round(s.p99), p999: round(s.p999), max: round(s.max), mean: round(s.mean), count: s.count };
    cdf[rpc] = cdfPoints(values, 300).map(([x, y]) => [round(x), round(y, 5)]);
  }
  const allFsyncs = run.fsyncLatenciesUs.flatMap((l) => l.map((us) => us / 1_000));
  const f = summarize(allFsyncs);
  return {
    latency,
    cdf,
    ok,
    failed,
    unknown,
    throughputOpsPerSec: round(ok / ((run.durationUs - run.startUs) / 1e6), 1),
    windowMs: round((run.durationUs - run.startUs) / 1_000, 1),
    fsyncs: allFsyncs.length,
    fsyncLatencyMs: { p50: round(f.p50), p90: round(f.p90), p99: round(f.p99), p999: round(f.p999), max: round(f.max), mean: round(f.mean), count: f.count },
    elections: run.elections,
  };
}
