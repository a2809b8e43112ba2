// `raftsim replay DIR`: every replay file a campaign wrote to --out, re-run and re-checked,
// one line each and a tally: after a fix, which saved failures now pass, which still fail,
// and whether the undecided runs saved with --save-unknown are decided now.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { parseReplayFile, ReplayFileError, replay } from "../../scenarios/fuzz/replay";
import { type CommandIO, EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "../command";
import { readJsonFile } from "../files";

/** What one file gave, for the summary and --json. */
interface FileVerdict {
  file: string;
  seed?: number;
  /** Checks that fail now. */
  failing?: string[];
  /** Checks that could not decide now. */
  unknown?: string[];
  /** Checks that failed when the file was written. */
  expectedFailing?: string[];
  reproduced?: boolean;
  /** Not reproduced, but the same run (same run hash): only the checks' verdicts changed. */
  sameRun?: boolean;
  /** Not a replay file (or not readable): why, in one line. */
  error?: string;
}

const uniqueChecks = (violations: readonly { check: string }[]) => [...new Set(violations.map((v) => v.check))];

export function replayDirectory(dir: string, io: CommandIO): number {
  const names = readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
  if (names.length === 0) throw new UsageError(`${dir}: no replay files (*.json) in this directory`);
  const verdicts: FileVerdict[] = [];
  try {
    for (const [i, name] of names.entries()) {
      const path = join(dir, name);
      io.progress(`replaying ${i + 1}/${names.length}: ${path}`);
      let file;
      try {
        file = parseReplayFile(readJsonFile(path, "replay"), path);
      } catch (error) {
        if (!(error instanceof ReplayFileError || error instanceof UsageError)) throw error;
        verdicts.push({ file: path, error: error.message.replace(/\s*\n\s*/g, " ") });
        continue;
      }
      const { evaluation, sameTrace, sameViolations, judgedAnew } = replay(file);
      verdicts.push({
        file: path,
        seed: file.seed,
        failing: uniqueChecks(evaluation.violations),
        unknown: evaluation.unknownChecks,
        expectedFailing: uniqueChecks(file.expected.violations),
        reproduced: sameTrace && sameViolations,
        ...(judgedAnew ? { sameRun: true } : {}),
      });
    }
  } finally {
    io.progressDone();
  }
  const failed = verdicts.filter((v) => (v.failing?.length ?? 0) > 0).length;
  const unreadable = verdicts.filter((v) => v.error !== undefined).length;
  const passed = verdicts.length - failed - unreadable;
  const undecided = verdicts.filter((v) => (v.failing?.length ?? 0) === 0 && (v.unknown?.length ?? 0) > 0).length;
  const reproduced = verdicts.filter((v) => v.reproduced === true).length;
  const judgedAnew = verdicts.filter((v) => v.sameRun === true).length;
  if (io.json) {
    io.out(JSON.stringify({ dir, files: verdicts, replayed: verdicts.length - unreadable, failed, passed, undecided, reproduced, sameRunJudgedAnew: judgedAnew, unreadable }));
  } else {
    for (const v of verdicts) io.out(lineOf(v));
    io.out(`${dir}: ${verdicts.length - unreadable} replayed: ${failed} fail, ${passed} pass (${undecided} with a check still undecided); ${reproduced} reproduced exactly${judgedAnew ? `, ${judgedAnew} the same run judged anew` : ""}${unreadable ? `; ${unreadable} not replay files` : ""}`);
  }
  if (failed > 0) return EXIT_CHECK_FAILED;
  return unreadable > 0 ? EXIT_USAGE : EXIT_OK;
}

function lineOf(v: FileVerdict): string {
  if (v.error !== undefined) return `  SKIP  ${v.error.includes(v.file) ? v.error : `${v.file}: ${v.error}`}`;
  const now = v.failing!.length > 0 ? `FAIL ${v.failing!.join(",")}` : v.unknown!.length > 0 ? `pass, ${v.unknown!.join(",")} undecided` : "pass";
  // `raftsim fuzz --save-unknown` names the files of undecided runs unknown-SEED-CHECKS.json.
  const was = v.expectedFailing!.length > 0 ? `failed ${v.expectedFailing!.join(",")}` : basename(v.file).startsWith("unknown-") ? "passed, a check undecided" : "passed";
  return `  ${now.padEnd(30)} ${v.file} (when written: ${was}; ${v.reproduced ? "reproduced exactly" : v.sameRun ? "same run, judged anew" : "run differs"})`;
}
