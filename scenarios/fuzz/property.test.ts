// The CI fuzz property: "every check passes" over a fixed number of random scenarios and
// fault plans, one round each and (fewer) five rounds each (`raftsim fuzz --cycles 5`).
// RAFTSIM_FUZZ_SEED / RAFTSIM_FUZZ_RUNS / RAFTSIM_FUZZ_CYCLE_RUNS change the campaigns (the
// seed is printed either way). A failure is shrunk, written as a replay file, and the test
// fails with the command that reproduces it.
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../cli/files";
import { runCampaign } from "./pool";
import { replayFileName, replayFileOf } from "./replay";

const SEED = Number(process.env.RAFTSIM_FUZZ_SEED ?? 1);
const RUNS = Number(process.env.RAFTSIM_FUZZ_RUNS ?? 300);
const CYCLE_RUNS = Number(process.env.RAFTSIM_FUZZ_CYCLE_RUNS ?? 40);
const CYCLES = 5;
const OUT = join(__dirname, "..", "..", "raftsim-failures");

async function campaign(runs: number, cycles: number): Promise<void> {
  const { outcomes } = await runCampaign({ campaignSeed: SEED, runs, workers: 1, bugs: [], maxFailures: 1, cycles });
  const reports: string[] = [];
  for (const o of outcomes) {
    const f = o.failure;
    if (!f) continue;
    const path = join(OUT, replayFileName(o.seed, f.check));
    const file = replayFileOf({ ...o, failure: f }, { campaignSeed: SEED, bugs: [], cycles });
    writeFileAtomic(path, JSON.stringify(file, null, 2) + "\n");
    const message = f.shrunk.violations.find((v) => v.check === f.check)?.message ?? "";
    reports.push(`run ${o.index} (seed ${o.seed}) failed ${f.check}: ${message}\n  shrunk to ${f.shrunk.faults} faults; reproduce with: raftsim replay ${relative(process.cwd(), path)}`);
  }
  if (reports.length > 0) console.log(reports.join("\n"));
  expect(reports, reports.join("\n")).toEqual([]);
  expect(outcomes.length).toBe(runs);
}

describe("fuzz: every check passes", () => {
  it(`${RUNS} random scenarios and fault plans, campaign seed ${SEED}`, async () => {
    console.log(`fuzz property: campaign seed ${SEED}, ${RUNS} runs (RAFTSIM_FUZZ_SEED / RAFTSIM_FUZZ_RUNS to change)`);
    await campaign(RUNS, 1);
  });

  it(`${CYCLE_RUNS} runs of ${CYCLES} rounds of faults, heal and settle each, campaign seed ${SEED}`, async () => {
    console.log(`fuzz property: campaign seed ${SEED}, ${CYCLE_RUNS} runs of --cycles ${CYCLES} (RAFTSIM_FUZZ_CYCLE_RUNS to change)`);
    await campaign(CYCLE_RUNS, CYCLES);
  });
});
