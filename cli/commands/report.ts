// `raftsim report latency|elections`: runs a report and writes JSON, Markdown and one
// self-contained HTML page with d3 charts to --out; --json prints the report's JSON.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { benchmarkHtml, benchmarkJson, benchmarkMarkdown } from "../../reports/benchmark/render";
import { runBenchmark, validateBenchmarkOptions } from "../../reports/benchmark/run";
import { runFigure16 } from "../../reports/elections/figure16";
import { electionsHtml, electionsJson, electionsMarkdown } from "../../reports/elections/render";
import { findChartsBundle } from "../../reports/html/page";
import { latencyHtml, latencyJson, latencyMarkdown } from "../../reports/latency/render";
import { runLatency, validateLatencyOptions } from "../../reports/latency/run";
import { progressBar } from "../../reports/progress";
import { type Command, type CommandIO, type ParsedArgs, UsageError } from "../command";
import { writeFileAtomic } from "../files";

const SUB_REPORTS = ["latency", "elections", "benchmark"] as const;

function chartsJs(): string {
  const js = findChartsBundle();
  if (js === undefined) throw new UsageError("report: the chart bundle dist/reports/charts.js is missing; run `npm run build`");
  return js;
}

function writeOutputs(io: CommandIO, dir: string, base: string, files: { json: object; markdown: string; html: string }): string[] {
  const paths = [join(dir, `${base}.json`), join(dir, `${base}.md`), join(dir, `${base}.html`)];
  writeFileAtomic(paths[0]!, JSON.stringify(files.json, null, 2) + "\n");
  writeFileAtomic(paths[1]!, files.markdown);
  writeFileAtomic(paths[2]!, files.html);
  if (!io.json) io.err(`wrote ${paths.join(", ")}`);
  return paths;
}

async function elections(args: ParsedArgs, io: CommandIO): Promise<number> {
  const trials = args.options.trials === undefined ? 1_000 : Number(args.options.trials);
  if (!(trials >= 1 && trials <= 100_000)) throw new UsageError(`report elections: --trials must be between 1 and 100000, got ${trials}`);
  const seed = Number(args.options.seed);
  const out = String(args.options.out);
  const js = chartsJs();
  const startMs = performance.now();
  let result;
  try {
    result = runFigure16({ trials, seed, onRow: (done, total) => io.progress(progressBar(`Figure 16, ${trials} trials per row`, done, total)) });
  } finally {
    io.progressDone();
  }
  const wallMs = Math.round(performance.now() - startMs);
  const json = electionsJson(result, wallMs);
  const files = writeOutputs(io, out, "elections", { json, markdown: electionsMarkdown(result), html: electionsHtml(result, js) });
  if (io.json) io.out(JSON.stringify({ ...json, files }));
  else io.out(electionsMarkdown(result));
  return 0;
}

