import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FaultStep } from "../types";
import { validateScenario } from "../validate";
import { FAULT_TYPES } from "../validate";
import { buildCase, countFaults, campaignCaseArb, CYCLES_MAX, FAULT_FAMILIES, fuzzCaseArb, fuzzCaseRawArb, FUZZ_NODES_MAX, FUZZ_NODES_MIN, SETTLE_MS, withoutFault } from "./arbitraries";

const SEED = 20_260_601;
const RUNS = 300;

describe("fuzz arbitraries", () => {
  it(`every case is a valid scenario whose faults end with the heal phase they need (seed ${SEED})`, () => {
    console.log(`arbitraries property seed ${SEED}, ${RUNS} runs`);
    fc.assert(
      fc.property(fuzzCaseArb, ({ scenario, faultCount }) => {
        // Valid, and unchanged by a trip through JSON and the validator (replay files rely on it).
        expect(validateScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
        const healAtMs = scenario.durationMs - SETTLE_MS;
        const plan = scenario.faults.slice(0, faultCount);
        const phase = scenario.faults.slice(faultCount);
        expect(countFaults(scenario)).toBe(faultCount);
        for (const s of plan) {
          expect(s.atMs).toBeLessThan(healAtMs);
          if ("durationMs" in s) expect(s.atMs + s.durationMs).toBeLessThanOrEqual(healAtMs);
        }
        for (const s of phase) expect(s.atMs).toBe(healAtMs);
        const types = new Set(plan.map((s) => s.type));
        const has = (t: FaultStep["type"], pred: (s: FaultStep) => boolean = () => true) => phase.some((s) => s.type === t && pred(s));
        expect(has("heal")).toBe(["partition", "isolate", "cut-one-way", "clog"].some((t) => types.has(t as never)));
        expect(has("restart", (s) => s.type === "restart" && s.node === "all-down")).toBe(types.has("crash") || types.has("crash-after") || types.has("fsync-error"));
        expect(has("resume", (s) => s.type === "resume" && s.node === "all-paused")).toBe(types.has("pause"));
        expect(has("link-faults", (s) => s.type === "link-faults" && s.loss === 0 && s.duplicate === 0 && s.reorder === 0)).toBe(types.has("link-faults"));
        // Lease reads are only safe under bounded drift: no clock jumps with them.
        if (scenario.cluster.readMode === "lease") expect(types.has("clock-jump")).toBe(false);
        for (const s of plan) if (s.type === "partition") expect(s.groups.length === 2 || scenario.cluster.nodes === 1).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("is swarm-style: runs differ in which fault families they enable, and every fault type comes up", () => {
    const raws = fc.sample(fuzzCaseRawArb, { seed: SEED, numRuns: RUNS });
    const masks = new Set(raws.map((r) => FAULT_FAMILIES.filter((f) => r.mask[f]).join(",")));
    expect(masks.size).toBeGreaterThan(RUNS / 4);
    const types = new Set(raws.flatMap((r) => buildCase(r).scenario.faults.map((s) => s.type)));
    expect([...types].sort()).toEqual([...FAULT_TYPES].sort());
    const counts = raws.map((r) => buildCase(r).faultCount);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(8);
    expect(counts.filter((c) => c === 0).length).toBeLessThan(RUNS / 5);
  });

  it("a case is a pure function of the fast-check seed", () => {
    const a = fc.sample(fuzzCaseArb, { seed: 7, numRuns: 5 }).map((c) => JSON.stringify(c.scenario));
    const b = fc.sample(fuzzCaseArb, { seed: 7, numRuns: 5 }).map((c) => JSON.stringify(c.scenario));
    const c = fc.sample(fuzzCaseArb, { seed: 8, numRuns: 5 }).map((x) => JSON.stringify(x.scenario));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it(`--cycles N chains N rounds of faults, each healed and settled before the next (seed ${SEED})`, () => {
    expect(campaignCaseArb(1)).toBe(fuzzCaseArb); // the default campaign is untouched
    expect(() => campaignCaseArb(0)).toThrow(/cycles/);
    expect(() => campaignCaseArb(CYCLES_MAX + 1)).toThrow(/cycles/);
    console.log(`cycles property seed ${SEED}, 100 runs`);
    let healsBeforeTheEnd = 0;
    fc.assert(
      fc.property(campaignCaseArb(3), ({ scenario, faultCount }) => {
        expect(validateScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
        expect(scenario.description).toMatch(/^fuzzed: 3 cycles of faults and heal/);
        // Three windows of 1-3 s, each with its settle time.
        expect(scenario.durationMs).toBeGreaterThanOrEqual(3 * (1_000 + SETTLE_MS));
        expect(scenario.durationMs).toBeLessThanOrEqual(3 * (3_000 + SETTLE_MS));
        const times = scenario.faults.map((s) => s.atMs);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(Math.max(...times)).toBeLessThan(scenario.durationMs);
        expect(countFaults(scenario)).toBe(faultCount);
        // A heal phase step before the last round's: an earlier round was healed.
        const last = Math.max(...times);
        if (scenario.faults.some((s) => s.atMs < last && (s.type === "heal" || (s.type === "restart" && s.node === "all-down") || (s.type === "resume" && s.node === "all-paused")))) healsBeforeTheEnd++;
        // The shrinker can take out any step, earlier rounds' heal steps included, and get a valid scenario.
        if (faultCount > 0) expect(() => validateScenario(JSON.parse(JSON.stringify(withoutFault(scenario, 0).scenario)))).not.toThrow();
      }),
      { seed: SEED, numRuns: 100 },
    );
    expect(healsBeforeTheEnd).toBeGreaterThan(50);
  });

  it(`--nodes N fixes the cluster size and draws the rest as the default campaign does (seed ${SEED})`, () => {
    expect(() => campaignCaseArb(1, FUZZ_NODES_MIN - 1)).toThrow(/nodes/);
    expect(() => campaignCaseArb(1, FUZZ_NODES_MAX + 1)).toThrow(/nodes/);
    for (const [cycles, nodes] of [[1, FUZZ_NODES_MIN], [1, FUZZ_NODES_MAX], [3, 6]] as const) {
      const cases = fc.sample(campaignCaseArb(cycles, nodes), { seed: SEED, numRuns: 60 });
      for (const { scenario } of cases) {
        expect(validateScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
        expect(scenario.cluster.nodes).toBe(nodes);
        // Every selector and partition names members of this cluster.
        for (const s of scenario.faults) {
          for (const field of ["node", "from", "to", "a", "b"]) {
            const id = (s as Record<string, unknown>)[field];
            if (typeof id === "number") expect(id >= 1 && id <= nodes, `${s.type}.${field} = ${id}`).toBe(true);
          }
          if (s.type === "partition") expect(s.groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: nodes }, (_, i) => i + 1));
        }
        // Drift, when drawn, covers every member (repeated past the fifth).
        if (scenario.cluster.clockDriftPpm) expect(scenario.cluster.clockDriftPpm.length).toBe(nodes);
      }
      // Only the size differs from the default campaign's case with the same seed.
      const plain = fc.sample(campaignCaseArb(cycles), { seed: SEED, numRuns: 60 });
      expect(cases.map((c) => c.scenario.workload)).toEqual(plain.map((c) => c.scenario.workload));
    }
  });
});

