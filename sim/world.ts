// One seeded run's world: the clock and scheduler, random streams, the trace, the network,
// and a process with a disk per node. Faults are injected here and traced.
import { assert } from "../core/assert";
import { type CrashMode, Disk, DISK_PROFILES, type DiskProfile } from "./disk";
import { Network, NETWORK_PROFILES, type NetworkProfile } from "./network";
import { NodeProcess, type ProgramFactory } from "./process";
import { RngStreams } from "./rng";
import { Scheduler } from "./scheduler";
import { TraceLog, type TraceSink } from "./trace/log";
import { TRACE_FORMAT_VERSION, type NodeId, type TraceEvent } from "./trace/types";

export interface WorldConfig {
  seed: number;
  scenario: string;
  nodeIds: NodeId[];
  disk: DiskProfile;
  network: NetworkProfile;
  /** Serialized into the trace header. */
  config: unknown;
  traceSink?: TraceSink;
  keepTrace?: boolean;
}

export class World {
  readonly scheduler = new Scheduler();
  readonly streams: RngStreams;
  readonly trace: TraceLog;
  readonly network: Network;
  readonly processes = new Map<NodeId, NodeProcess>();
  /** processes by id, for the per-message liveness check (a Map lookup per delivery otherwise). */
  private readonly processById: (NodeProcess | undefined)[] = [];
  readonly nodeIds: NodeId[];

  constructor(
    readonly cfg: WorldConfig,
    factory: ProgramFactory,
  ) {
    this.streams = new RngStreams(cfg.seed);
    this.nodeIds = cfg.nodeIds.slice();
    this.trace = new TraceLog(
      { type: "header", formatVersion: TRACE_FORMAT_VERSION, seed: cfg.seed, scenario: cfg.scenario, config: cfg.config },
      cfg.traceSink,
      cfg.keepTrace ?? false,
    );
    this.network = new Network(cfg.network, this.streams.stream("network"), {
      nowUs: () => this.scheduler.nowUs,
      schedule: (delayUs, fn) => this.scheduler.post(delayUs, fn),
      trace: (e) => this.trace.record(e),
      endpointState: (id) => this.processById[id]?.status ?? "up",
      incarnation: (id) => this.processById[id]?.incarnation ?? 0,
      tracer: this.trace,
    });
    for (const id of this.nodeIds) this.addNode(id, factory);
  }

  /** Adds a node (initially down; call start). Used for membership changes too. */
  addNode(id: NodeId, factory: ProgramFactory, diskProfile: DiskProfile = this.cfg.disk): NodeProcess {
    assert(!this.processes.has(id), () => `node ${id} exists`);
    const disk = new Disk(diskProfile, this.streams.stream(`disk${id}`), {
      nowUs: () => this.scheduler.nowUs,
      schedule: (delayUs, fn) => this.scheduler.after(delayUs, fn),
      onFsyncStart: (file, bytes) => this.trace.fsyncStart(this.scheduler.nowUs, id, file, bytes),
      onFsyncEnd: (file, latencyUs, ok) => this.trace.fsyncEnd(this.scheduler.nowUs, id, file, latencyUs, ok),
      runDone: (done, ok) => {
        const proc = this.processById[id];
        // Up (every fsync but a paused node's): at once, with no closure made per fsync.
        if (!proc || proc.status === "up") done(ok);
        else proc.runWhenRunning(() => done(ok));
      },
    });
    const proc = new NodeProcess(id, disk, factory, {
      trueNowUs: () => this.scheduler.nowUs,
      scheduleTrue: (delayUs, fn) => this.scheduler.after(delayUs, fn),
      send: (from, to, msgType, payload, meta) => this.network.send(from, to, msgType, payload, meta),
      rng: (name) => this.streams.stream(name),
      trace: (e) => this.trace.record(e),
      tracer: this.trace,
    });
    this.processes.set(id, proc);
    while (this.processById.length <= id) this.processById.push(undefined);
    this.processById[id] = proc;
    this.network.register(id, (from, msgType, payload) => proc.deliver(from, msgType, payload));
    if (!this.nodeIds.includes(id)) this.nodeIds.push(id);
    return proc;
  }

  get nowUs(): number {
    return this.scheduler.nowUs;
  }

  record(event: TraceEvent): void {
    this.trace.record(event);
  }

  node(id: NodeId): NodeProcess {
    const p = this.processes.get(id);
    assert(p, () => `no node ${id}`);
    return p;
  }

  startAll(): void {
    for (const id of this.nodeIds) this.node(id).start();
  }

  private fault(fault: string, nodes: NodeId[], detail?: string, untilUs?: number): void {
    this.record({ tUs: this.nowUs, type: "fault", fault, nodes, ...(detail !== undefined ? { detail } : {}), ...(untilUs !== undefined ? { untilUs } : {}) });
  }

