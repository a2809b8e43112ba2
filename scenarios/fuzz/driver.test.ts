import { describe, expect, it } from "vitest";
import { NO_BUGS } from "../../core/canary";
import { campaignCaseArb, countFaults, quietCaseArb } from "./arbitraries";
import { fuzzRun, type RunOutcome, type ShrinkProgress } from "./driver";
import { INVARIANT_CHECK, violationsOf } from "./property";
import { parseReplayFile, REPLAY_FORMAT_VERSION, type ReplayFile, ReplayFileError, replay } from "./replay";
import type { SelfTestName } from "./self-test";

const CAMPAIGN = 3;

/** Runs the first `max` runs of a campaign until one fails. */
function firstFailure(selfTest: SelfTestName, max: number): RunOutcome {
  for (let index = 0; index < max; index++) {
    const o = fuzzRun({ arbitrary: quietCaseArb, campaignSeed: CAMPAIGN, index, bugs: NO_BUGS, selfTest, shrinkBudget: 60 });
    if (o.failure) return o;
  }
  throw new Error(`no failure of ${selfTest} in ${max} runs of campaign ${CAMPAIGN}`);
}

function toReplayFile(o: RunOutcome, selfTest: SelfTestName): ReplayFile {
  const f = o.failure!;
  return JSON.parse(JSON.stringify({ formatVersion: REPLAY_FORMAT_VERSION, seed: o.seed, scenario: f.shrunk.scenario, bugs: [], selfTest, expected: { traceHash: f.shrunk.traceHash, violations: f.shrunk.violations } }));
}

