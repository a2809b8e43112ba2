// Runs etcd's published one-client benchmark rows on the simulated cluster: 3 members,
// the given disk and network profiles, one closed-loop client (the next request leaves the
// moment the previous answer arrives, as etcd's `benchmark --clients=1` does) talking to
// the leader. Each row is its own world with the same seed; the trace gives each
// request's critical path (phases.ts).
import { worldClientTransport } from "../../sim/client_transport";
import { ClientSession } from "../../core/client/session";
import { MSG_CLIENT_RESPONSE, type ClientResponseMsg } from "../../core/client/protocol";
import { NO_BUGS } from "../../core/canary";
import type { EtcdRequest } from "../../core/server/api";
import { buildSystem } from "../../scenarios/run";
import { currentLeader } from "../../scenarios/faults";
import { DEFAULT_CLUSTER, DEFAULT_WORKLOAD, type Scenario } from "../../scenarios/types";
import { DISK_PROFILES } from "../../sim/disk";
import { WAL_FILE } from "../../sim/host/wal";
import { NETWORK_PROFILES } from "../../sim/network";
import { diskProfile, networkProfile, World } from "../../sim/world";
import { cdfPoints, mean, round, summarize, type LatencySummary } from "../stats";
import { overlappedLeaderFsyncUs, PHASE_KEYS, PhaseTracker, type PhaseKey } from "./phases";
import { PUBLISHED_ROWS, type BenchmarkRowName, type PublishedRow } from "./published";

export const BENCHMARK_CLIENT_ID = 100;
const NODES = 3;
/** Give up on a row if a request takes this long (a stuck cluster is a bug, not a figure). */
const REQUEST_TIMEOUT_US = 5_000_000;

export interface BenchmarkOptions {
  seed: number;
  /** Requests per row (the published rows used 10,000). */
  requests: number;
  disk?: string;
  network?: string;
  onRow?: (done: number, total: number, row: BenchmarkRowName) => void;
}

/** Mean of each phase over the row's requests (ms); they add up to meanMs. */
export type PhaseMeansMs = Record<PhaseKey, number> & { leaderFsyncMs: number; followerFsyncMs: number };

export interface BenchmarkRowResult {
  name: BenchmarkRowName;
  published: PublishedRow;
  requests: number;
  leader: number;
  latencyMs: LatencySummary;
  /** Closed loop with no client-side gap: requests / simulated seconds of the row. */
  reqPerSec: number;
  phasesMs: PhaseMeansMs;
  /** Mean latency had the leader overlapped its fsync with replication (puts only). */
  overlappedMeanMs: number | null;
  /** Fraction of requests whose path had a replication round (append or heartbeat). */
  roundFraction: number;
  /** WAL fsyncs on the leader per request: 1 = no batching (one client cannot batch). */
  leaderWalFsyncsPerRequest: number;
  /** Backend (bbolt-image) commits on the leader per request. */
  backendFsyncsPerRequest: number;
  /** Every WAL fsync during the row, all members (ms). */
  walFsyncMs: LatencySummary;
  /** One-way message delays during the row (ms): client↔server and member↔member. */
  clientOneWayMs: LatencySummary;
  peerOneWayMs: LatencySummary;
  cdf: [number, number][];
}

export interface BenchmarkResult {
  seed: number;
  nodes: number;
  disk: { name: string; source: string; fsyncMedianMs: number; fsyncP99Ms: number };
  network: { name: string; baseMs: number; jitterMedianMs: number; jitterP99Ms: number; latencyMaxMs: number };
  requestsPerRow: number;
  rows: BenchmarkRowResult[];
}

export function validateBenchmarkOptions(o: Pick<BenchmarkOptions, "requests" | "disk" | "network">): string | undefined {
  if (!(Number.isInteger(o.requests) && o.requests >= 10 && o.requests <= 100_000)) return `--requests must be an integer between 10 and 100000, got ${o.requests}`;
  if (o.disk !== undefined && !DISK_PROFILES[o.disk]) return `unknown disk profile '${o.disk}' (expected: ${Object.keys(DISK_PROFILES).join(", ")})`;
  if (o.network !== undefined && !NETWORK_PROFILES[o.network]) return `unknown network profile '${o.network}' (expected: ${Object.keys(NETWORK_PROFILES).join(", ")})`;
  return undefined;
}

