// Resolves --scenario NAME|FILE and the override flags into a validated Scenario.
import { existsSync } from "node:fs";
import { isCanaryBug, CANARY_BUGS, type CanaryBug } from "../core/canary";
import { BUILTIN_SCENARIOS, findBuiltin } from "../scenarios/builtin";
import { ScenarioError, validateScenario } from "../scenarios/validate";
import type { Scenario } from "../scenarios/types";
import { UsageError, type ParsedArgs } from "./command";
import { readJsonFile } from "./files";

export function loadScenario(nameOrFile: string): Scenario {
  const builtin = findBuiltin(nameOrFile);
  if (builtin) return builtin;
  if (!existsSync(nameOrFile)) {
    throw new UsageError(`unknown scenario '${nameOrFile}': not a built-in (${BUILTIN_SCENARIOS.map((s) => s.name).join(", ")}) nor a file`);
  }
  const json = readJsonFile(nameOrFile, "scenario");
  try {
    return validateScenario(json, nameOrFile);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}

/** Applies --duration, --nodes, --disk, --network to a scenario and re-validates it. */
export function applyOverrides(scenario: Scenario, args: ParsedArgs): Scenario {
  const o = args.options;
  const next: Scenario = JSON.parse(JSON.stringify(scenario)) as Scenario;
  if (typeof o.duration === "number") next.durationMs = Math.round(o.duration / 1_000);
  if (typeof o.nodes === "number") next.cluster.nodes = o.nodes;
  if (typeof o.disk === "string") next.cluster.disk = o.disk;
  if (typeof o.network === "string") next.cluster.network = o.network;
  try {
    return validateScenario(next, `--scenario ${scenario.name}`);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}

export function parseBugs(value: unknown): Set<CanaryBug> {
  const names = Array.isArray(value) ? (value as string[]) : typeof value === "string" ? [value] : [];
  const bugs = new Set<CanaryBug>();
  for (const name of names) {
    if (!isCanaryBug(name)) throw new UsageError(`--bug: unknown canary '${name}' (known: ${Object.keys(CANARY_BUGS).join(", ")})`);
    bugs.add(name);
  }
  return bugs;
}
