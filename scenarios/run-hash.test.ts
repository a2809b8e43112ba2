// A run's two hashes: traceHash covers every record, the checks' verdicts included; runHash
// stops before the verdicts. A replay that gets the recorded run hash but another trace hash
// ran the same run and judged it anew (a checker changed), which is not a lost reproduction.
import { describe, expect, it } from "vitest";
import { traceHashOfRecords } from "../sim/trace/hash";
import { parseTrace } from "../sim/trace/reader";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";

describe("run hash", () => {
  it("is the trace hash of every record before the checks' verdicts", () => {
    const lines: string[] = [];
    const run = runScenario({ seed: 3, scenario: findBuiltin("leader-partition")!, traceSink: (l) => lines.push(l) });
    const { header, events } = parseTrace(lines.join(""));
    const verdicts = events.filter((e) => e.type === "check");
    // Every check the scenario runs records its verdict, last.
    expect(verdicts.length).toBeGreaterThan(0);
    expect(events.slice(events.length - verdicts.length).every((e) => e.type === "check")).toBe(true);
    expect(traceHashOfRecords([header, ...events])).toBe(run.traceHash);
    expect(traceHashOfRecords([header, ...events.filter((e) => e.type !== "check")])).toBe(run.runHash);
    expect(run.runHash).not.toBe(run.traceHash);
    // Another verdict on the same run: another trace hash, the same run hash.
    const [first, ...rest] = verdicts as { result: string }[];
    const judgedAnew = [{ ...first!, result: first!.result === "pass" ? "unknown" : "pass" }, ...rest];
    expect(traceHashOfRecords([header, ...events.filter((e) => e.type !== "check"), ...judgedAnew])).not.toBe(run.traceHash);
  });

  it("same seed, same run hash; another seed, another", () => {
    const scenario = findBuiltin("leader-partition")!;
    const a = runScenario({ seed: 3, scenario });
    expect(runScenario({ seed: 3, scenario }).runHash).toBe(a.runHash);
    expect(runScenario({ seed: 4, scenario }).runHash).not.toBe(a.runHash);
  });
});
