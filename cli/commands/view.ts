// `raftsim view FILE [--out FILE.html] [--port N]`: opens a run in the browser viewer,
// served on 127.0.0.1 until Ctrl-C, or written as one self-contained HTML file. FILE is an
// NDJSON trace (`raftsim run --trace`, `raftsim replay --trace`), or a replay file written
// by `raftsim fuzz`: that one is re-run first (it holds a seed, not a trace), so a failure
// goes from the fuzz summary to the browser in one command.
import { basename } from "node:path";
import { type ReplayFile, ReplayFileError, parseReplayFile, replay } from "../../scenarios/fuzz/replay";
import { type Command, type CommandIO, UsageError } from "../command";
import { readTextFile } from "../files";
import { ViewerInputError, checkTrace, openViewerText } from "../../viewer/serve";

/** Keeps a replayed trace in memory within bounds: a fuzzed run's trace is a few MB. */
const REPLAY_TRACE_BYTES_MAX = 512 * 1024 * 1024;

export const viewCommand: Command = {
  name: "view",
  summary: "replay a trace in the browser (serve on 127.0.0.1 or write one HTML file)",
  usage: "raftsim view TRACE|REPLAY [--out FILE.html] [--port N]",
  description: "Serves the viewer and the trace on 127.0.0.1 and prints the URL (until Ctrl-C), or with --out writes one self-contained HTML file that opens from file:// with no network access. Given a replay file from `raftsim fuzz` instead of a trace, it re-runs the file first (as `raftsim replay FILE --trace` would) and shows that run.",
  positionals: [{ name: "TRACE|REPLAY", required: true, help: "an NDJSON trace (`raftsim run --trace`, `raftsim replay --trace`), or a replay file written by `raftsim fuzz`" }],
  options: [
    { name: "out", kind: "string", valueName: "FILE.html", help: "write a self-contained HTML file instead of serving" },
    { name: "port", kind: "int", valueName: "N", help: "port on 127.0.0.1 (default: a free port)" },
  ],
  async run(args, io) {
    const path = args.positionals[0]!;
    const out = args.options.out as string | undefined;
    const port = args.options.port as number | undefined;
    if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`view: --port must be between 0 and 65535, got ${port}`);
    if (out !== undefined && port !== undefined) throw new UsageError("view: --out and --port exclude each other (--out writes a file, --port serves)");
    const text = readTextFile(path, "trace");
    const replayFile = asReplayFile(text, path);
    let viewer;
    try {
      if (replayFile) {
        const traceText = replayTrace(replayFile, path, io);
        checkTrace(traceText, `${path} (replayed)`);
        viewer = await openViewerText(traceText, basename(path).replace(/\.json$/, "") + ".ndjson", { out, port });
      } else {
        checkTrace(text, path);
        viewer = await openViewerText(text, basename(path), { out, port });
      }
    } catch (error) {
      if (error instanceof ViewerInputError) throw new UsageError(`view: ${error.message}`);
      throw error;
    }
    if (viewer.out !== undefined) {
      if (io.json) io.out(JSON.stringify({ trace: path, out: viewer.out }));
      else io.err(`wrote ${viewer.out}`);
      return 0;
    }
    if (io.json) io.out(JSON.stringify({ trace: path, url: viewer.url }));
    else io.out(`raftsim viewer: ${viewer.url}  (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    await viewer.close();
    return 0;
  },
};

/**
 * The replay file this text is, or undefined when it is not one (a trace). A trace is one
 * JSON object per line, so it parses as a whole only when it has one line, and its records
 * have none of a replay file's fields. A file that claims to be a replay file but is not a
 * valid one gets the replay file's error, not the trace parser's.
 */
function asReplayFile(text: string, path: string): ReplayFile | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  if (!("formatVersion" in json) && !("expected" in json)) {
    if (!text.trim().includes("\n")) return undefined; // a one-record trace
    throw new UsageError(`view: ${path}: expected an NDJSON trace (one JSON object per line) or a replay file written by \`raftsim fuzz\`; this is one JSON object over several lines, with neither a replay file's formatVersion nor its expected`);
  }
  try {
    return parseReplayFile(json, path);
  } catch (error) {
    if (error instanceof ReplayFileError) throw new UsageError(`view: ${error.message}`);
    throw error;
  }
}

/** Re-runs a replay file and returns its trace as NDJSON text; says on stderr what the run showed. */
function replayTrace(file: ReplayFile, path: string, io: CommandIO): string {
  const lines: string[] = [];
  let bytes = 0;
  io.progress(`replaying ${path} (seed ${file.seed}, ${file.scenario.durationMs} ms simulated) for the viewer…`);
  let result;
  try {
    // The sink does not throw (the run would see the error); it stops keeping lines instead.
    result = replay(file, (line) => {
      bytes += line.length;
      if (bytes <= REPLAY_TRACE_BYTES_MAX) lines.push(line);
    });
  } finally {
    io.progressDone();
  }
  if (bytes > REPLAY_TRACE_BYTES_MAX) throw new UsageError(`view: ${path}: the replayed trace is over ${REPLAY_TRACE_BYTES_MAX / 1024 / 1024} MiB, too big for the viewer`);
  const { evaluation, sameTrace } = result;
  const verdict = evaluation.violations.length > 0 ? `fails ${evaluation.violations.map((v) => v.check).join(", ")}` : "passes every check";
  io.err(`replayed ${path}: the run ${verdict}${sameTrace ? "" : ` (trace hash ${evaluation.traceHash}, not the recorded ${file.expected.traceHash}: see \`raftsim replay ${path}\`)`}`);
  return lines.join(""); // each line ends in its newline
}
