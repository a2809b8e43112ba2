// The `raftsim` command: dispatches to a subcommand, owns exit codes and --json/--help.
import { formatHelp, parseArgs } from "./args";
import { type Command, type CommandIO, EXIT_USAGE, UsageError } from "./command";
import { COMMANDS } from "./commands/index";

/**
 * Set once stdout's reader has gone (`raftsim run … | head`): the command then runs to its
 * end, so the files it writes are whole and its exit code stands, but prints nothing more.
 */
let stdoutClosed = false;

function watchStdout(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED" || stdoutClosed) {
      stdoutClosed = true;
      return;
    }
    throw error;
  });
}

function makeIO(json: boolean): CommandIO {
  const isTTY = Boolean(process.stderr.isTTY);
  let progressShown = false;
  return {
    json,
    isTTY,
    out: (text) => {
      if (!stdoutClosed) process.stdout.write(text.endsWith("\n") ? text : text + "\n");
    },
    err: (text) => void process.stderr.write(text.endsWith("\n") ? text : text + "\n"),
    progress(text) {
      if (!isTTY) return;
      progressShown = true;
      process.stderr.write(`\r\x1b[2K${text}`);
    },
    progressDone() {
      if (progressShown) process.stderr.write("\r\x1b[2K");
      progressShown = false;
    },
  };
}

function topHelp(): string {
  const lines = ["usage: raftsim <command> [options]", "", "Deterministic simulation and chaos testing of an etcd-style Raft/MVCC store.", "", "commands:"];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(12)} ${c.summary}`);
  lines.push("", "Run `raftsim <command> --help` for a command's options. Exit codes: 0 checks pass, 1 a check failed, 2 bad usage or input.");
  return lines.join("\n") + "\n";
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(topHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === "--version") {
    process.stdout.write("raftsim 0.1.0\n");
    return 0;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`raftsim: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(", ")})\n`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(formatHelp(command));
    return 0;
  }
  const json = rest.includes("--json");
  const io = makeIO(json);
  try {
    const args = parseArgs(command, rest.filter((a) => a !== "--json"));
    return await command.run(args, io);
  } catch (error) {
    io.progressDone();
    if (error instanceof UsageError) {
      process.stderr.write(`raftsim: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

// Run when executed as the bundled CLI (not when imported by tests).
if (process.argv[1] && /raftsim(\.mjs)?$|cli[\\/]main\.ts$/.test(process.argv[1])) {
  watchStdout();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`raftsim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
