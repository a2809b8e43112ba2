// Scheduler throughput: schedule + pop of no-op events on one core. Target ≥ 2 million/s.
import { Scheduler } from "../sim/scheduler";
import { fmt, median, timeRuns } from "./stats";

const EVENTS = 2_000_000;
const RUNS = 5;

function workload(): void {
  const s = new Scheduler();
  const noop = () => {};
  // A realistic queue: a few thousand pending events at any time, times spread out.
  let x = 1;
  for (let i = 0; i < EVENTS; i++) {
    x = (x * 48271) % 2147483647;
    s.after(x % 10_000, noop);
    if (s.pending > 4_096) s.step();
  }
  s.runUntilIdle();
}

const ms = timeRuns(RUNS, workload);
const rates = ms.map((m) => EVENTS / (m / 1000));
console.log(`scheduler: ${fmt(EVENTS)} events schedule+pop, ${RUNS} runs`);
console.log(`  runs (events/s): ${rates.map((r) => fmt(r)).join(", ")}`);
console.log(`  median: ${fmt(median(rates))} events/s (target ≥ 2,000,000; ratio ${fmt(median(rates) / 2_000_000, 2)}x)`);
