// `raftsim view TRACE [--out FILE.html] [--port N]`: opens a trace in the browser viewer,
// served on 127.0.0.1 until Ctrl-C, or written as one self-contained HTML file.
import { type Command, UsageError } from "../command";
import { ViewerInputError, openViewer } from "../../viewer/serve";

export const viewCommand: Command = {
  name: "view",
  summary: "replay a trace in the browser (serve on 127.0.0.1 or write one HTML file)",
  usage: "raftsim view TRACE [--out FILE.html] [--port N]",
  description: "Serves the viewer and the trace on 127.0.0.1 and prints the URL (until Ctrl-C), or with --out writes one self-contained HTML file that opens from file:// with no network access.",
  positionals: [{ name: "TRACE", required: true, help: "an NDJSON trace written by `raftsim run --trace`" }],
  options: [
    { name: "out", kind: "string", valueName: "FILE.html", help: "write a self-contained HTML file instead of serving" },
    { name: "port", kind: "int", valueName: "N", help: "port on 127.0.0.1 (default: a free port)" },
  ],
  async run(args, io) {
    const tracePath = args.positionals[0]!;
    const out = args.options.out as string | undefined;
    const port = args.options.port as number | undefined;
    if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`view: --port must be between 0 and 65535, got ${port}`);
    if (out !== undefined && port !== undefined) throw new UsageError("view: --out and --port exclude each other (--out writes a file, --port serves)");
    let viewer;
    try {
      viewer = await openViewer(tracePath, { out, port });
    } catch (error) {
      if (error instanceof ViewerInputError) throw new UsageError(`view: ${error.message}`);
      throw error;
    }
    if (viewer.out !== undefined) {
      if (io.json) io.out(JSON.stringify({ trace: tracePath, out: viewer.out }));
      else io.err(`wrote ${viewer.out}`);
      return 0;
    }
    if (io.json) io.out(JSON.stringify({ trace: tracePath, url: viewer.url }));
    else io.out(`raftsim viewer: ${viewer.url}  (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    await viewer.close();
    return 0;
  },
};