export function runBenchmark(o: BenchmarkOptions): BenchmarkResult {
  const disk = o.disk ?? "ssd";
  const network = o.network ?? "lan";
  const rows = PUBLISHED_ROWS.map((row, i) => {
    const r = runRow(row, o.seed, o.requests, disk, network);
    o.onRow?.(i + 1, PUBLISHED_ROWS.length, row.name);
    return r;
  });
  const d = DISK_PROFILES[disk]!;
  const n = NETWORK_PROFILES[network]!;
  return {
    seed: o.seed,
    nodes: NODES,
    disk: { name: disk, source: d.source, fsyncMedianMs: d.fsyncMedianUs / 1_000, fsyncP99Ms: d.fsyncP99Us / 1_000 },
    network: { name: network, baseMs: n.baseUs / 1_000, jitterMedianMs: n.jitterMedianUs / 1_000, jitterP99Ms: n.jitterP99Us / 1_000, latencyMaxMs: n.latencyMaxUs / 1_000 },
    requestsPerRow: o.requests,
    rows,
  };
}

function benchmarkScenario(row: PublishedRow, disk: string, network: string): Scenario {
  return {
    name: `benchmark-${row.name}`,
    description: row.title,
    cluster: { ...DEFAULT_CLUSTER, nodes: NODES, disk, network },
    workload: { ...DEFAULT_WORKLOAD, kind: "none", clients: 0, watchers: 0 },
    faults: [],
    durationMs: 0,
    checks: [],
  };
}

/** The key the read rows read (written once before the measured requests), and the put keys. */
const READ_KEY = "YOUR_KEY";
const putKey = (i: number, keyBytes: number) => String(i).padStart(keyBytes, "0");

