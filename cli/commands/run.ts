// `raftsim run`: one scenario, one seed; prints the run summary and exits 1 if a check failed.
import { performance } from "node:perf_hooks";
import { violationsOf } from "../../scenarios/fuzz/property";
import { REPLAY_FORMAT_VERSION, type ReplayFile } from "../../scenarios/fuzz/replay";
import { hintedHistoryJson } from "../../scenarios/lin_hints";
import { BUILD_ID } from "../build-id";
import { runScenario } from "../../scenarios/run";
import { type Command, EXIT_CHECK_FAILED, EXIT_OK } from "../command";
import { AtomicStreamWriter, writeFileAtomic } from "../files";
import { applyOverrides, loadScenario, parseBugs } from "../scenario-arg";

export const runCommand: Command = {
  name: "run",
  summary: "run one scenario with one seed and check it",
  usage: "raftsim run --scenario NAME|FILE [--seed N] [--duration 30s] [--nodes 5] [--disk nvme|ssd|hdd] [--network lan|wan] [--bug NAME] [--trace FILE.ndjson] [--history FILE.json] [--save FILE.json]",
  options: [
    { name: "scenario", kind: "string", help: "built-in scenario name (see `raftsim scenarios`) or a scenario JSON file", valueName: "NAME|FILE", default: "kv-mixed" },
    { name: "seed", kind: "int", help: "the seed that determines the whole run", valueName: "N", default: 1 },
    { name: "duration", kind: "duration", help: "simulated duration, e.g. 30s (overrides the scenario's)", valueName: "DUR" },
    { name: "nodes", kind: "int", help: "cluster size (overrides the scenario's)", valueName: "N" },
    { name: "disk", kind: "string", help: "disk profile: nvme, ssd or hdd", valueName: "NAME" },
    { name: "network", kind: "string", help: "network profile: lan or wan", valueName: "NAME" },
    { name: "bug", kind: "list", help: "switch on canary bugs (comma-separated)", valueName: "NAME" },
    { name: "trace", kind: "string", help: "write the trace as NDJSON here (for `raftsim view`)", valueName: "FILE" },
    { name: "history", kind: "string", help: "write the client history as JSON here (for `raftsim check`)", valueName: "FILE" },
    { name: "save", kind: "string", help: "write the run as a replay file here (for `raftsim replay`, `raftsim view`): its seed, scenario (with the overrides), bugs, hashes and violations", valueName: "FILE" },
  ],
  async run(args, io) {
    const scenario = applyOverrides(loadScenario(String(args.options.scenario)), args);
    const seed = Number(args.options.seed);
    const bugs = parseBugs(args.options.bug);
    const traceOut = typeof args.options.trace === "string" ? new AtomicStreamWriter(args.options.trace) : undefined;
    const startMs = performance.now();
    let result;
    try {
      io.progress(`running ${scenario.name} seed ${seed} for ${scenario.durationMs} ms simulated…`);
      result = runScenario({ seed, scenario, bugs, ...(traceOut ? { traceSink: (line: string) => traceOut.write(line) } : {}) });
      traceOut?.commit();
    } catch (error) {
      traceOut?.abort();
      throw error;
    } finally {
      io.progressDone();
    }
    const wallMs = Math.round(performance.now() - startMs);
    const { world: _world, recorder, system, ...summary } = result;
    // With hints: where the store says each operation took effect (scenarios/lin_hints.ts).
    if (typeof args.options.history === "string") writeFileAtomic(args.options.history, JSON.stringify(hintedHistoryJson(recorder, system.oracle.storeEvents(), system.oracle.compactions(), system.oracle.revisionsProposedAtUs())) + "\n");
    const savePath = typeof args.options.save === "string" ? args.options.save : undefined;
    if (savePath) {
      const file: ReplayFile = {
        formatVersion: REPLAY_FORMAT_VERSION,
        seed,
        scenario,
        bugs: [...bugs],
        expected: { traceHash: result.traceHash, runHash: result.runHash, violations: violationsOf(result, scenario.checks) },
        origin: { command: commandLine(args.options, seed), build: BUILD_ID },
      };
      writeFileAtomic(savePath, JSON.stringify(file, null, 2) + "\n");
    }
    const output = { ...summary, wallMs, bugs: [...bugs], ...(savePath ? { saved: savePath } : {}) };
    const failed = Object.values(result.checks).includes("fail");
    if (io.json) io.out(JSON.stringify(output));
    else {
      io.out(`scenario ${output.scenario}  seed ${seed}  ${output.simulatedMs} ms simulated in ${wallMs} ms`);
      io.out(`events ${output.events}  messages ${output.messages}  elections ${output.elections.length}`);
      for (const e of output.elections) io.out(`  term ${e.term}: node ${e.leader} leads at ${e.endMs} ms (no leader for ${Math.round((e.endMs - e.startMs) * 10) / 10} ms)`);
      io.out(`ops ${output.ops.total} (ok ${output.ops.ok}, failed ${output.ops.failed}, unknown ${output.ops.unknown})`);
      io.out(`checks ${Object.entries(output.checks).map(([k, v]) => `${k}=${v}`).join(" ")}`);
      for (const v of output.violations) io.out(`  VIOLATION ${v.check}: ${v.message}`);
      io.out(`traceHash ${output.traceHash}`);
      if (typeof args.options.trace === "string") io.out(`trace written to ${args.options.trace}`);
      if (savePath) io.out(`replay file written to ${savePath} (raftsim replay ${savePath}; raftsim view ${savePath})`);
    }
    return failed ? EXIT_CHECK_FAILED : EXIT_OK;
  },
};

/** The command that makes this run again (on any build: the replay file says which wrote it). */
function commandLine(o: Record<string, unknown>, seed: number): string {
  const parts = ["raftsim run", `--scenario ${String(o.scenario)}`, `--seed ${seed}`];
  if (typeof o.duration === "number") parts.push(`--duration ${Math.round(o.duration / 1_000)}ms`);
  for (const name of ["nodes", "disk", "network"]) if (o[name] !== undefined) parts.push(`--${name} ${String(o[name])}`);
  const bugs = Array.isArray(o.bug) ? o.bug : typeof o.bug === "string" ? [o.bug] : [];
  if (bugs.length > 0) parts.push(`--bug ${bugs.join(",")}`);
  if (typeof o.save === "string") parts.push(`--save ${o.save}`);
  return parts.join(" ");
}
