// Replay files: everything needed to re-run a failure exactly, and what it gave when it
// was written, so a replay can say whether it reproduced (same trace hash, same violation).
// This module builds and validates the object; the CLI writes and reads the file.
import { type CanaryBug, isCanaryBug } from "../../core/canary";
import type { Violation } from "../run";
import type { Scenario } from "../types";
import { ScenarioError, validateScenario } from "../validate";
import type { Failure } from "./driver";
import { type EvaluateOptions, type Evaluation, evaluate } from "./property";
import { isSelfTest, type SelfTestName } from "./self-test";
import type { TraceSink } from "../../sim/trace/log";

/**
 * Bumped whenever a field's meaning changes; other versions are refused, not guessed at.
 * 2: expected.traceHash is the 64-bit trace hash of sim/trace/hash.ts (was SHA-256).
 */
export const REPLAY_FORMAT_VERSION = 2;

export interface ReplayFile {
  formatVersion: number;
  seed: number;
  scenario: Scenario;
  bugs: CanaryBug[];
  /** Set when the failure came from a harness self-test check (see self-test.ts). */
  selfTest?: SelfTestName;
  /**
   * runHash (files since session 24; absent before): the run's hash before its checks'
   * verdicts (RunResult.runHash), so a replay can tell "the same run, judged differently"
   * (a checker changed) from "another run" (the store or the simulator changed).
   */
  expected: { traceHash: string; runHash?: string; violations: Violation[] };
  /** Where the case came from (a fuzz campaign's run, or `raftsim run --save`): informative only, a replay does not use it. */
  origin?: CampaignOrigin | RunOrigin;
}

/** A failure (or undecided run) a fuzz campaign saved. */
export interface CampaignOrigin {
  campaignSeed: number;
  runIndex: number;
  faultsBeforeShrink: number;
  faultsAfterShrink: number;
  shrinkRuns: number;
  build?: string;
  cycles?: number;
  nodes?: number;
}

/** A run `raftsim run --save` saved: the command that made it. */
export interface RunOrigin {
  command: string;
  build?: string;
}

