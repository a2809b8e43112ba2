// `raftsim replay FILE`: re-runs a failure written by `raftsim fuzz` exactly (same seed,
// scenario and bugs), re-checks it, and says whether it reproduced: the same trace hash
// and the same violations as when it was written; or, when only the run hash matches, that
// it is the same run judged anew (a checker changed since the file was written).
import { countFaults } from "../../scenarios/fuzz/arbitraries";
import { parseReplayFile, type ReplayFile, ReplayFileError, replay, rerunCommand } from "../../scenarios/fuzz/replay";
import { BUILD_ID } from "../build-id";
import { type Command, EXIT_CHECK_FAILED, EXIT_OK, UsageError } from "../command";
import { hintedHistoryJson } from "../../scenarios/lin_hints";
import { AtomicStreamWriter, isDirectory, readJsonFile, writeFileAtomic } from "../files";
import { replayDirectory } from "./replay_dir";

export const replayCommand: Command = {
  name: "replay",
  summary: "re-run a replay file written by fuzz exactly, and re-check it",
  usage: "raftsim replay FILE|DIR [--trace FILE.ndjson] [--history FILE.json] [--json]",
  description: "FILE: re-runs one replay file and says whether it reproduced (same trace hash, same violations), or is the same run (same run hash) judged anew by changed checks. DIR (a campaign's --out): re-runs every replay file in it, one line each and a tally (after a fix: which saved failures pass now, and which undecided runs are decided); exit 1 if any fails.",
  positionals: [{ name: "FILE|DIR", required: true, help: "a replay file (JSON) written by `raftsim fuzz`, or a directory of them" }],
  options: [
    { name: "trace", kind: "string", help: "write the run's trace as NDJSON here (for `raftsim view`)", valueName: "FILE" },
    { name: "history", kind: "string", help: "write the run's client history as JSON here (for `raftsim check`)", valueName: "FILE" },
  ],
  async run(args, io) {
    const path = args.positionals[0]!;
    if (isDirectory(path)) {
      const single = ["trace", "history"].find((o) => typeof args.options[o] === "string");
      if (single) throw new UsageError(`replay: --${single} takes one replay file, and ${path} is a directory`);
      return replayDirectory(path, io);
    }
    let file: ReplayFile;
    try {
      file = parseReplayFile(readJsonFile(path, "replay"), path);
    } catch (error) {
      if (error instanceof ReplayFileError) throw new UsageError(error.message);
      // Node 20's JSON.parse messages quote the text across lines; the contract is one line.
      if (error instanceof UsageError) throw new UsageError(error.message.replace(/\s*\n\s*/g, " "));
      throw error;
    }
    const tracePath = typeof args.options.trace === "string" ? args.options.trace : undefined;
    const historyPath = typeof args.options.history === "string" ? args.options.history : undefined;
    const traceOut = tracePath ? new AtomicStreamWriter(tracePath) : undefined;
    let result;
    let historyWritten = false;
    try {
      io.progress(`replaying ${path} (seed ${file.seed}, ${file.scenario.durationMs} ms simulated)…`);
      result = replay(file, traceOut ? (line) => traceOut.write(line) : undefined, historyPath ? (run) => {
        writeFileAtomic(historyPath, JSON.stringify(hintedHistoryJson(run.recorder, run.system.oracle.storeEvents(), run.system.oracle.compactions(), run.system.oracle.revisionsProposedAtUs())) + "\n");
        historyWritten = true;
      } : undefined);
      traceOut?.commit();
    } catch (error) {
      traceOut?.abort();
      throw error;
    } finally {
      io.progressDone();
    }
    const { evaluation, sameTrace, sameViolations, sameRun, judgedAnew } = result;
    const writtenBy = typeof file.origin?.build === "string" ? file.origin.build : "unknown";
    // Same seed and scenario on another build: a change to the store or the simulator moves
    // the run. Say so, and how to get a file for this build.
    // The same run with other verdicts is not that: a check was changed (and judges anew).
    const otherBuild = !sameTrace && !judgedAnew && writtenBy !== BUILD_ID;
    const rerun = rerunCommand(file);
    const hint = otherBuild
      ? `written by raftsim build ${writtenBy}, replayed on build ${BUILD_ID}: a change to the store or the simulator changes the run${rerun ? `; for a file of this build, re-run ${file.origin && "command" in file.origin ? "it" : "its campaign run"}: ${rerun}` : ""}`
      : undefined;
    const output = {
      file: path,
      seed: file.seed,
      scenario: file.scenario.name,
      faults: countFaults(file.scenario),
      bugs: file.bugs,
      traceHash: evaluation.traceHash,
      expectedTraceHash: file.expected.traceHash,
      sameTrace,
      runHash: evaluation.runHash,
      ...(file.expected.runHash !== undefined ? { expectedRunHash: file.expected.runHash, sameRun } : {}),
      violations: evaluation.violations,
      expectedViolations: file.expected.violations,
      sameViolations,
      reproduced: sameTrace && sameViolations,
      writtenBy,
      build: BUILD_ID,
      ...(hint ? { hint } : {}),
      ...(tracePath ? { trace: tracePath } : {}),
      ...(historyWritten ? { history: historyPath } : {}),
      ...(evaluation.unknownChecks.length ? { unknownChecks: evaluation.unknownChecks, unknownReasons: evaluation.unknownReasons } : {}),
    };
    if (io.json) io.out(JSON.stringify(output));
    else {
      io.out(`replay ${path}: seed ${file.seed}, scenario ${file.scenario.name} (${output.faults} faults), bugs: ${file.bugs.length ? file.bugs.join(",") : "none"}`);
      for (const v of evaluation.violations) io.out(`  VIOLATION ${v.check}: ${v.message}`);
      if (evaluation.violations.length === 0) io.out("  every check passes now");
      for (const c of evaluation.unknownChecks) io.out(`  UNKNOWN ${c}: ${evaluation.unknownReasons[c] ?? "the check could not decide"}`);
      io.out(`traceHash ${evaluation.traceHash}${sameTrace ? " (same as recorded)" : ` DIFFERS from recorded ${file.expected.traceHash}`}`);
      if (!sameViolations) io.out(`violations differ from recorded: ${JSON.stringify(file.expected.violations)}`);
      if (judgedAnew) io.out(`same run (runHash ${evaluation.runHash}, as recorded), judged anew: the checks' verdicts changed since the file was written`);
      else io.out(output.reproduced ? "reproduced: same trace, same violations" : "NOT reproduced");
      if (hint) io.out(`  ${hint}`);
      if (tracePath) io.out(`trace written to ${tracePath} (raftsim view ${tracePath})`);
      if (historyWritten) io.out(`history written to ${historyPath} (raftsim check ${historyPath})`);
      // The run ended in a broken invariant: there is no finished history to write.
      else if (historyPath) io.out(`no history written: the run stopped at a broken invariant`);
    }
    return evaluation.violations.length > 0 ? EXIT_CHECK_FAILED : EXIT_OK;
  },
};
