// What every `raftsim` subcommand provides. main.ts parses flags against `options`
// before calling `run`, so a command sees only well-typed values.

export type OptionKind = "string" | "int" | "duration" | "boolean" | "list";

export interface OptionSpec {
  name: string; // long name without dashes, e.g. "seed"
  kind: OptionKind;
  help: string;
  default?: string | number | boolean;
  valueName?: string; // shown in help, e.g. "N", "FILE"
}

export interface ParsedArgs {
  positionals: string[];
  /** Values by option name: string, number (int; duration in microseconds), boolean, string[] (list). */
  options: Record<string, string | number | boolean | string[] | undefined>;
}

export interface Command {
  name: string;
  summary: string; // one line for `raftsim --help`
  usage: string; // e.g. "raftsim run --scenario NAME|FILE [--seed N]"
  description?: string;
  positionals?: { name: string; required: boolean; help: string }[];
  options: OptionSpec[];
  /** Returns the exit code: 0 all checks pass, 1 a check failed, 2 bad usage or input. */
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}

export interface CommandIO {
  json: boolean;
  /** stdout: with --json, exactly one JSON object is written here and nothing else. */
  out(text: string): void;
  /** stderr: human-oriented messages. */
  err(text: string): void;
  /** Progress on stderr, only when stderr is a TTY (and never with --json on a non-TTY). */
  progress(text: string): void;
  progressDone(): void;
  isTTY: boolean;
}

/** Bad usage or bad input: main prints `raftsim: <message>` and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;
