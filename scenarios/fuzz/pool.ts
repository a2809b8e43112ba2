// A fuzz campaign: the runs of one shard, in-process or spread over worker threads. Runs are
// handed out in index order and results are reported by index, so the set of outcomes is a
// function of (campaign seed, runs, shard, options) only — never of the worker count or of
// which worker was fast. Wall-clock measurement is the caller's (cli/, bench/).
import { Worker } from "node:worker_threads";
import { assert } from "../../core/assert";
import type { CanaryBug } from "../../core/canary";
import { campaignCaseArb, quietCaseArb } from "./arbitraries";
import { type FuzzRunOptions, fuzzRun, type RunOutcome, type ShrinkProgress } from "./driver";
import { type Shard, shardRunCount, shardRunIndex } from "./seeds";
import type { SelfTestName } from "./self-test";

export interface WorkerInit {
  campaignSeed: number;
  bugs: CanaryBug[];
  selfTest?: SelfTestName | undefined;
  shrinkBudget?: number | undefined;
  /** Draw cases without clients (cheap runs, for tests of the harness itself). */
  quiet?: boolean | undefined;
  /** Rounds of faults and heal per run (arbitraries.ts campaignCaseArb); 1 or absent: one. */
  cycles?: number | undefined;
  /** Members in every run's cluster; absent: drawn per run (3–5). */
  nodes?: number | undefined;
}
export type WorkerRequest = { type: "run"; index: number };
export type WorkerReply = { type: "outcome"; outcome: RunOutcome } | { type: "shrinking"; progress: ShrinkProgress } | { type: "error"; index: number; message: string };

export interface CampaignOptions extends WorkerInit {
  runs: number;
  shard?: Shard;
  /** 1 runs in this thread (unless runInWorkers); more start worker threads from `workerUrl`. */
  workers: number;
  workerUrl?: URL;
  /**
   * Run even one worker's runs in a worker thread. The CLI's choice: its main thread then
   * stays free to hear a Ctrl-C while a run (or a failure's shrinking, minutes at many
   * cycles) is under way.
   */
  runInWorkers?: boolean;
  /**
   * Stop once this many runs failed (counted in index order, so the stopping point does not
   * depend on timing). Failures shrink, which is slow: a bug that fails most runs would
   * otherwise make a campaign shrink hundreds of times.
   */
  maxFailures?: number;
  /**
   * Asked before each run is handed out; once it says true, no run starts (runs in flight
   * finish). The outcomes are then still a prefix in index order, so `runs` set to their
   * count repeats exactly this campaign. The caller's (the CLI's wall-clock budget, --time).
   */
  shouldStop?: () => boolean;
  /**
   * Awaited between runs in this thread. The default lets only promises run; the CLI passes
   * one that lets the host's event loop turn (so a Ctrl-C is heard mid-campaign): this
   * module does no I/O and sets no timers of its own.
   */
  yieldBetweenRuns?: () => Promise<void>;
  /** Called as each outcome arrives (in completion order) with counts so far. */
  onOutcome?: (outcome: RunOutcome, completed: number, planned: number) => void;
  /** Called while a failing run shrinks (driver.ts FuzzRunOptions.onShrink), from any worker. */
  onShrink?: (progress: ShrinkProgress) => void;
}

export interface CampaignResult {
  /** Outcomes in index order: every planned run up to the stopping point. */
  outcomes: RunOutcome[];
  planned: number;
  stoppedEarly: boolean;
  /** shouldStop said stop before every planned run had started. */
  stoppedByCaller: boolean;
}

/** Tracks the stopping point: the position of the maxFailures-th failure in index order. */
class Cutoff {
  private readonly failing: number[] = [];
  position = Infinity;
  constructor(private readonly maxFailures: number) {}
  add(position: number, failed: boolean): void {
    if (!failed) return;
    this.failing.push(position);
    this.failing.sort((a, b) => a - b);
    if (this.failing.length >= this.maxFailures) this.position = this.failing[this.maxFailures - 1]!;
  }
}

