// A node's process: the program running on it can be crashed (memory and unsynced disk
// writes lost), restarted (a fresh program rebuilds from disk), paused (receives nothing,
// fires no timers) and resumed (wakes with stale beliefs). Each process reads its own
// clock, which may be offset from and drift against true virtual time.
import { assert } from "../core/assert";
import type { CrashMode, Disk } from "./disk";
import type { SendMeta } from "./network";
import type { Rng } from "./rng";
import type { TraceLog } from "./trace/log";
import type { NodeId, TraceEvent } from "./trace/types";

export interface TimerHandle {
  cancelled: boolean;
}

/** What a program running on a node can use. Everything else is out of its reach. */
export interface NodeContext {
  readonly id: NodeId;
  /** The node's local clock (µs): true time with this node's offset and drift. */
  nowUs(): number;
  /** This node's monotonic clock: drift applied, wall-clock jumps not (what timers run on). */
  monotonicUs(): number;
  /** Runs fn after delayUs of *local* time (drift stretches or shrinks it). */
  setTimer(delayUs: number, fn: () => void): TimerHandle;
  cancelTimer(handle: TimerHandle | undefined): void;
  send(to: NodeId, msgType: string, payload: unknown, meta?: SendMeta): void;
  readonly disk: Disk;
  /** A named random stream private to this node. */
  rng(name: string): Rng;
  trace(event: TraceEvent): void;
  /** trace() of a commit / apply record of this node, without building it (hot: once per Ready). */
  traceCommit(tUs: number, index: number, term: number): void;
  traceApply(tUs: number, index: number, revision?: number): void;
  /** The process stops itself (e.g. fail fast on an fsync error). */
  fail(reason: string): void;
}

export interface NodeProgram {
  onMessage(from: NodeId, msgType: string, payload: unknown): void;
  /**
   * Called when the process is resumed after a pause (optional), before any timer that came
   * due in it fires; how long it lasted is the program's to read off NodeContext.monotonicUs.
   */
  onResume?(): void;
}

export type ProgramFactory = (ctx: NodeContext) => NodeProgram;

export type ProcessStatus = "up" | "down" | "paused";

export interface ProcessHooks {
  trueNowUs(): number;
  scheduleTrue(delayUs: number, fn: () => void): TimerHandle;
  send(from: NodeId, to: NodeId, msgType: string, payload: unknown, meta?: SendMeta): void;
  rng(name: string): Rng;
  trace(event: TraceEvent): void;
  /** Typed entry points of the trace for commit/apply records (see TraceLog). */
  tracer: Pick<TraceLog, "commit" | "apply">;
}

/** A timer of a node's program, until it fires or is cancelled. */
interface PendingTimer extends TimerHandle {
  /** When it is due on the node's monotonic clock (µs). */
  readonly deadlineMonoUs: number;
  /** Bumped each time it is scheduled: only the latest scheduling fires it. */
  generation: number;
  readonly fire: () => void;
}

export class NodeProcess {
  status: ProcessStatus = "down";
  program: NodeProgram | undefined;
  /** Bumped on every crash: timers of an older incarnation never fire. */
  incarnation = 0;
  private clockOffsetUs = 0;
  private driftPpm = 0;
  private driftSinceTrueUs = 0;
  private driftBaseOffsetUs = 0;
  /** Timers that came due while paused, fired in order on resume. */
  private deferred: (() => void)[] = [];
  /**
   * Timers not yet come due, each with its deadline on the monotonic clock: a drift change
   * moves them (setDrift), as a real node's timers run on its own clock. Without that a
   * timer set before the aimed clock skew ran its whole period at the old rate, a tick's
   * worth of skew the adversary never applied.
   */
  private readonly pending = new Set<PendingTimer>();
  restarts = 0;
  /** Times this process was started (0: never run, like a member whose `member add` failed). */
  starts = 0;

  constructor(
    readonly id: NodeId,
    readonly disk: Disk,
    private readonly factory: ProgramFactory,
    private readonly hooks: ProcessHooks,
  ) {}

  monotonicNowUs(): number {
    const t = this.hooks.trueNowUs();
    return Math.round(t + this.driftBaseOffsetUs + ((t - this.driftSinceTrueUs) * this.driftPpm) / 1e6);
  }

  localNowUs(): number {
    const t = this.hooks.trueNowUs();
    return Math.round(t + this.driftBaseOffsetUs + this.clockOffsetUs + ((t - this.driftSinceTrueUs) * this.driftPpm) / 1e6);
  }

  /** Jumps this node's clock by deltaUs (positive = ahead). */
  jumpClock(deltaUs: number): void {
    this.clockOffsetUs += deltaUs;
  }

  /** How much faster than true time this node's clock runs now, in ppm (setDrift). */
  driftPpmNow(): number {
    return this.driftPpm;
  }

