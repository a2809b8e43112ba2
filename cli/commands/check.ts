// `raftsim check FILE`: linearizability of a recorded history (raftsim JSON, Jepsen etcd
// logs, Jepsen kv EDN). Exit 0 linearizable, 1 not proven linearizable — the verdict says
// whether it is "not-linearizable" or "unknown" (the time budget or memory bound ran out) —
// and 2 bad usage or input, as the CLI contract has it.
import { readFileSync } from "node:fs";
import { checkHistory } from "../../checker/check";
import { HistoryParseError } from "../../checker/errors";
import { MODEL_NAMES, type ModelName } from "../../checker/history";
import { renderCheckHtml } from "../../checker/html";
import { describeShapeError } from "../../checker/validate";
import { FORMAT_NAMES, loadHistory, type FormatName } from "../../checker/parsers/detect";
import { type Command, type CommandIO, EXIT_CHECK_FAILED, EXIT_OK, UsageError } from "../command";
import { isDirectory, writeFileAtomic } from "../files";
import { checkDirectory } from "./check_dir";

/** The contract has three codes: an unproven history is not a pass. */
export const EXIT_UNKNOWN = EXIT_CHECK_FAILED;

export const checkCommand: Command = {
  name: "check",
  summary: "check a recorded history for linearizability (raftsim JSON or Jepsen logs)",
  usage: "raftsim check FILE|DIR [--format history|jepsen-etcd|jepsen-kv] [--model etcd|register|kv] [--timeout 60s] [--html FILE.html] [--json]",
  description:
    "The format is detected from the content and extension when --format is absent; the model defaults to the one the file names (jepsen-etcd: register, jepsen-kv: kv).\n" +
    "DIR: checks every file in the directory (files that are not histories are named and skipped), one line each and a tally; --timeout applies to each.\n" +
    "Exit codes: 0 linearizable (DIR: all of them), 1 not linearizable or unknown (the --timeout or the memory bound ran out before a verdict; the printed verdict says which), 2 bad usage or input.",
  positionals: [{ name: "FILE|DIR", required: true, help: "history file to check, or a directory of them" }],
  options: [
    { name: "format", kind: "string", valueName: "FORMAT", help: `input format: ${FORMAT_NAMES.join(", ")} (default: detected)` },
    { name: "model", kind: "string", valueName: "MODEL", help: `sequential model: ${MODEL_NAMES.join(", ")} (default: from the file)` },
    { name: "timeout", kind: "duration", valueName: "DURATION", default: "60s", help: "time budget for the search; past it the verdict is unknown" },
    { name: "html", kind: "string", valueName: "FILE.html", help: "write a self-contained page with the timeline and the counterexample" },
  ],
  async run(args, io) {
    const file = args.positionals[0]!;
    const format = args.options.format as string | undefined;
    if (format !== undefined && !FORMAT_NAMES.includes(format as FormatName)) throw new UsageError(`check: --format expects one of ${FORMAT_NAMES.join(", ")}, got '${format}'`);
    const modelFlag = args.options.model as string | undefined;
    if (modelFlag !== undefined && !MODEL_NAMES.includes(modelFlag as ModelName)) throw new UsageError(`check: --model expects one of ${MODEL_NAMES.join(", ")}, got '${modelFlag}'`);
    const timeoutMs = (args.options.timeout as number) / 1000;
    if (isDirectory(file)) {
      if (args.options.html !== undefined) throw new UsageError(`check: --html takes one history file, and ${file} is a directory`);
      return checkDirectory(file, (path, text) => checkText(path, text, format as FormatName | undefined, modelFlag as ModelName | undefined, timeoutMs, io), io);
    }
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`${file}: cannot read history: ${(error as Error).message}`);
    }
    const { loaded, model, result, ms } = checkText(file, text, format as FormatName | undefined, modelFlag as ModelName | undefined, timeoutMs, io);
    if (args.options.html !== undefined) {
      const htmlPath = args.options.html as string;
      writeFileAtomic(htmlPath, renderCheckHtml(loaded.history.operations, result, { title: `raftsim check ${file}`, timeUnit: loaded.format === "history" ? "µs" : "line" }));
    }
    if (io.json) {
      io.out(JSON.stringify({ verdict: result.verdict, ...(result.unknownBecause ? { unknownBecause: result.unknownBecause } : {}), operations: result.operations, ms, file, format: loaded.format, model, partitions: result.partitions, witnessed: result.witnessed, counterexample: result.counterexample ? { linearized: result.counterexample.linearized, blocking: result.counterexample.blocking, unplaceable: result.counterexample.unplaceable, state: result.counterexample.state } : undefined }));
    } else {
      const witnessed = result.witnessed > 0 ? `, ${result.witnessed === result.partitions ? "all" : result.witnessed} settled by verifying the order the hints propose` : "";
      io.out(`${file}: ${result.verdict} (${result.operations} operations, ${result.partitions} partition(s), ${ms} ms, model ${model}${witnessed})`);
      if (result.unknownBecause === "budget") io.out(`  the --timeout of ${formatSeconds(timeoutMs)} ran out before a verdict (a longer one may decide it)`);
      if (result.unknownBecause === "memory") io.out(`  the search's memory bound (its memo table of states seen) filled up before a verdict; a longer --timeout will not help`);
      const ce = result.counterexample;
      if (ce) {
        io.out(`longest linearizable prefix: ${ce.linearized.length} operation(s); state there: ${ce.state}`);
        for (const id of ce.unplaceable) io.out(`  cannot place #${id}${id === ce.blocking ? " (returned first)" : ""}: ${ce.descriptions[id] ?? ""}`);
      }
    }
    return result.verdict === "linearizable" ? EXIT_OK : result.verdict === "not-linearizable" ? EXIT_CHECK_FAILED : EXIT_UNKNOWN;
  },
};

/** What checking one history gave. */
export interface CheckedHistory {
  loaded: ReturnType<typeof loadHistory>;
  model: ModelName;
  result: ReturnType<typeof checkHistory>;
  ms: number;
}

/** Parses and checks one history's text; bad input throws UsageError naming the file. */
function checkText(file: string, text: string, format: FormatName | undefined, modelFlag: ModelName | undefined, timeoutMs: number, io: CommandIO): CheckedHistory {
  let loaded;
  try {
    loaded = loadHistory(text, file, format);
  } catch (error) {
    if (error instanceof HistoryParseError) throw new UsageError(error.message);
    throw error;
  }
  const model = modelFlag ?? loaded.model;
  if (model !== loaded.model) {
    // An overridden model must fit the operations, or the verdict would mean nothing.
    for (const op of loaded.history.operations) {
      const shape = describeShapeError(model, op);
      if (shape) throw new UsageError(`${file}: operation ${op.id} does not fit the ${model} model: ${shape}`);
    }
  }
  const start = Date.now(); // the CLI owns the real clock; the checker only polls the budget
  const budget = { exhausted: () => Date.now() - start > timeoutMs };
  io.progress(`checking ${loaded.history.operations.length} operations of ${file}…`);
  let result;
  try {
    result = checkHistory(loaded.history, model, { budget });
  } catch (error) {
    // A model that cannot read an operation's input is bad input, not a crash.
    if (error instanceof TypeError) throw new UsageError(`${file}: operations do not fit the ${model} model (${error.message})`);
    throw error;
  } finally {
    io.progressDone();
  }
  return { loaded, model, result, ms: Date.now() - start };
}

/** 60000 → "60 s", 1500 → "1.5 s", 50 → "50 ms". */
function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}
