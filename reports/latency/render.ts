// The latency report as JSON (the CLI contract), Markdown and a self-contained page.
import type { ChartSpec } from "../html/chart-spec";
import { type Block, renderPage, type Table } from "../html/page";
import type { LatencySummary } from "../stats";
import type { FaultStep } from "../../scenarios/types";
import type { LatencyResult } from "./types";

const STATS = ["p50", "p90", "p99", "p999", "max", "count"] as const;

export function latencyJson(r: LatencyResult, wallMs?: number): object {
  const profiles: Record<string, object> = {};
  for (const [name, p] of Object.entries(r.profiles)) {
    const lat: Record<string, object> = {};
    for (const [rpc, s] of Object.entries(p.latency)) lat[rpc] = Object.fromEntries(STATS.map((k) => [k, Number.isFinite(s[k]) ? s[k] : null]));
    profiles[name] = {
      ...lat,
      throughputOpsPerSec: p.throughputOpsPerSec,
      fsyncs: p.fsyncs,
      fsyncLatencyMs: p.fsyncLatencyMs,
      elections: p.elections,
      ops: { ok: p.ok, failed: p.failed, unknown: p.unknown },
      windowMs: p.windowMs,
    };
  }
  return {
    seed: r.seed,
    nodes: r.nodes,
    network: r.network,
    workload: r.workload,
    durationMs: r.durationMs,
    faults: r.faults,
    disks: r.disks,
    unit: "ms",
    profiles,
    ...(wallMs !== undefined ? { wallMs } : {}),
  };
}

const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : "–");

function rpcsOf(r: LatencyResult): string[] {
  const all = new Set<string>();
  for (const p of Object.values(r.profiles)) for (const [rpc, s] of Object.entries(p.latency)) if (s.count > 0) all.add(rpc);
  return [...all].sort();
}

function percentileTable(r: LatencyResult): Table {
  const rows: (string | number)[][] = [];
  for (const rpc of rpcsOf(r)) {
    for (const [disk, p] of Object.entries(r.profiles)) {
      const s: LatencySummary = p.latency[rpc]!;
      rows.push([rpc, disk, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.p999), ms(s.max), s.count]);
    }
  }
  return { caption: "Client-seen latency (ms, call → return, virtual time)", head: ["operation", "disk", "p50", "p90", "p99", "p99.9", "max", "count"], rows };
}

function profileTable(r: LatencyResult): Table {
  return {
    caption: "Per profile",
    head: ["disk", "throughput (ops/s)", "ok", "failed", "unknown", "fsyncs", "fsync p50 (ms)", "fsync p99 (ms)", "fsync max (ms)", "elections"],
    rows: Object.entries(r.profiles).map(([disk, p]) => [disk, p.throughputOpsPerSec, p.ok, p.failed, p.unknown, p.fsyncs, ms(p.fsyncLatencyMs.p50), ms(p.fsyncLatencyMs.p99), ms(p.fsyncLatencyMs.max), p.elections]),
  };
}

function setupText(r: LatencyResult): string {
  return (
    `Workload '${r.workload}': ${r.workloadDescription}. ${r.nodes} nodes, ${r.network} network, ${r.durationMs / 1_000} s simulated per profile, seed ${r.seed}; ` +
    `only the disk differs between runs. Measured from the first leader's election to the end. ` +
    (r.faults ? faultText(r.faults) : "No faults. ") +
    `Disks: ${r.disks.map((d) => `${d.name} (fsync median ${d.fsyncMedianMs} ms, p99 ${d.fsyncP99Ms} ms: ${d.source})`).join("; ")}.`
  );
}

function describeStep(f: FaultStep): string {
  const { atMs, type, ...rest } = f as FaultStep & Record<string, unknown>;
  const args = Object.entries(rest).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(", ");
  return `${type}${args ? ` (${args})` : ""} at ${atMs / 1_000} s`;
}

function faultText(faults: NonNullable<LatencyResult["faults"]>): string {
  const beyond = faults.beyondEnd ?? [];
  return (
    `Fault plan of built-in scenario '${faults.scenario}', the same for every profile: ${faults.steps.length === 0 ? "no step falls inside the run" : faults.steps.map(describeStep).join("; ")}. ` +
    (beyond.length > 0 ? `Not applied (at or after the end of the run): ${beyond.map(describeStep).join("; ")}. ` : "") +
    "Operations that failed or timed out during the faults count under failed / unknown, not in the latency figures. "
  );
}

/** p99 ratios against the fastest profile: the headline of the comparison. */
export function headline(r: LatencyResult): string {
  const names = Object.keys(r.profiles);
  if (names.length < 2) return "";
  const put = names.map((n) => [n, r.profiles[n]!.latency.put!.p99] as const).filter(([, v]) => Number.isFinite(v));
  if (put.length < 2) return "";
  const [fastN, fastV] = put.reduce((a, b) => (b[1] < a[1] ? b : a));
  return `put p99: ${put.map(([n, v]) => `${n} ${ms(v)} ms${n === fastN ? "" : ` (${(v / fastV).toFixed(1)}× ${fastN})`}`).join(", ")}. A put waits for the leader's WAL fsync and a quorum of followers' fsyncs, so its latency follows the disk.`;
}

export function latencyMarkdown(r: LatencyResult): string {
  const md = (t: Table) => [`| ${t.head.join(" | ")} |`, `| ${t.head.map(() => "---").join(" | ")} |`, ...t.rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
  return ["# Latency by simulated disk", "", setupText(r), "", headline(r), "", md(percentileTable(r)), "", md(profileTable(r)), ""].join("\n");
}

export function latencyCharts(r: LatencyResult): ChartSpec[] {
  return rpcsOf(r).map((rpc) => ({
    id: `latency-${rpc}`,
    title: `${rpc}: latency CDF per disk`,
    xLabel: "latency (ms, log scale)",
    yLabel: "cumulative % of operations",
    xLog: true,
    yPercent: true,
    series: Object.entries(r.profiles).map(([disk, p]) => ({ name: disk, points: p.cdf[rpc] ?? [] })),
  }));
}

export function latencyHtml(r: LatencyResult, chartsJs: string): string {
  const charts = latencyCharts(r);
  const blocks: Block[] = [
    { kind: "p", text: setupText(r) },
    { kind: "p", text: headline(r) },
    { kind: "charts", ids: charts.map((c) => c.id) },
    { kind: "p", text: "How to read: one chart per operation type, one line per disk profile; a point (x, y) says y % of those operations completed within x ms. The gap between lines at the top (p99 and beyond) is the tail the disk adds." },
    { kind: "table", table: percentileTable(r) },
    { kind: "table", table: profileTable(r) },
  ];
  return renderPage({ title: "Latency by simulated disk", subtitle: `raftsim report latency --disks ${Object.keys(r.profiles).join(",")} --workload ${r.workload} --seed ${r.seed}`, blocks, charts, chartsJs });
}