  /** From now on this node's clock runs (1 + ppm/1e6) times as fast as true time. */
  setDrift(ppm: number): void {
    assert(ppm > -1e6 && ppm < 1e6, () => `drift out of range: ${ppm} ppm`);
    const t = this.hooks.trueNowUs();
    this.driftBaseOffsetUs += ((t - this.driftSinceTrueUs) * this.driftPpm) / 1e6;
    this.driftSinceTrueUs = t;
    this.driftPpm = ppm;
    if (this.pending.size === 0) return;
    const nowMonoUs = this.monotonicNowUs();
    for (const timer of this.pending) this.arm(timer, timer.deadlineMonoUs - nowMonoUs);
  }

  /** Schedules `timer` to fire after localDelayUs of this node's clock at its drift now. */
  private arm(timer: PendingTimer, localDelayUs: number): void {
    const generation = ++timer.generation;
    const trueDelayUs = Math.max(0, Math.round(localDelayUs / (1 + this.driftPpm / 1e6)));
    this.hooks.scheduleTrue(trueDelayUs, () => {
      if (timer.generation !== generation) return; // moved by a drift change since
      this.pending.delete(timer);
      timer.fire();
    });
  }

  get clockSkewUs(): number {
    return this.localNowUs() - this.hooks.trueNowUs();
  }

  start(): void {
    assert(this.status === "down", () => `node ${this.id} started while ${this.status}`);
    this.status = "up";
    this.starts++;
    this.deferred = [];
    this.program = this.factory(this.context(this.incarnation));
  }

  crash(mode: CrashMode = "drop-unsynced"): void {
    if (this.status === "down") return;
    this.disk.crash(mode);
    this.status = "down";
    this.incarnation++;
    this.program = undefined;
    this.deferred = [];
    this.pending.clear(); // their incarnation is gone: none would fire
  }

  pause(): void {
    if (this.status !== "up") return;
    this.status = "paused";
  }

  resume(): void {
    if (this.status !== "paused") return;
    this.status = "up";
    const due = this.deferred;
    this.deferred = [];
    const inc = this.incarnation;
    // The program hears of the resume before any timer that came due runs: one of those may
    // act on beliefs the lost time has voided (a leader's lease, say).
    this.program?.onResume?.();
    for (const fn of due) if (this.incarnation === inc && this.status === "up") fn();
  }

  /**
   * Runs fn for the program now if the process is up, on resume (in order with the timers
   * that came due) if it is paused, and never once it has crashed: a finished fsync's
   * callback, say, which a stopped process cannot act on until it runs again.
   */
  runWhenRunning(fn: () => void): void {
    if (this.status === "up") fn();
    else if (this.status === "paused") {
      const inc = this.incarnation;
      this.deferred.push(() => {
        if (this.incarnation === inc) fn();
      });
    }
  }

  deliver(from: NodeId, msgType: string, payload: unknown): void {
    if (this.status !== "up" || !this.program) return;
    this.program.onMessage(from, msgType, payload);
  }

  private context(incarnation: number): NodeContext {
    const alive = () => this.incarnation === incarnation;
    const ctx: NodeContext = {
      id: this.id,
      nowUs: () => this.localNowUs(),
      monotonicUs: () => this.monotonicNowUs(),
      setTimer: (delayUs, fn) => {
        const timer: PendingTimer = {
          cancelled: false,
          generation: 0,
          deadlineMonoUs: this.monotonicNowUs() + delayUs,
          fire: () => {
            if (timer.cancelled || !alive()) return;
            if (this.status === "paused") this.deferred.push(() => !timer.cancelled && fn());
            else if (this.status === "up") fn();
          },
        };
        this.pending.add(timer);
        this.arm(timer, delayUs);
        return timer;
      },
      cancelTimer: (handle) => {
        if (!handle) return;
        handle.cancelled = true;
        this.pending.delete(handle as PendingTimer);
      },
      send: (to, msgType, payload, meta) => {
        if (alive() && this.status === "up") this.hooks.send(this.id, to, msgType, payload, meta);
      },
      disk: this.disk,
      rng: (name) => this.hooks.rng(`node${this.id}:${name}`),
      trace: (event) => {
        if (alive()) this.hooks.trace(event);
      },
      traceCommit: (tUs, index, term) => {
        if (alive()) this.hooks.tracer.commit(tUs, this.id, index, term);
      },
      traceApply: (tUs, index, revision) => {
        if (alive()) this.hooks.tracer.apply(tUs, this.id, index, revision);
      },
      fail: (reason) => {
        if (!alive()) return;
        this.hooks.trace({ tUs: this.hooks.trueNowUs(), type: "fault", fault: "fail-stop", nodes: [this.id], detail: reason });
        this.crash();
      },
    };
    return ctx;
  }
}
