// Each canary bug the fuzzer is expected to find, found by a plain campaign (seed 1, no hint
// about which fault triggers it) within a fixed number of runs — and only counted when the
// same case passes that check with the canary off, so the detection is the canary's doing.
// RAFTSIM_CANARY_SEED changes the campaign. `npm run bench:canaries` measures speed.
import { describe, expect, it } from "vitest";
import { CANARY_BUGS, type CanaryBug } from "../../core/canary";
import { fuzzRun } from "./driver";

const SEED = Number(process.env.RAFTSIM_CANARY_SEED ?? 1);
const RUNS_MAX = 400;
/**
 * Rarer finds. vote-before-persist: a crash must land between a granted vote and its fsync
 * during a split vote, and the restarted member be asked again in that term (seed 1: run
 * 377, by the monitor's one-vote-per-term rule; run 603 when it took two leaders).
 * (lease-read-ignores-skew needed 1,500 until session 30, found at run 994: a partition had
 * to cut a lease-reading leader off with drifts that let a follower be elected inside the
 * lease's last tick. The aimed lease-skew steps of half the lease-read runs find it at run 85.)
 */
const RUNS_MAX_BY_BUG: Partial<Record<CanaryBug, number>> = {
  "vote-before-persist": 800,
  // A leader cut off with clients must log entries nobody else has, and the majority must
  // snapshot past where they begin but not past their end before the heal (seed 1: run 493).
  "snapshot-keeps-conflicting-log": 600,
  // A client must read through a leader elected moments before, whose commit index lags the
  // one its predecessor reached, before its own first entry commits (seed 1: run 471).
  "read-index-before-term-commit": 600,
};

/** Every canary: plain campaigns find each at this run count (see the README's table). */
const FOUND_BY_FUZZ = Object.keys(CANARY_BUGS) as CanaryBug[];

describe(`canaries found by fuzzing (campaign seed ${SEED})`, () => {
  for (const bug of FOUND_BY_FUZZ) {
    const runsMax = RUNS_MAX_BY_BUG[bug] ?? RUNS_MAX;
    it(`finds ${bug} within ${runsMax} runs`, () => {
      let found: { index: number; check: string; message: string } | undefined;
      for (let index = 0; index < runsMax && !found; index++) {
        const o = fuzzRun({ campaignSeed: SEED, index, bugs: new Set([bug]), shrinkBudget: 0, attributeToBugs: true });
        if (o.failure) found = { index, check: o.failure.check, message: o.failure.original.violations.find((v) => v.check === o.failure!.check)?.message.slice(0, 160) ?? "" };
      }
      console.log(found ? `canary ${bug}: found by ${found.check} in run ${found.index} (seed ${SEED}): ${found.message}` : `canary ${bug}: not found in ${runsMax} runs (seed ${SEED})`);
      expect(found, `${bug} not found in ${runsMax} runs`).toBeDefined();
    }, 300_000);
  }
});