export const reportCommand: Command = {
  name: "report",
  summary: "latency across simulated disks; the Raft paper's election figure and etcd's one-client benchmark, reproduced",
  usage:
    "raftsim report latency [--disks nvme,ssd,hdd] [--nodes 3] [--workload NAME] [--faults NAME] [--seed N] [--out DIR] | raftsim report elections [--trials N] [--out DIR] | raftsim report benchmark [--requests N] [--seed N] [--out DIR]",
  description:
    "latency: runs one workload with one seed once per disk profile and compares client-seen latency (virtual time), throughput, fsyncs and elections. " +
    "elections: the Raft paper's Figure 16 (time without leader after a leader crash, per election-timeout range), beside the published figures. " +
    "benchmark: etcd 3.2's published one-client rows (put to leader, linearizable and serializable reads) on 3 simulated members with the ssd disk and lan network: published vs simulated vs ratio, and which simulated costs (network, fsync, CPU, batching) explain each row. " +
    "Each writes REPORT.json, REPORT.md and a self-contained REPORT.html (d3 charts inlined) to --out.",
  positionals: [{ name: "REPORT", required: true, help: `one of: ${SUB_REPORTS.join(", ")}` }],
  options: [
    { name: "disks", kind: "list", valueName: "LIST", help: "latency: disk profiles to compare (nvme, ssd, hdd)", default: "nvme,ssd,hdd" },
    { name: "nodes", kind: "int", valueName: "N", help: "latency: cluster size", default: 3 },
    { name: "workload", kind: "string", valueName: "NAME", help: "latency: workload preset", default: "mixed" },
    { name: "faults", kind: "string", valueName: "NAME", help: "latency: the fault plan of this built-in scenario, the same for every profile" },
    { name: "duration", kind: "duration", valueName: "DUR", help: "latency: simulated duration per profile (default 10s)" },
    { name: "trials", kind: "int", valueName: "N", help: "elections: trials per timeout range (default 1000)" },
    { name: "requests", kind: "int", valueName: "N", help: "benchmark: requests per row (default 10000, as published)" },
    { name: "seed", kind: "int", valueName: "N", help: "the seed (the same for every profile / trial set)", default: 1 },
    { name: "out", kind: "string", valueName: "DIR", help: "where to write REPORT.json, REPORT.md, REPORT.html", default: "reports-out" },
  ],
  async run(args, io) {
    const which = args.positionals[0]!;
    if (which === "elections") return elections(args, io);
    if (which === "latency") return latencyReport(args, io);
    if (which === "benchmark") return benchmarkReport(args, io);
    throw new UsageError(`report: unknown report '${which}' (expected one of: ${SUB_REPORTS.join(", ")})`);
  },
};

async function latencyReport(args: ParsedArgs, io: CommandIO): Promise<number> {
  const options = {
    disks: (args.options.disks as string[]).map((d) => d.toLowerCase()),
    nodes: Number(args.options.nodes),
    workload: String(args.options.workload),
    seed: Number(args.options.seed),
    durationMs: args.options.duration === undefined ? 10_000 : Math.round(Number(args.options.duration) / 1_000),
    ...(typeof args.options.faults === "string" ? { faults: args.options.faults } : {}),
  };
  const problem = validateLatencyOptions(options);
  if (problem !== undefined) throw new UsageError(`report latency: ${problem}`);
  const js = chartsJs();
  const out = String(args.options.out);
  const startMs = performance.now();
  io.progress(progressBar("latency", 0, options.disks.length));
  let result;
  try {
    result = runLatency({ ...options, onProfile: (done, total, disk) => io.progress(progressBar(`latency (${disk} done)`, done, total)) });
  } finally {
    io.progressDone();
  }
  const wallMs = Math.round(performance.now() - startMs);
  const beyond = result.faults?.beyondEnd ?? [];
  if (beyond.length > 0) io.err(`report latency: ${beyond.length} step(s) of fault plan '${result.faults!.scenario}' fall at or after --duration ${options.durationMs / 1_000}s and were not applied`);
  const json = latencyJson(result, wallMs);
  const files = writeOutputs(io, out, "latency", { json, markdown: latencyMarkdown(result), html: latencyHtml(result, js) });
  if (io.json) io.out(JSON.stringify({ ...json, files }));
  else io.out(latencyMarkdown(result));
  return 0;
}

async function benchmarkReport(args: ParsedArgs, io: CommandIO): Promise<number> {
  const options = { seed: Number(args.options.seed), requests: args.options.requests === undefined ? 10_000 : Number(args.options.requests) };
  const problem = validateBenchmarkOptions(options);
  if (problem !== undefined) throw new UsageError(`report benchmark: ${problem}`);
  const js = chartsJs();
  const out = String(args.options.out);
  const startMs = performance.now();
  io.progress(progressBar("etcd benchmark rows", 0, 3));
  let result;
  try {
    result = runBenchmark({ ...options, onRow: (done, total, row) => io.progress(progressBar(`etcd benchmark rows (${row} done)`, done, total)) });
  } finally {
    io.progressDone();
  }
  const wallMs = Math.round(performance.now() - startMs);
  const json = benchmarkJson(result, wallMs);
  const files = writeOutputs(io, out, "benchmark", { json, markdown: benchmarkMarkdown(result), html: benchmarkHtml(result, js) });
  if (io.json) io.out(JSON.stringify({ ...json, files }));
  else io.out(benchmarkMarkdown(result));
  return 0;
}
