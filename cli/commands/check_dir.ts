// `raftsim check DIR`: every history file in a directory checked, one line each and a
// tally (a suite of Jepsen histories, or the histories a campaign's replays wrote). Files
// that are not histories (a README, a verdict list) are named and skipped, not fatal.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type CommandIO, EXIT_CHECK_FAILED, EXIT_OK, UsageError } from "../command";
import type { CheckedHistory } from "./check";

/** A directory holds at most this many files to check: a bound on one command's work. */
export const CHECK_DIR_FILES_MAX = 100_000;

interface FileVerdict {
  file: string;
  verdict?: string;
  operations?: number;
  ms?: number;
  /** Not a history (or not readable): why, in one line. */
  skipped?: string;
}

export function checkDirectory(dir: string, checkOne: (path: string, text: string) => CheckedHistory, io: CommandIO): number {
  const names = readdirSync(dir)
    .filter((name) => !name.startsWith(".") && statSync(join(dir, name)).isFile())
    .sort();
  if (names.length === 0) throw new UsageError(`${dir}: no files in this directory`);
  if (names.length > CHECK_DIR_FILES_MAX) throw new UsageError(`${dir}: ${names.length} files, more than the ${CHECK_DIR_FILES_MAX} one check takes`);
  const verdicts: FileVerdict[] = [];
  for (const [i, name] of names.entries()) {
    const path = join(dir, name);
    io.progress(`checking ${i + 1}/${names.length}: ${path}`);
    try {
      const { result, ms } = checkOne(path, readFileSync(path, "utf8"));
      verdicts.push({ file: path, verdict: result.verdict, operations: result.operations, ms });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      verdicts.push({ file: path, skipped: error.message.replace(/\s*\n\s*/g, " ") });
    }
  }
  io.progressDone();
  const checked = verdicts.filter((v) => v.verdict !== undefined);
  if (checked.length === 0) throw new UsageError(`${dir}: none of its ${names.length} files is a history (first: ${verdicts[0]!.skipped})`);
  const count = (verdict: string) => checked.filter((v) => v.verdict === verdict).length;
  const tally = { linearizable: count("linearizable"), notLinearizable: count("not-linearizable"), unknown: count("unknown"), skipped: verdicts.length - checked.length };
  if (io.json) io.out(JSON.stringify({ dir, files: verdicts, ...tally }));
  else {
    for (const v of verdicts) {
      if (v.skipped !== undefined) io.out(`  SKIP              ${v.file}: ${v.skipped}`);
      else io.out(`  ${v.verdict!.padEnd(16)}  ${v.file} (${v.operations} operations, ${v.ms} ms)`);
    }
    io.out(`${checked.length} histories: ${tally.linearizable} linearizable, ${tally.notLinearizable} not linearizable, ${tally.unknown} unknown${tally.skipped ? `; ${tally.skipped} files skipped (not histories)` : ""}`);
  }
  return tally.notLinearizable + tally.unknown > 0 ? EXIT_CHECK_FAILED : EXIT_OK;
}
