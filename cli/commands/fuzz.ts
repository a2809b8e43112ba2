// `raftsim fuzz`: a campaign of random scenarios and fault plans against the property
// "every check passes". Each failure is shrunk and written as a replay file. Runs spread
// over worker threads (--workers) and over machines (--shard I/N) without changing which
// seeds run or what they give.
import { existsSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import type { RunOutcome, ShrinkProgress } from "../../scenarios/fuzz/driver";
import { CYCLES_MAX, FUZZ_NODES_MAX, FUZZ_NODES_MIN } from "../../scenarios/fuzz/arbitraries";
import { DEFAULT_SHRINK_BUDGET } from "../../scenarios/fuzz/driver";
import { runCampaign } from "../../scenarios/fuzz/pool";
import { campaignRunCommand, replayFileName, replayFileOf, undecidedReplayFileName, undecidedReplayFileOf } from "../../scenarios/fuzz/replay";
import { parseShard, shardRunIndex } from "../../scenarios/fuzz/seeds";
import { isSelfTest, SELF_TESTS } from "../../scenarios/fuzz/self-test";
import { type Command, EXIT_CHECK_FAILED, EXIT_OK, UsageError } from "../command";
import { BUILD_ID } from "../build-id";
import { writeFileAtomic } from "../files";
import { parseBugs } from "../scenario-arg";

const DEFAULT_WORKERS = Math.max(1, Math.min(8, availableParallelism()));
const DEFAULT_RUNS = 100;
/**
 * With --bug and neither --runs nor --time, a canary hunt: up to this many runs, stopping at
 * the first failure. The slowest canaries take a median of ~600 runs (README, Canary bugs).
 */
const HUNT_RUNS = 10_000;
const DEFAULT_MAX_FAILURES = 5;
/** The text summary names at most this many runs a check could not decide (--json lists all). */
const UNKNOWN_RUNS_SHOWN_MAX = 10;
/** Without a TTY (a CI log), a progress line this often. */
const LOG_EVERY_SECONDS = 30;
/** The most runs one campaign plans (with --time and no --runs, it plans this many). */
const RUNS_MAX = 1_000_000_000;

function formatSeconds(seconds: number): string {
  const s = Math.floor(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** The campaign's --runs that holds exactly a shard's first `done` runs (run i is in shard i mod N). */
function campaignRunsCovered(done: number, shard: { index: number; count: number }): number {
  return done === 0 ? 0 : shardRunIndex(done - 1, shard) + 1;
}

/** The worker bundle sits beside the CLI bundle in dist/; absent when run from sources. */
function workerUrl(): URL | undefined {
  const url = new URL("./fuzz-worker.mjs", import.meta.url);
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : undefined;
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round(Math.min(1, done / total) * width);
  return `[${"#".repeat(filled)}${" ".repeat(width - filled)}]`;
}

export const fuzzCommand: Command = {
  name: "fuzz",
  summary: "fuzz the store with random scenarios and fault plans; shrink and save failures",
  usage: "raftsim fuzz [--runs N] [--time DUR] [--seed N] [--workers N] [--shard I/N] [--bug NAME] [--cycles N] [--nodes N] [--out DIR] [--save-unknown] [--json]",
  description:
    "Run i of campaign seed S uses its own seed, a hash of (S, i): the same flags give the same runs and results on any machine and any number of workers. " +
    "--shard I/N (0 <= I < N) takes runs i with i mod N = I, so N shards together run exactly the campaign one machine would. " +
    "--time DUR starts no run once DUR of wall time has passed (runs under way finish): the runs done are runs 0..n-1, and the summary gives the `--runs n` that repeats them exactly. Ctrl-C (SIGINT, or SIGTERM) stops the same way and exits 130 (143) unless a run failed; a second one ends it at once. " +
    "--cycles N makes each run N rounds of faults, heal and settle on one cluster (recovery from a recovery); --cycles 1, the default, is the one-round campaign. " +
    "--nodes N fixes every run's cluster at N members instead of drawing 3 to 5 (everything else is drawn as usual). " +
    "Every failure is shrunk (smallest fault plan and workload that still fail the same check) and written to --out as a replay file for `raftsim replay`. " +
    "Runs a check could not decide (a linearizability search over its budget, replicas that never met at one applied index, during the run or at its end) pass, and are named in the summary with the command that re-runs each alone; --save-unknown also writes each one's case to --out (unknown-SEED-CHECKS.json), and `raftsim replay FILE --history h.json` hands its client history to `raftsim check`.",
  options: [
    { name: "runs", kind: "int", help: `runs in the whole campaign (over all shards) (default: ${DEFAULT_RUNS}; with --bug, up to ${HUNT_RUNS}; with --time, no limit)`, valueName: "N" },
    { name: "time", kind: "duration", help: "wall-time budget, e.g. 90s or 10m: no run starts after it; runs under way finish, failures shrink (for CI jobs of a fixed length)", valueName: "DUR" },
    { name: "seed", kind: "int", help: "campaign seed", valueName: "N", default: 1 },
    { name: "workers", kind: "int", help: `worker threads (default: cores, at most 8; here ${DEFAULT_WORKERS})`, valueName: "N" },
    { name: "shard", kind: "string", help: "run only shard I of N (0-based), e.g. 0/4", valueName: "I/N" },
    { name: "bug", kind: "list", help: `switch on canary bugs (comma-separated); without --runs or --time, hunt: up to ${HUNT_RUNS} runs, stop at the first failure`, valueName: "NAME" },
    { name: "cycles", kind: "int", help: `rounds of faults + heal + settle per run, 1 to ${CYCLES_MAX} (each ~2-4 s simulated; other N, other runs)`, valueName: "N", default: 1 },
    { name: "nodes", kind: "int", help: `members in every run's cluster, ${FUZZ_NODES_MIN} to ${FUZZ_NODES_MAX} (default: drawn per run, 3 to 5; other N, other runs)`, valueName: "N" },
    { name: "out", kind: "string", help: "directory for replay files", valueName: "DIR", default: "raftsim-failures" },
    { name: "max-failures", kind: "int", help: `stop after this many failing runs (in run order; 0 = never stop) (default: ${DEFAULT_MAX_FAILURES}; 1 in a --bug hunt)`, valueName: "N" },
    { name: "shrink-budget", kind: "int", help: "at most this many simulations to shrink one failure (one of more than 150k events counts as one per 150k)", valueName: "N", default: DEFAULT_SHRINK_BUDGET },
    { name: "save-unknown", kind: "boolean", help: "also write a replay file for each run a check could not decide (the case as drawn, unshrunk)" },
    { name: "self-test", kind: "string", help: `plant a synthetic failing check to test the harness itself (${Object.keys(SELF_TESTS).join(", ")})`, valueName: "NAME" },
  ],
  async run(args, io) {
    const o = args.options;
    const timeUs = o.time === undefined ? undefined : Number(o.time);
    const hunt = o.bug !== undefined && o.runs === undefined && timeUs === undefined;
    const runs = o.runs === undefined ? (timeUs !== undefined ? RUNS_MAX : hunt ? HUNT_RUNS : DEFAULT_RUNS) : Number(o.runs);
    if (runs < 1 || runs > RUNS_MAX) throw new UsageError(`fuzz: --runs expects a positive integer up to ${RUNS_MAX}, got ${runs}`);
    const campaignSeed = Number(o.seed);
    const workers = o.workers === undefined ? DEFAULT_WORKERS : Number(o.workers);
    if (workers < 1 || workers > 256) throw new UsageError(`fuzz: --workers expects an integer in [1, 256], got ${workers}`);
    const shard = o.shard === undefined ? { index: 0, count: 1 } : parseShard(String(o.shard));
    if (!shard) throw new UsageError(`fuzz: --shard expects I/N with 0 <= I < N (e.g. 0/4), got '${o.shard}'`);
    const bugs = [...parseBugs(o.bug)].sort();
    const maxFailures = o["max-failures"] === undefined ? (hunt ? 1 : DEFAULT_MAX_FAILURES) : Number(o["max-failures"]);
    if (maxFailures < 0) throw new UsageError(`fuzz: --max-failures expects an integer >= 0, got ${maxFailures}`);
    const shrinkBudget = Number(o["shrink-budget"]);
    if (shrinkBudget < 0) throw new UsageError(`fuzz: --shrink-budget expects an integer >= 0, got ${shrinkBudget}`);
    const selfTest = o["self-test"] === undefined ? undefined : String(o["self-test"]);
    if (selfTest !== undefined && !isSelfTest(selfTest)) throw new UsageError(`fuzz: --self-test: unknown self-test '${selfTest}' (known: ${Object.keys(SELF_TESTS).join(", ")})`);
    const cycles = Number(o.cycles);
    if (!Number.isInteger(cycles) || cycles < 1 || cycles > CYCLES_MAX) throw new UsageError(`fuzz: --cycles expects an integer in [1, ${CYCLES_MAX}], got ${o.cycles}`);
    const nodes = o.nodes === undefined ? undefined : Number(o.nodes);
    if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < FUZZ_NODES_MIN || nodes > FUZZ_NODES_MAX)) throw new UsageError(`fuzz: --nodes expects an integer in [${FUZZ_NODES_MIN}, ${FUZZ_NODES_MAX}], got ${o.nodes}${nodes === 1 ? " (a lone member is left out: see the README's Fuzzing section)" : ""}`);
    const outDir = String(o.out);
    const saveUnknown = o["save-unknown"] === true;

    let url = workerUrl();
    let threads = workers;
    if (workers > 1 && !url) {
      io.err("raftsim fuzz: the worker bundle dist/fuzz-worker.mjs is missing (run `npm run build`); running on 1 thread");
      threads = 1;
    }
    const budget = timeUs === undefined ? "" : `${runs === RUNS_MAX ? "" : " at most"} for ${formatSeconds(timeUs / 1e6)} of wall time`;
    if (!io.json) io.err(`fuzz: ${timeUs !== undefined && runs === RUNS_MAX ? "as many runs as fit" : `${hunt ? "canary hunt: up to " : ""}${runs} runs${hunt ? ", stopping at the first failure" : ""}`}${budget}, seed ${campaignSeed}, shard ${shard.index}/${shard.count}, ${threads} worker${threads === 1 ? "" : "s"}, bugs: ${bugs.length ? bugs.join(",") : "none"}${cycles > 1 ? `, ${cycles} cycles per run` : ""}${nodes !== undefined ? `, ${nodes} nodes per run` : ""}${selfTest ? `, self-test: ${selfTest}` : ""}`);

    const startMs = performance.now();
    let failedSoFar = 0;
    let unknownSoFar = 0;
    let lastLogSeconds = 0;
    // Each failure's replay file is written the moment its run ends, so a campaign cut short
    // (a CI job's timeout, Ctrl-C) still leaves what it found.
    const written = new Map<number, string>();
    const writeReplay = (outcome: RunOutcome): string | undefined => {
      const f = outcome.failure;
      if (!f) return undefined;
      const replayFile = join(outDir, replayFileName(outcome.seed, f.check));
      if (written.get(outcome.index) !== replayFile) writeFileAtomic(replayFile, JSON.stringify(replayFileOf({ ...outcome, failure: f }, { campaignSeed, bugs, selfTest, build: BUILD_ID, cycles, nodes }), null, 2) + "\n");
      written.set(outcome.index, replayFile);
      return replayFile;
    };
    const report = (outcome: RunOutcome, completed: number, planned: number) => {
      const replayFile = writeReplay(outcome);
      if (!outcome.passed) failedSoFar++;
      if (outcome.unknownChecks.length > 0) unknownSoFar++;
      if (replayFile && !io.json) {
        io.progressDone();
        io.err(`found: run ${outcome.index} fails ${outcome.failure!.check}; raftsim replay ${replayFile}`);
      }
      const seconds = (performance.now() - startMs) / 1_000;
      const rate = `${(completed / Math.max(seconds, 1e-3)).toFixed(1)} runs/s`;
      const counts = timeUs === undefined ? `${completed}/${planned} runs` : `${formatSeconds(seconds)}/${formatSeconds(timeUs / 1e6)}  ${completed} runs`;
      const fraction = timeUs === undefined ? completed / planned : Math.min(1, (seconds * 1e6) / timeUs);
      const undecided = unknownSoFar > 0 ? `  ${unknownSoFar} undecided` : "";
      io.progress(`${bar(fraction, 1)} ${counts}  ${failedSoFar} failed${undecided}  ${rate}`);
      // A CI log is no TTY: there, a plain line now and then shows the campaign is alive.
      if (!io.isTTY && !io.json && seconds - lastLogSeconds >= LOG_EVERY_SECONDS) {
        lastLogSeconds = seconds;
        io.err(`fuzz: ${counts}, ${failedSoFar} failed${unknownSoFar > 0 ? `, ${unknownSoFar} undecided` : ""}, ${rate}`);
      }
    };
    // A shrink can take minutes (a slow case, many cycles): say it started, then how far it is.
    const onShrink = (p: ShrinkProgress) => {
      if (io.json || p.budget === 0) return;
      const seconds = (performance.now() - startMs) / 1_000;
      if (p.simulations === 0) {
        io.progressDone();
        io.err(`run ${p.index} fails ${p.check} (${p.faultsFound} faults); shrinking it, at most ${p.budget} simulations (--shrink-budget)`);
        return;
      }
      const where = `shrinking run ${p.index}: ${p.simulations}/${p.budget} simulations, ${p.faultsFound} -> ${p.faultsNow} faults`;
      io.progress(`${bar(Math.min(1, p.simulations / p.budget), 1)} ${where}`);
      if (!io.isTTY && seconds - lastLogSeconds >= LOG_EVERY_SECONDS) {
        lastLogSeconds = seconds;
        io.err(`fuzz: ${where}`);
      }
    };
    // Ctrl-C (or a CI job's SIGTERM) ends a campaign the way --time does: no run starts, the
    // runs under way finish, failures shrink, and the summary says which runs were done. The
    // handler then steps aside, so a second signal meets Node's default and ends the process
    // at once, even in the middle of a run in this thread (replay files are written by
    // rename: those already written stay whole).
    let interrupted: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      stopListening();
      interrupted = signal;
      io.progressDone();
      io.err(`fuzz: ${signal}: starting no more runs; finishing the ones under way, then the summary (${signal === "SIGINT" ? "Ctrl-C" : signal} again quits at once)`);
    };
    const stopListening = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const outOfTime = () => timeUs !== undefined && (performance.now() - startMs) * 1_000 >= timeUs;
    let result;
    try {
      result = await runCampaign({
        campaignSeed,
        runs,
        shard,
        workers: threads,
        ...(url ? { workerUrl: url, runInWorkers: true } : {}),
        bugs,
        selfTest,
        shrinkBudget,
        cycles,
        ...(nodes !== undefined ? { nodes } : {}),
        ...(maxFailures > 0 ? { maxFailures } : {}),
        onOutcome: report,
        onShrink,
        shouldStop: () => interrupted !== undefined || outOfTime(),
        yieldBetweenRuns: () => new Promise((resolve) => setImmediate(resolve)),
      });
    } finally {
      stopListening();
      io.progressDone();
    }
    const wallMs = performance.now() - startMs;
    url = undefined;

    const failures = [];
    const kept = new Set(result.outcomes.map((o) => o.index));
    // A failure past the --max-failures cutoff (a later run that a faster worker finished
    // first) is not part of the campaign's result: its file goes, so any worker count leaves
    // the same files.
    for (const [index, file] of written) {
      if (kept.has(index)) continue;
      rmSync(file, { force: true });
      if (!io.json) io.err(`run ${index} is past the --max-failures cutoff (a faster worker finished it first): ${file} removed, so any worker count leaves the same files; rerun it alone: ${campaignRunCommand({ campaignSeed, runIndex: index, cycles, nodes, bugs, selfTest })}`);
    }
    for (const outcome of result.outcomes) {
      const f = outcome.failure;
      if (!f) continue;
      const replayFile = writeReplay(outcome)!;
      failures.push({
        seed: outcome.seed,
        runIndex: outcome.index,
        check: f.check,
        message: f.shrunk.violations.find((v) => v.check === f.check)?.message ?? "",
        replayFile,
        faults: f.shrunk.faults,
        faultsBeforeShrink: f.original.faults,
        // The shrunk case's simulation seed: the run's own, or another one the removal pass found.
        replaySeed: f.shrunk.seed,
        shrinkRuns: f.shrinkRuns,
        reproducible: f.reproducible,
      });
    }
    const done = result.outcomes.length;
    const runsPerSecond = Math.round((done / Math.max(wallMs / 1_000, 1e-3)) * 10) / 10;
    const unknown = result.outcomes.filter((r) => r.unknownChecks.length > 0).length;
    // Which checks could not decide (a history past the search budget, a cache never synced):
    // what a campaign left unchecked, by check.
    const unknownByCheck: Record<string, number> = {};
    for (const r of result.outcomes) for (const c of r.unknownChecks) unknownByCheck[c] = (unknownByCheck[c] ?? 0) + 1;
    const unknownText = Object.entries(unknownByCheck).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c, n]) => `${c} ${n}`).join(", ");
    // Each undecided run, with the command that re-runs it alone (and its case, if asked).
    const unknownRuns = result.outcomes
      .filter((r) => r.unknownChecks.length > 0)
      .map((r) => {
        let replayFile: string | undefined;
        if (saveUnknown && r.undecided) {
          replayFile = join(outDir, undecidedReplayFileName(r.seed, r.unknownChecks));
          writeFileAtomic(replayFile, JSON.stringify(undecidedReplayFileOf({ ...r, undecided: r.undecided }, { campaignSeed, bugs, selfTest, build: BUILD_ID, cycles, nodes }), null, 2) + "\n");
        }
        return { runIndex: r.index, seed: r.seed, checks: r.unknownChecks, reasons: r.unknownReasons, rerun: campaignRunCommand({ campaignSeed, runIndex: r.index, cycles, nodes, bugs, selfTest }), ...(replayFile ? { replayFile } : {}) };
      });
    const summary = {
      runs: done,
      passed: done - failures.length,
      failed: failures.length,
      runsPerSecond,
      failures,
      campaignSeed,
      cycles,
      ...(nodes !== undefined ? { nodes } : {}),
      shard: `${shard.index}/${shard.count}`,
      planned: result.planned,
      stoppedEarly: result.stoppedEarly,
      // Set when --time ended the campaign: the runs done are runs 0..runs-1 (of this shard).
      ...(result.stoppedByCaller ? { ...(interrupted !== undefined ? { interrupted } : { stoppedByTime: true }), ...(done > 0 ? { repeatWith: `--runs ${campaignRunsCovered(done, shard)}` } : {}) } : {}),
      unknown,
      unknownByCheck,
      unknownRuns,
      workers: threads,
      bugs,
      wallMs: Math.round(wallMs),
    };
    if (io.json) io.out(JSON.stringify(summary));
    else {
      for (const f of failures) {
        io.out(`FAIL run ${f.runIndex} seed ${f.seed} ${f.check}: ${f.message}`);
        io.out(`  shrunk ${f.faultsBeforeShrink} -> ${f.faults} faults in ${f.shrinkRuns} simulations${f.replaySeed !== f.seed ? ` (replays under seed ${f.replaySeed})` : ""}${f.reproducible ? "" : "  (NOT reproducible: a determinism bug in the harness)"}`);
        io.out(`  raftsim replay ${f.replayFile}    (in the browser: raftsim view ${f.replayFile})`);
      }
      const why = interrupted !== undefined ? `interrupted by ${interrupted}` : "--time ran out";
      const stopped = result.stoppedByCaller
        ? done === 0
          ? ` (${why} before any run started)`
          : ` (${why}; --runs ${campaignRunsCovered(done, shard)} repeats exactly these runs)`
        : result.stoppedEarly
          ? ` (stopped after ${failures.length} failures; --max-failures 0 runs all ${result.planned})`
          : "";
      // Linearizability first: an undecided history is the one worth a second look.
      const shown = [...unknownRuns].sort((a, b) => Number(b.checks.includes("linearizability")) - Number(a.checks.includes("linearizability")) || a.runIndex - b.runIndex).slice(0, UNKNOWN_RUNS_SHOWN_MAX);
      for (const u of shown) {
        io.out(`UNKNOWN run ${u.runIndex} seed ${u.seed} ${u.checks.join(",")}: ${u.replayFile ? `raftsim replay ${u.replayFile} --history h.json` : u.rerun}`);
        for (const c of u.checks) io.out(`  ${c}: ${u.reasons[c] ?? "no reason given"}`);
      }
      if (unknownRuns.length > shown.length) io.out(`  … and ${unknownRuns.length - shown.length} more (--json lists them all)`);
      if (unknownRuns.length > 0 && !saveUnknown) io.out("  (--save-unknown writes each one's case as a replay file)");
      const filesWritten = failures.length + unknownRuns.filter((u) => u.replayFile !== undefined).length;
      if (filesWritten > 0) io.out(`(after a fix, \`raftsim replay ${outDir}\` re-runs every file there)`);
      io.out(`${done} runs: ${summary.passed} passed, ${failures.length} failed${unknown ? `, ${unknown} with an unknown check (${unknownText})` : ""}; ${runsPerSecond} runs/s over ${threads} worker${threads === 1 ? "" : "s"} (${(wallMs / 1_000).toFixed(1)} s wall)${stopped}`);
    }
    if (failures.length > 0) return EXIT_CHECK_FAILED;
    // Cut short by a signal: not a clean pass, as the shell would report it.
    return interrupted !== undefined ? exitCodeOf(interrupted) : EXIT_OK;
  },
};

/** The code a shell gives a process a signal ended: 128 + its number (SIGINT 130, SIGTERM 143). */
function exitCodeOf(signal: NodeJS.Signals): number {
  return 128 + (signal === "SIGINT" ? 2 : 15);
}
