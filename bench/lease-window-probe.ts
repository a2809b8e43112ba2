// `npm run bench:lease-window-probe`: how often does a plain fuzz campaign even open the
// stale window that lease-read-ignores-skew needs? A probe, not a check: at every Ready of a
// leader that has committed in its term and holds a valid lease (the canary's lease, with no
// drift margin), it asks the Raft monitor whether a later term already has a leader. It
// counts runs where that happened (window open) and runs where a read was answered from the
// lease inside it (what the monitor's lease-read invariant needs). Plain fuzz-drawn cases of
// one campaign, exactly as `raftsim fuzz --bug lease-read-ignores-skew` draws them.
//
//   npm run bench:lease-window-probe [-- --runs 2000] [--seed 1]
//
// The probe patches two prototypes in this process only (the bench's own); nothing in the
// store or the harness knows of it.
import fc from "fast-check";
import { fuzzCaseArb } from "../scenarios/fuzz/arbitraries";
import { runSeed } from "../scenarios/fuzz/seeds";
import { runScenario } from "../scenarios/run";
import { RaftHost } from "../sim/host/node_host";
import { SafetyMonitor } from "../sim/host/safety";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench:lease-window-probe: --${name} expects a positive integer`);
    process.exit(2);
  }
  return v;
}
const runs = flag("runs", 2_000);
const campaignSeed = flag("seed", 1);

let windowOpened = false;
let readInWindow = false;
type ProbeHost = { rn: { raft: { role: string; term: number; cfg: { readOnlyOption: string }; committedInTerm(): boolean; leaseValid(): boolean } }; opts: { observer?: { onLeaseRead?(h: unknown, term: number, count: number): void } } };
const hostProto = RaftHost.prototype as unknown as { processReady(this: ProbeHost): void };
const processReady = hostProto.processReady;
hostProto.processReady = function (this: ProbeHost) {
  const r = this.rn.raft;
  // A phantom read of count 0: "would a read be answered from the lease right now?"
  if (r.role === "leader" && r.cfg.readOnlyOption === "lease-based" && r.committedInTerm() && r.leaseValid()) this.opts.observer?.onLeaseRead?.(this, r.term, 0);
  processReady.call(this);
};
(SafetyMonitor.prototype as unknown as { onLeaseRead(this: { maxLeaderTerm: number }, h: unknown, term: number, count: number): void }).onLeaseRead = function (_h, term, count) {
  if (this.maxLeaderTerm <= term) return;
  windowOpened = true;
  if (count > 0) readInWindow = true;
};

let leaseRuns = 0;
let opened = 0;
let withRead = 0;
const openedAt: number[] = [];
for (let index = 0; index < runs; index++) {
  const seed = runSeed(campaignSeed, index);
  const [drawn] = fc.sample(fuzzCaseArb, { seed, numRuns: 1 });
  if (drawn!.scenario.cluster.readMode !== "lease") continue;
  leaseRuns++;
  windowOpened = false;
  readInWindow = false;
  try {
    runScenario({ seed, scenario: { ...drawn!.scenario, checks: [] }, bugs: new Set(["lease-read-ignores-skew"]) });
  } catch {
    // An invariant that fired for another reason ends the run; what the probe saw still counts.
  }
  if (windowOpened) {
    opened++;
    openedAt.push(index);
  }
  if (readInWindow) withRead++;
  if (process.stderr.isTTY && index % 100 === 99) process.stderr.write(`\r${index + 1}/${runs} runs`);
}
if (process.stderr.isTTY) process.stderr.write("\n");
console.log(`campaign seed ${campaignSeed}, runs 0..${runs - 1}, canary lease-read-ignores-skew on:`);
console.log(`  lease-mode runs:                         ${leaseRuns}`);
console.log(`  stale window opened:                     ${opened}${openedAt.length ? ` (runs ${openedAt.slice(0, 10).join(", ")})` : ""}`);
console.log(`  a read answered from the lease in it:    ${withRead}`);