function runRow(row: PublishedRow, seed: number, requests: number, disk: string, network: string): BenchmarkRowResult {
  const scenario = benchmarkScenario(row, disk, network);
  const nodeIds = Array.from({ length: NODES }, (_, i) => i + 1);
  const system = buildSystem(scenario, nodeIds, NO_BUGS);
  const world = new World(
    { seed, scenario: scenario.name, nodeIds, disk: diskProfile(disk), network: networkProfile(network), config: { scenario }, keepTrace: false },
    (ctx) => system.factory(ctx.id)(ctx),
  );
  system.attach(world);
  world.startAll();

  // Wait for a leader (etcd's benchmark starts against a running cluster).
  const electionDeadlineUs = 30_000_000;
  let leader: number | undefined;
  while ((leader = currentLeader(world, system)) === undefined) {
    if (world.nowUs > electionDeadlineUs) throw new Error(`benchmark ${row.name}: no leader after ${electionDeadlineUs / 1e6} s (seed ${seed})`);
    world.scheduler.runUntil(world.nowUs + 10_000);
  }

  const session = new ClientSession(
    BENCHMARK_CLIENT_ID,
    [leader],
    worldClientTransport(world, BENCHMARK_CLIENT_ID),
    REQUEST_TIMEOUT_US,
    world.streams.stream("benchmark-client"),
  );
  world.network.register(BENCHMARK_CLIENT_ID, (from, msgType, payload) => {
    if (msgType === MSG_CLIENT_RESPONSE) session.onResponse(from, payload as ClientResponseMsg);
  });

  const value = "v".repeat(row.valueBytes);
  const request = (i: number): EtcdRequest =>
    row.op === "put" ? { type: "put", key: putKey(i, row.keyBytes), value } : { type: "range", key: READ_KEY, ...(row.op === "range-serializable" ? { serializable: true } : {}) };

  // Setup (not measured): the read rows' key exists, and the leader has applied an entry of its term.
  let failure: string | undefined;
  let setupDone = false;
  session.request({ type: "put", key: READ_KEY, value }, (outcome) => {
    if (outcome.status !== "ok") failure = `setup put: ${outcome.status}`;
    setupDone = true;
  });
  while (!setupDone && failure === undefined) world.scheduler.runUntil(world.nowUs + 10_000);
  if (failure) throw new Error(`benchmark ${row.name}: ${failure} (seed ${seed})`);

  const tracker = new PhaseTracker(BENCHMARK_CLIENT_ID, leader);
  const walFsyncUs: number[] = [];
  const clientOneWayUs: number[] = [];
  const peerOneWayUs: number[] = [];
  let leaderWalFsyncs = 0;
  let leaderBackendFsyncs = 0;
  world.trace.observe((e) => {
    tracker.observe(e);
    if (e.type === "fsync-end") {
      if (e.file === WAL_FILE) {
        walFsyncUs.push(e.latencyUs);
        if (e.node === leader) leaderWalFsyncs++;
      } else if (e.node === leader) leaderBackendFsyncs++;
    } else if (e.type === "deliver") {
      (e.from === BENCHMARK_CLIENT_ID || e.to === BENCHMARK_CLIENT_ID ? clientOneWayUs : peerOneWayUs).push(e.tUs - e.sentUs);
    }
  });

  const latenciesUs: number[] = [];
  const overlappedUs: number[] = [];
  const startUs = world.nowUs;
  let lastReturnUs = startUs;
  let done = 0;
  const next = () => {
    if (done >= requests || failure) return;
    tracker.begin(world.nowUs);
    const callUs = world.nowUs;
    session.request(request(done), (outcome) => {
      if (outcome.status !== "ok") {
        failure = `request ${done + 1}: ${outcome.status}${outcome.status === "unknown" ? ` (${outcome.reason})` : ""}`;
        return;
      }
      const p = tracker.end(world.nowUs);
      latenciesUs.push(world.nowUs - callUs);
      lastReturnUs = world.nowUs;
      overlappedUs.push(overlappedLeaderFsyncUs(p));
      done++;
      next();
    });
  };
  next();
  while (done < requests && failure === undefined) world.scheduler.runUntil(world.nowUs + 100_000);
  if (failure) throw new Error(`benchmark ${row.name}: ${failure} (seed ${seed})`);

  const ms = (values: number[]) => {
    const s = summarize(values.map((us) => us / 1_000));
    return { p50: round(s.p50), p90: round(s.p90), p99: round(s.p99), p999: round(s.p999), max: round(s.max), mean: round(s.mean), count: s.count };
  };
  const phaseMean = (k: PhaseKey | "leaderFsyncUs" | "followerFsyncUs") => round(mean(tracker.requests.map((p) => p[k])) / 1_000, 4);
  const phasesMs = Object.fromEntries(PHASE_KEYS.map((k) => [k, phaseMean(k)])) as PhaseMeansMs;
  phasesMs.leaderFsyncMs = phaseMean("leaderFsyncUs");
  phasesMs.followerFsyncMs = phaseMean("followerFsyncUs");
  return {
    name: row.name,
    published: row,
    requests,
    leader,
    latencyMs: ms(latenciesUs),
    reqPerSec: round(requests / ((lastReturnUs - startUs) / 1e6), 1),
    phasesMs,
    overlappedMeanMs: row.op === "put" ? round(mean(overlappedUs) / 1_000) : null,
    roundFraction: round(tracker.requests.filter((p) => p.round).length / tracker.requests.length, 4),
    leaderWalFsyncsPerRequest: round(leaderWalFsyncs / requests, 3),
    backendFsyncsPerRequest: round(leaderBackendFsyncs / requests, 4),
    walFsyncMs: ms(walFsyncUs),
    clientOneWayMs: ms(clientOneWayUs),
    peerOneWayMs: ms(peerOneWayUs),
    cdf: cdfPoints(latenciesUs.map((us) => us / 1_000), 300).map(([x, y]) => [round(x), round(y, 5)]),
  };
}