describe("fuzz driver: find, shrink, replay", () => {
  console.log(`driver tests use campaign seed ${CAMPAIGN}`);
  for (const [selfTest, minimal] of [["crash-during-partition", 2], ["torn-crash", 1]] as const) {
    it(`shrinks a ${selfTest} failure to the ${minimal} fault(s) it needs, and the replay file reproduces it`, () => {
      const o = firstFailure(selfTest, 60);
      const f = o.failure!;
      expect(o.passed).toBe(false);
      expect(f.check).toBe(`self-test:${selfTest}`);
      expect(f.shrunk.faults).toBe(minimal);
      expect(f.shrunk.faults).toBeLessThanOrEqual(f.original.faults);
      expect(countFaults(f.shrunk.scenario)).toBe(minimal);
      expect(f.reproducible).toBe(true);
      expect(f.shrunk.violations[0]!.check).toBe(f.check);
      // The same run computed again gives the same outcome (determinism of the whole driver).
      expect(fuzzRun({ arbitrary: quietCaseArb, campaignSeed: CAMPAIGN, index: o.index, bugs: NO_BUGS, selfTest, shrinkBudget: 60 })).toEqual(o);
      // A replay file, read back as the CLI reads it, reproduces trace and violation.
      const file = parseReplayFile(toReplayFile(o, selfTest), "test.json");
      const r = replay(file);
      expect(r.evaluation.traceHash).toBe(f.shrunk.traceHash);
      expect(r.sameTrace && r.sameViolations).toBe(true);
      // Without the self-test the same case passes: the violation came from the check, not the run.
      expect(replay({ ...file, selfTest: undefined as never }).evaluation.violations).toEqual([]);
    });
  }

  it("with attribution, a failure that also happens without the bugs is not counted as theirs", () => {
    const o = firstFailure("torn-crash", 60);
    // A canary that cannot act in a run without clients: the only failure is the self-test's.
    const attributed = fuzzRun({ arbitrary: quietCaseArb, campaignSeed: CAMPAIGN, index: o.index, bugs: new Set(["stale-linearizable-read"]), selfTest: "torn-crash", attributeToBugs: true });
    expect(attributed.passed).toBe(true);
    expect(attributed.backgroundFailure).toBe("self-test:torn-crash");
    expect(attributed.failure).toBeUndefined();
  });

  it("a passing run has no failure and reports its trace hash", () => {
    const o = fuzzRun({ arbitrary: quietCaseArb, campaignSeed: CAMPAIGN, index: 0, bugs: NO_BUGS });
    expect(o.passed).toBe(true);
    expect(o.failure).toBeUndefined();
    expect(o.traceHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("shrinks a long plan with blocks of steps first (`--bug vote-before-persist --cycles 8`, seed 1, run 11: 37 steps)", () => {
    // One step at a time, each removal tried under six seeds, took 794 simulations to bring
    // this run's plan down to 2 steps; taking out blocks first (halves, quarters, ...), 547.
    // Since crash-after may wait for a commit (session 18) the run draws another 37-step
    // plan, which shrinks to 3 steps, each needed, in 461 simulations. Since a forwarded read
    // is answered to the member that asked (session 32) the candidates run otherwise: it
    // shrinks to 2 steps in 669 simulations.
    const o = fuzzRun({ arbitrary: campaignCaseArb(8), campaignSeed: 1, index: 11, bugs: new Set(["vote-before-persist"]) });
    const f = o.failure!;
    expect(f.check).toBe(INVARIANT_CHECK);
    expect(f.original.faults).toBe(37);
    expect(f.shrunk.faults).toBeLessThanOrEqual(3);
    expect(f.shrinkRuns).toBeLessThanOrEqual(750);
    expect(f.reproducible).toBe(true);
  }, 180_000);

  it("tells how its shrink is going: found, then each simulation, ending where the outcome says", () => {
    const o = firstFailure("crash-during-partition", 60);
    const seen: ShrinkProgress[] = [];
    const again = fuzzRun({ arbitrary: quietCaseArb, campaignSeed: CAMPAIGN, index: o.index, bugs: NO_BUGS, selfTest: "crash-during-partition", shrinkBudget: 60, onShrink: (p) => seen.push(p) });
    expect(again).toEqual(o); // listening changes nothing
    const f = o.failure!;
    expect(seen[0]).toEqual({ index: o.index, check: f.check, simulations: 0, budget: 60, faultsFound: f.original.faults, faultsNow: f.original.faults });
    expect(seen.length).toBe(f.shrinkRuns + 1); // these runs are short: one simulation each
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.simulations).toBeGreaterThan(seen[i - 1]!.simulations);
      expect(seen[i]!.faultsNow).toBeLessThanOrEqual(seen[i - 1]!.faultsNow);
    }
    expect(seen.at(-1)!.simulations).toBe(f.shrinkRuns);
    expect(seen.at(-1)!.faultsNow).toBe(f.shrunk.faults);
  });

  it("a zero shrink budget keeps the failure as drawn", () => {
    const shrunk = firstFailure("crash-during-partition", 60);
    const raw = fuzzRun({ arbitrary: quietCaseArb, campaignSeed: CAMPAIGN, index: shrunk.index, bugs: NO_BUGS, selfTest: "crash-during-partition", shrinkBudget: 0 });
    expect(raw.failure!.shrinkRuns).toBe(0);
    expect(raw.failure!.shrunk.faults).toBe(raw.faults);
    expect(raw.failure!.shrunk.traceHash).toBe(raw.traceHash);
  });
});

describe("the property: every check passes", () => {
  const checks = { linearizability: "pass", watch: "fail", durability: "skipped", convergence: "unknown", liveness: "pass" } as const;
  it("fails on a failing check (with its messages), ignores unasked checks, keeps failures no scenario can switch off", () => {
    const violations = [{ check: "watch", message: "event skipped at rev 7" }, { check: "durability", message: "ignored" }, { check: INVARIANT_CHECK, message: "assert" }];
    expect(violationsOf({ checks: { ...checks, invariants: "fail" }, violations }, ["linearizability", "watch", "liveness"])).toEqual([violations[0], violations[2]]);
    expect(violationsOf({ checks, violations: [] }, ["watch"])).toEqual([{ check: "watch", message: "check failed (no message)" }]);
    expect(violationsOf({ checks: { ...checks, invariants: "fail" }, violations: [] }, [])).toEqual([{ check: "invariants", message: "check failed (no message)" }]);
    expect(violationsOf({ checks: { ...checks, invariants: "pass" }, violations: [] }, ["linearizability", "convergence"])).toEqual([]);
    expect(violationsOf({ checks: { ...checks, watch: "pass" }, violations: [] }, ["watch"])).toEqual([]);
  });
});

describe("replay files", () => {
  const good = () => ({ formatVersion: REPLAY_FORMAT_VERSION, seed: 5, scenario: { name: "x", faults: [] }, bugs: ["ack-before-fsync"], expected: { traceHash: "ab", violations: [{ check: "watch", message: "m" }] } });
  it("accepts a good file and refuses other format versions and bad fields with file and place", () => {
    expect(parseReplayFile(good(), "f.json").bugs).toEqual(["ack-before-fsync"]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good(), formatVersion: 1 }, /^f\.json: formatVersion: expected 2, got 1 \(written by another raftsim version/],
      [{ ...good(), formatVersion: undefined }, /formatVersion: expected 2, got undefined/],
      [{ ...good(), seed: "1" }, /^f\.json: seed: expected an integer/],
      [{ ...good(), bugs: ["nope"] }, /^f\.json: bugs\[0\]: expected a canary name/],
      [{ ...good(), scenario: { name: "x", cluster: { nodes: 0 } } }, /^f\.json: scenario\.cluster\.nodes: expected an integer/],
      [{ ...good(), expected: { traceHash: 1 } }, /^f\.json: expected: expected \{traceHash/],
      [{ ...good(), selfTest: "zzz" }, /^f\.json: selfTest: expected a self-test name/],
    ];
    for (const [json, message] of cases) expect(() => parseReplayFile(json, "f.json")).toThrow(message);
    expect(() => parseReplayFile([], "f.json")).toThrow(ReplayFileError);
  });
});
