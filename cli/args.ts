// A small, strict flag parser: unknown flags and malformed values are usage errors (exit 2).
import { type Command, type OptionSpec, type ParsedArgs, UsageError } from "./command";

const UNITS_US: Record<string, number> = { us: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, min: 60_000_000, h: 3_600_000_000 };

/** Parses "30s", "250ms", "1.5s", "2m", "500us"; a bare number means seconds. Returns microseconds. */
export function parseDurationUs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|min|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]) * UNITS_US[m[2] ?? "s"]!;
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

export function parseArgs(command: Command, argv: string[]): ParsedArgs {
  const specs = new Map<string, OptionSpec>();
  for (const spec of command.options) specs.set(spec.name, spec);
  const options: ParsedArgs["options"] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (arg.startsWith("-") && arg !== "-") throw new UsageError(`${command.name}: unknown flag '${arg}' (see raftsim ${command.name} --help)`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = specs.get(name);
    if (!spec) throw new UsageError(`${command.name}: unknown flag '--${name}' (see raftsim ${command.name} --help)`);
    if (spec.kind === "boolean") {
      if (eq !== -1) {
        const v = arg.slice(eq + 1);
        if (v !== "true" && v !== "false") throw new UsageError(`${command.name}: --${name} expects true or false, got '${v}'`);
        options[name] = v === "true";
      } else options[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || raw.startsWith("--")) throw new UsageError(`${command.name}: --${name} expects a value (${spec.valueName ?? spec.kind})`);
      i++;
    }
    options[name] = convert(command, spec, raw);
  }
  for (const spec of command.options) {
    if (options[spec.name] === undefined && spec.default !== undefined) {
      options[spec.name] = typeof spec.default === "string" && spec.kind !== "string" ? convert(command, spec, spec.default) : spec.default;
    }
  }
  const declared = command.positionals ?? [];
  const required = declared.filter((p) => p.required).length;
  if (positionals.length < required) throw new UsageError(`${command.name}: missing ${declared[positionals.length]!.name} (usage: ${command.usage})`);
  if (positionals.length > declared.length) throw new UsageError(`${command.name}: unexpected argument '${positionals[declared.length]}' (usage: ${command.usage})`);
  return { positionals, options };
}

function convert(command: Command, spec: OptionSpec, raw: string): string | number | string[] {
  switch (spec.kind) {
    case "string":
      if (raw === "") throw new UsageError(`${command.name}: --${spec.name} expects a non-empty value`);
      return raw;
    case "int": {
      if (!/^-?\d+$/.test(raw)) throw new UsageError(`${command.name}: --${spec.name} expects an integer, got '${raw}'`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw new UsageError(`${command.name}: --${spec.name} is out of range: '${raw}'`);
      return n;
    }
    case "duration": {
      const us = parseDurationUs(raw);
      if (us === undefined || us <= 0) throw new UsageError(`${command.name}: --${spec.name} expects a duration like 30s, 500ms or 2m, got '${raw}'`);
      return us;
    }
    case "list": {
      const items = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
      if (items.length === 0) throw new UsageError(`${command.name}: --${spec.name} expects a comma-separated list, got '${raw}'`);
      return items;
    }
    case "boolean":
      throw new UsageError(`${command.name}: --${spec.name} takes no value`);
  }
}

export function formatHelp(command: Command): string {
  const lines = [`usage: ${command.usage}`, "", command.summary];
  if (command.description) lines.push("", command.description);
  if (command.positionals?.length) {
    lines.push("", "arguments:");
    for (const p of command.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.help}`);
  }
  lines.push("", "options:");
  const all: OptionSpec[] = [...command.options, { name: "json", kind: "boolean", help: "print one JSON object on stdout (progress only on a TTY stderr)" }, { name: "help", kind: "boolean", help: "show this help" }];
  for (const o of all) {
    const flag = o.kind === "boolean" ? `--${o.name}` : `--${o.name} ${o.valueName ?? o.kind.toUpperCase()}`;
    const def = o.default !== undefined ? ` (default: ${o.default})` : "";
    lines.push(`  ${flag.padEnd(24)} ${o.help}${def}`);
  }
  return lines.join("\n") + "\n";
}