  // Process faults ----------------------------------------------------------------------
  crash(id: NodeId, mode: CrashMode = "drop-unsynced"): void {
    if (this.node(id).status === "down") return;
    this.fault("crash", [id], mode);
    this.node(id).crash(mode);
  }

  /** Starts a crashed process again; one that never ran is not the fault plan's to start. */
  restart(id: NodeId): void {
    const p = this.node(id);
    if (p.status !== "down" || p.starts === 0) return;
    this.fault("restart", [id]);
    p.restarts++;
    p.start();
  }

  pause(id: NodeId): void {
    if (this.node(id).status !== "up") return;
    this.fault("pause", [id]);
    this.node(id).pause();
  }

  resume(id: NodeId): void {
    if (this.node(id).status !== "paused") return;
    this.fault("resume", [id]);
    this.node(id).resume();
  }

  clockJump(id: NodeId, deltaUs: number): void {
    this.fault("clock-jump", [id], `${deltaUs}us`);
    this.node(id).jumpClock(deltaUs);
  }

  clockDrift(id: NodeId, ppm: number): void {
    this.fault("clock-drift", [id], `${ppm}ppm`);
    this.node(id).setDrift(ppm);
  }

  /**
   * Skew aimed at a lease (thesis §6.4.1): every clock runs `ppm` fast and `slow`'s `ppm`
   * slow for durationUs, then each runs at the drift it had before.
   */
  clockSkew(slow: NodeId, ppm: number, durationUs: number): void {
    const before = this.allEndpoints().map((id) => [id, this.node(id).driftPpmNow()] as const);
    for (const [id] of before) this.clockDrift(id, id === slow ? -ppm : ppm);
    this.scheduler.after(durationUs, () => {
      for (const [id, was] of before) this.clockDrift(id, was);
    });
  }

  // Network faults ----------------------------------------------------------------------
  partition(groups: NodeId[][]): void {
    this.fault("partition", groups.flat(), groups.map((g) => g.join(",")).join(" | "));
    this.network.partition(groups);
  }

  isolate(id: NodeId): void {
    this.fault("isolate", [id]);
    // From the other members only, as Jepsen's partitions are: clients still reach it, so a
    // deposed leader that does not know it yet keeps getting requests.
    this.network.isolate(id, this.allEndpoints());
  }

  cutOneWay(from: NodeId, to: NodeId): void {
    this.fault("cut-one-way", [from, to], `${from}->${to}`);
    this.network.cutOneWay(from, to);
  }

  clog(a: NodeId, b: NodeId, durationUs: number): void {
    this.fault("clog", [a, b], undefined, this.nowUs + durationUs);
    this.network.clog(a, b, this.nowUs + durationUs);
  }

  heal(): void {
    this.fault("heal", []);
    this.network.heal();
  }

  /**
   * The fault plan is over (the final heal): triggers it armed, such as a crash-after step's,
   * stop firing, so recovery is judged on a cluster nothing injects faults into any more.
   */
  faultsEnded = false;

  /** Sets loss / duplication / reordering on every link from now on. */
  setLinkFaults(loss: number, duplicate: number, reorder: number, reorderDelayMaxUs = 5_000): void {
    this.fault("link-faults", [], `loss=${loss} dup=${duplicate} reorder=${reorder}`);
    Object.assign(this.network.profile, { lossProbability: loss, duplicateProbability: duplicate, reorderProbability: reorder, reorderDelayMaxUs });
  }

  // Disk faults -------------------------------------------------------------------------
  slowFsync(id: NodeId, factor: number, addUs: number, durationUs: number): void {
    this.fault("slow-fsync", [id], `x${factor}+${addUs}us`, this.nowUs + durationUs);
    this.node(id).disk.slowFsync(factor, addUs, this.nowUs + durationUs);
  }

  stallDisk(id: NodeId): void {
    this.fault("disk-stall", [id]);
    this.node(id).disk.stall();
  }

  releaseDisk(id: NodeId): void {
    this.fault("disk-release", [id]);
    this.node(id).disk.release();
  }

  /** Injected fsync errors that no fsync has hit yet are dropped (part of healing). */
  clearFsyncErrors(id: NodeId): void {
    this.fault("fsync-error-clear", [id]);
    this.node(id).disk.clearFsyncErrors();
  }

  failFsyncs(id: NodeId, count: number): void {
    this.fault("fsync-error", [id], `next ${count}`);
    this.node(id).disk.failFsyncs(count);
  }

  /** Every endpoint that is a node (clients are registered separately by the cluster). */
  allEndpoints(): NodeId[] {
    return [...this.processes.keys()].sort((a, b) => a - b);
  }
}

export function diskProfile(name: string): DiskProfile {
  const p = DISK_PROFILES[name];
  assert(p, () => `unknown disk profile ${name}`);
  return p;
}

export function networkProfile(name: string): NetworkProfile {
  const p = NETWORK_PROFILES[name];
  assert(p, () => `unknown network profile ${name}`);
  return p;
}