export class ReplayFileError extends Error {
  override name = "ReplayFileError";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks a parsed replay file; errors name the file and the field. */
export function parseReplayFile(json: unknown, where: string): ReplayFile {
  if (!isObject(json)) throw new ReplayFileError(`${where}: expected a JSON object (a raftsim replay file)`);
  if (json.formatVersion === undefined && json.seed === undefined && json.scenario === undefined) {
    throw new ReplayFileError(`${where}: expected a raftsim replay file ({formatVersion, seed, scenario, bugs, expected}), but this JSON has none of those fields`);
  }
  if (json.formatVersion !== REPLAY_FORMAT_VERSION) {
    throw new ReplayFileError(`${where}: formatVersion: expected ${REPLAY_FORMAT_VERSION}, got ${JSON.stringify(json.formatVersion)} (written by another raftsim version; re-run the fuzz campaign to get a replay file for this one)`);
  }
  if (typeof json.seed !== "number" || !Number.isSafeInteger(json.seed)) throw new ReplayFileError(`${where}: seed: expected an integer, got ${JSON.stringify(json.seed)}`);
  let scenario: Scenario;
  try {
    scenario = validateScenario(json.scenario, `${where}: scenario`);
  } catch (error) {
    if (error instanceof ScenarioError) throw new ReplayFileError(error.message);
    throw error;
  }
  if (!Array.isArray(json.bugs)) throw new ReplayFileError(`${where}: bugs: expected an array of canary names`);
  json.bugs.forEach((b, i) => {
    if (typeof b !== "string" || !isCanaryBug(b)) throw new ReplayFileError(`${where}: bugs[${i}]: expected a canary name, got ${JSON.stringify(b)}`);
  });
  if (json.selfTest !== undefined && (typeof json.selfTest !== "string" || !isSelfTest(json.selfTest))) throw new ReplayFileError(`${where}: selfTest: expected a self-test name, got ${JSON.stringify(json.selfTest)}`);
  const expected = json.expected;
  if (!isObject(expected) || typeof expected.traceHash !== "string" || !Array.isArray(expected.violations)) {
    throw new ReplayFileError(`${where}: expected: expected {traceHash: string, violations: [{check, message}]}`);
  }
  if (expected.runHash !== undefined && (typeof expected.runHash !== "string" || !/^[0-9a-f]{16}$/.test(expected.runHash))) {
    throw new ReplayFileError(`${where}: expected.runHash: expected 16 hex digits, got ${JSON.stringify(expected.runHash)}`);
  }
  expected.violations.forEach((v, i) => {
    if (!isObject(v) || typeof v.check !== "string" || typeof v.message !== "string") throw new ReplayFileError(`${where}: expected.violations[${i}]: expected {check: string, message: string}`);
  });
  return {
    formatVersion: REPLAY_FORMAT_VERSION,
    seed: json.seed,
    scenario,
    bugs: json.bugs as CanaryBug[],
    ...(json.selfTest !== undefined ? { selfTest: json.selfTest as SelfTestName } : {}),
    expected: { traceHash: expected.traceHash, ...(typeof expected.runHash === "string" ? { runHash: expected.runHash } : {}), violations: expected.violations as Violation[] },
    ...(isObject(json.origin) ? { origin: json.origin as ReplayFile["origin"] & object } : {}),
  };
}

export interface ReplayResult {
  evaluation: Evaluation;
  sameTrace: boolean;
  /**
   * The run's events are those recorded (same run hash): true with sameTrace false, only the
   * checks' verdicts changed. Undefined when the file predates run hashes.
   */
  sameRun: boolean | undefined;
  sameViolations: boolean;
  /** Not reproduced (trace or violations differ), but the same run: a check judged it anew. */
  judgedAnew: boolean;
}

/** Re-runs a replay file's case and compares with what it expected. */
export function replay(file: ReplayFile, traceSink?: TraceSink, inspect?: EvaluateOptions["inspect"]): ReplayResult {
  const evaluation = evaluate({ seed: file.seed, scenario: file.scenario, bugs: new Set(file.bugs), selfTest: file.selfTest, ...(traceSink ? { traceSink } : {}), ...(inspect ? { inspect } : {}) });
  const sameTrace = evaluation.traceHash === file.expected.traceHash;
  const sameRun = file.expected.runHash === undefined ? undefined : evaluation.runHash === file.expected.runHash;
  const sameViolations = JSON.stringify(evaluation.violations) === JSON.stringify(file.expected.violations);
  return { evaluation, sameTrace, sameRun, sameViolations, judgedAnew: !(sameTrace && sameViolations) && sameRun === true };
}

/** The replay file of a failed campaign run: its shrunk case, what it must reproduce, and where it came from. */
export function replayFileOf(outcome: { seed: number; index: number; failure: Failure }, campaign: { campaignSeed: number; bugs: CanaryBug[]; selfTest?: SelfTestName | undefined; build?: string; cycles?: number; nodes?: number | undefined }): ReplayFile {
  const f = outcome.failure;
  return {
    formatVersion: REPLAY_FORMAT_VERSION,
    seed: f.shrunk.seed,
    scenario: f.shrunk.scenario,
    bugs: campaign.bugs,
    ...(campaign.selfTest ? { selfTest: campaign.selfTest } : {}),
    expected: { traceHash: f.shrunk.traceHash, runHash: f.shrunk.runHash, violations: f.shrunk.violations },
    origin: { campaignSeed: campaign.campaignSeed, runIndex: outcome.index, faultsBeforeShrink: f.original.faults, faultsAfterShrink: f.shrunk.faults, shrinkRuns: f.shrinkRuns, ...(campaign.build ? { build: campaign.build } : {}), ...((campaign.cycles ?? 1) > 1 ? { cycles: campaign.cycles } : {}), ...(campaign.nodes !== undefined ? { nodes: campaign.nodes } : {}) },
  };
}

/**
 * The replay file of a campaign run a check could not decide (a search over its budget):
 * the case as drawn, unshrunk, expected to pass again with the same trace. Replayed with
 * `--history`, its client history goes to `raftsim check` for a longer look.
 */
export function undecidedReplayFileOf(outcome: { seed: number; index: number; faults: number; traceHash: string; runHash: string; undecided: { scenario: Scenario } }, campaign: { campaignSeed: number; bugs: CanaryBug[]; selfTest?: SelfTestName | undefined; build?: string; cycles?: number; nodes?: number | undefined }): ReplayFile {
  return {
    formatVersion: REPLAY_FORMAT_VERSION,
    seed: outcome.seed,
    scenario: outcome.undecided.scenario,
    bugs: campaign.bugs,
    ...(campaign.selfTest ? { selfTest: campaign.selfTest } : {}),
    expected: { traceHash: outcome.traceHash, runHash: outcome.runHash, violations: [] },
    origin: { campaignSeed: campaign.campaignSeed, runIndex: outcome.index, faultsBeforeShrink: outcome.faults, faultsAfterShrink: outcome.faults, shrinkRuns: 0, ...(campaign.build ? { build: campaign.build } : {}), ...((campaign.cycles ?? 1) > 1 ? { cycles: campaign.cycles } : {}), ...(campaign.nodes !== undefined ? { nodes: campaign.nodes } : {}) },
  };
}

/**
 * The command that re-runs, on this build, run `runIndex` of a campaign alone: shard i of
 * i+1 of a campaign of i+1 runs is run i.
 */
export function campaignRunCommand(c: { campaignSeed: number; runIndex: number; cycles?: number | undefined; nodes?: number | undefined; bugs?: readonly string[]; selfTest?: string | undefined }): string {
  const bugs = c.bugs?.length ? ` --bug ${c.bugs.join(",")}` : "";
  const selfTest = c.selfTest ? ` --self-test ${c.selfTest}` : "";
  const cycles = Number.isSafeInteger(c.cycles) && c.cycles! > 1 ? ` --cycles ${c.cycles}` : "";
  const nodes = Number.isSafeInteger(c.nodes) ? ` --nodes ${c.nodes}` : "";
  return `raftsim fuzz --seed ${c.campaignSeed} --runs ${c.runIndex + 1} --shard ${c.runIndex}/${c.runIndex + 1}${cycles}${nodes}${bugs}${selfTest}`;
}

/** The command that re-runs, on this build, the campaign run (or the `raftsim run`) a replay file came from. */
export function rerunCommand(file: ReplayFile): string | undefined {
  const o = file.origin;
  if (o && "command" in o && typeof o.command === "string") return o.command;
  if (!o || !("campaignSeed" in o) || !Number.isSafeInteger(o.campaignSeed) || !Number.isSafeInteger(o.runIndex) || o.runIndex < 0) return undefined;
  return campaignRunCommand({ campaignSeed: o.campaignSeed, runIndex: o.runIndex, cycles: o.cycles, nodes: o.nodes, bugs: file.bugs, selfTest: file.selfTest });
}

/** A stable file name for a failure: seed and check, nothing that changes between runs. */
export function replayFileName(seed: number, check: string): string {
  return `fuzz-${seed}-${check.replace(/[^a-z0-9-]+/gi, "_")}.json`;
}

/** A stable file name for a run a check could not decide: seed and those checks. */
export function undecidedReplayFileName(seed: number, checks: readonly string[]): string {
  return `unknown-${seed}-${checks.join("-").replace(/[^a-z0-9-]+/gi, "_")}.json`;
}
