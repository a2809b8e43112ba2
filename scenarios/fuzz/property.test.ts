// The CI fuzz property: "every check passes" over a fixed number of random scenarios and
// fault plans. RAFTSIM_FUZZ_SEED / RAFTSIM_FUZZ_RUNS change the campaign (the seed is
// printed either way). A failure is shrunk, written as a replay file, and the test fails
// with the command that reproduces it.
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../cli/files";
import { runCampaign } from "./pool";
import { replayFileName, replayFileOf } from "./replay";

const SEED = Number(process.env.RAFTSIM_FUZZ_SEED ?? 1);
const RUNS = Number(process.env.RAFTSIM_FUZZ_RUNS ?? 300);
const OUT = join(__dirname, "..", "..", "raftsim-failures");

describe("fuzz: every check passes", () => {
  it(`${RUNS} random scenarios and fault plans, campaign seed ${SEED}`, async () => {
    console.log(`fuzz property: campaign seed ${SEED}, ${RUNS} runs (RAFTSIM_FUZZ_SEED / RAFTSIM_FUZZ_RUNS to change)`);
    const { outcomes } = await runCampaign({ campaignSeed: SEED, runs: RUNS, workers: 1, bugs: [], maxFailures: 1 });
    const reports: string[] = [];
    for (const o of outcomes) {
      const f = o.failure;
      if (!f) continue;
      const path = join(OUT, replayFileName(o.seed, f.check));
      const file = replayFileOf({ ...o, failure: f }, { campaignSeed: SEED, bugs: [] });
      writeFileAtomic(path, JSON.stringify(file, null, 2) + "\n");
      const message = f.shrunk.violations.find((v) => v.check === f.check)?.message ?? "";
      reports.push(`run ${o.index} (seed ${o.seed}) failed ${f.check}: ${message}\n  shrunk to ${f.shrunk.faults} faults; reproduce with: raftsim replay ${relative(process.cwd(), path)}`);
    }
    if (reports.length > 0) console.log(reports.join("\n"));
    expect(reports, reports.join("\n")).toEqual([]);
    expect(outcomes.length).toBe(RUNS);
  });
});