/** What every run of a campaign shares, in this thread or in a worker. */
export function runOptions(init: WorkerInit): Omit<FuzzRunOptions, "index" | "bugs"> {
  const arbitrary = init.quiet ? quietCaseArb : (init.cycles ?? 1) > 1 || init.nodes !== undefined ? campaignCaseArb(init.cycles ?? 1, init.nodes) : undefined;
  return { campaignSeed: init.campaignSeed, selfTest: init.selfTest, shrinkBudget: init.shrinkBudget, ...(arbitrary ? { arbitrary } : {}) };
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const planned = shardRunCount(options.runs, options.shard);
  const indexAt = (position: number) => shardRunIndex(position, options.shard);
  const cutoff = new Cutoff(options.maxFailures ?? Infinity);
  const byPosition = new Map<number, RunOutcome>();
  let stoppedByCaller = false;
  const mayStart = (position: number) => {
    if (position >= planned || position > cutoff.position) return false;
    if (options.shouldStop?.()) stoppedByCaller = true;
    return !stoppedByCaller;
  };
  const record = (position: number, outcome: RunOutcome) => {
    byPosition.set(position, outcome);
    cutoff.add(position, !outcome.passed);
    options.onOutcome?.(outcome, byPosition.size, planned);
  };
  if (!options.runInWorkers && (options.workers <= 1 || planned <= 1)) {
    const bugs = new Set(options.bugs);
    for (let p = 0; mayStart(p); p++) {
      record(p, fuzzRun({ ...runOptions(options), index: indexAt(p), bugs, ...(options.onShrink ? { onShrink: options.onShrink } : {}) }));
      await (options.yieldBetweenRuns?.() ?? Promise.resolve());
    }
  } else {
    await runOnWorkers(options, planned, indexAt, mayStart, record);
  }
  const positions = [...byPosition.keys()].filter((p) => p <= cutoff.position).sort((a, b) => a - b);
  // Runs start in position order and every started run finishes: the outcomes are a prefix.
  assert(positions.every((p, i) => p === i), "campaign outcomes are not a prefix of the planned runs");
  return { outcomes: positions.map((p) => byPosition.get(p)!), planned, stoppedEarly: positions.length < planned, stoppedByCaller };
}

function runOnWorkers(options: CampaignOptions, planned: number, indexAt: (position: number) => number, mayStart: (position: number) => boolean, record: (position: number, outcome: RunOutcome) => void): Promise<void> {
  const url = options.workerUrl;
  if (!url) return Promise.reject(new Error("runCampaign: workers > 1 needs workerUrl (the bundled fuzz worker)"));
  const init: WorkerInit = { campaignSeed: options.campaignSeed, bugs: options.bugs, selfTest: options.selfTest, shrinkBudget: options.shrinkBudget, quiet: options.quiet, cycles: options.cycles, nodes: options.nodes };
  const count = Math.min(options.workers, planned);
  return new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let busy = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve();
    };
    const dispatch = (worker: Worker, position: { value: number }) => {
      if (!mayStart(next)) {
        if (busy === 0) finish();
        return;
      }
      position.value = next++;
      busy++;
      const request: WorkerRequest = { type: "run", index: indexAt(position.value) };
      worker.postMessage(request);
    };
    for (let i = 0; i < count; i++) {
      const worker = new Worker(url, { workerData: init });
      const position = { value: -1 };
      workers.push(worker);
      worker.on("message", (reply: WorkerReply) => {
        if (reply.type === "shrinking") return options.onShrink?.(reply.progress);
        busy--;
        if (reply.type === "error") return finish(new Error(`fuzz worker failed on run ${reply.index}: ${reply.message}`));
        record(position.value, reply.outcome);
        dispatch(worker, position);
      });
      worker.on("error", (error) => finish(error));
      worker.on("exit", (code) => {
        if (code !== 0) finish(new Error(`fuzz worker exited with code ${code}`));
      });
      dispatch(worker, position);
    }
  });
}
