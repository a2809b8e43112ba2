// A node's disk: files with durable bytes and pending (unsynced) writes. fsync completes
// after a latency drawn from the disk profile, one fsync at a time per disk, so queueing
// shows up under load. A crash drops unsynced writes, or tears the first one.
import { assert } from "../core/assert";
import type { Rng } from "./rng";

export interface DiskProfile {
  name: string;
  /** fsync latency is lognormal with this median and p99 (µs)... */
  fsyncMedianUs: number;
  fsyncP99Us: number;
  /** ...floored here... */
  fsyncMinUs: number;
  /** ...plus, with this probability, a rare tail drawn uniformly from [tailMinUs, tailMaxUs]. */
  tailProbability: number;
  tailMinUs: number;
  tailMaxUs: number;
  /** Where the numbers come from. */
  source: string;
}

export const DISK_PROFILES: Record<string, DiskProfile> = {
  nvme: {
    name: "nvme", fsyncMedianUs: 50, fsyncP99Us: 150, fsyncMinUs: 20, tailProbability: 0, tailMinUs: 0, tailMaxUs: 0,
    source: "datacenter NVMe with power-loss protection: fdatasync ~0.02–0.15 ms",
  },
  ssd: {
    name: "ssd", fsyncMedianUs: 800, fsyncP99Us: 2_500, fsyncMinUs: 100, tailProbability: 0.001, tailMinUs: 10_000, tailMaxUs: 16_000,
    source: "SATA SSD fdatasync: median ~0.8 ms, p99 ~2.5 ms, rare 10–16 ms stalls (etcd's disk guidance: WAL fsync p99 should stay under 10 ms)",
  },
  hdd: {
    name: "hdd", fsyncMedianUs: 12_000, fsyncP99Us: 20_000, fsyncMinUs: 8_000, tailProbability: 0, tailMinUs: 0, tailMaxUs: 0,
    source: "7200 rpm disk: a flush costs a seek plus rotation, ~8–20 ms",
  },
};

export function drawFsyncLatencyUs(profile: DiskProfile, rng: Rng): number {
  if (profile.tailProbability > 0 && rng.chance(profile.tailProbability)) {
    return Math.round(rng.uniform(profile.tailMinUs, profile.tailMaxUs));
  }
  return Math.max(profile.fsyncMinUs, Math.round(rng.lognormal(profile.fsyncMedianUs, profile.fsyncP99Us)));
}

/**
 * An unsynced write. Appends made while every pending write is an in-arena append are
 * copied straight into the file's arena after the durable bytes (`bytes` undefined, the
 * bytes are arena[start, start + len)); any other write keeps its own copy in `bytes`.
 */
interface PendingWrite {
  mode: "append" | "replace";
  start: number;
  len: number;
  bytes: Uint8Array | undefined;
}

/**
 * One file: the arena holds the durable bytes [0, durableLen), then the in-arena pending
 * appends up to arenaEnd. Appends, the common case (WAL records), allocate nothing.
 */
interface DiskFile {
  arena: Uint8Array;
  durableLen: number;
  arenaEnd: number;
  pending: PendingWrite[];
  /** Pending writes that hold their own bytes (a replace, or an append queued behind one). */
  ownPending: number;
}

export interface DiskHooks {
  nowUs(): number;
  schedule(delayUs: number, fn: () => void): { cancelled: boolean };
  onFsyncStart?(file: string, bytes: number): void;
  onFsyncEnd?(file: string, latencyUs: number, ok: boolean): void;
  /**
   * Hands the program a finished fsync's callback: at once, or, for a paused process, when
   * it resumes (the device finishes the flush; the stopped process cannot notice).
   */
  runDone?(done: (ok: boolean) => void, ok: boolean): void;
}

interface FsyncRequest {
  file: string;
  /** How many pending writes existed when fsync was called: those become durable. */
  writesCovered: number;
  done: (ok: boolean) => void;
}

export type CrashMode = "drop-unsynced" | "tear-last";

export class Disk {
  private readonly files = new Map<string, DiskFile>();
  private readonly queue: FsyncRequest[] = [];
  private inService: { request: FsyncRequest; handle: { cancelled: boolean } } | undefined;
  /** Faults. */
  private slowFactor = 1;
  private slowAddUs = 0;
  private slowUntilUs = 0;
  private stalled = false;
  private heldCompletion: (() => void) | undefined;
  private fsyncErrorsPending = 0;
  fsyncCount = 0;
  fsyncLatencyTotalUs = 0;
  readonly fsyncLatenciesUs: number[] = [];

  constructor(
    readonly profile: DiskProfile,
    private readonly rng: Rng,
    private readonly hooks: DiskHooks,
  ) {}

  private file(name: string): DiskFile {
    // A process writes one file over and over (the WAL): remember the last one looked up.
    if (name === this.lastName && this.lastFile !== undefined) return this.lastFile;
    let f = this.files.get(name);
    if (!f) {
      f = { arena: new Uint8Array(1_024), durableLen: 0, arenaEnd: 0, pending: [], ownPending: 0 };
      this.files.set(name, f);
    }
    this.lastName = name;
    this.lastFile = f;
    return f;
  }
  private lastName = "";
  private lastFile: DiskFile | undefined;

  /**
   * A file that is already durable before the process first starts: a data directory
   * prepared offline (e.g. restored from a snapshot). Not for use by a running program.
   */
  preload(name: string, bytes: Uint8Array): void {
    const f = this.file(name);
    f.arena = bytes.byteLength > 0 ? bytes.slice() : new Uint8Array(1_024);
    f.durableLen = bytes.byteLength;
    f.arenaEnd = bytes.byteLength;
    f.pending = [];
    f.ownPending = 0;
  }

  /**
   * Buffered write of bytes[0, len): visible to read() at once, durable only after fsync.
   * (len lets a caller hand over the used part of a larger buffer without a subarray.)
   */
  write(name: string, bytes: Uint8Array, mode: "append" | "replace" = "append", len = bytes.length): void {
    assert(len >= 0 && len <= bytes.length, () => `write of ${len} bytes from a buffer of ${bytes.length}`);
    const f = this.file(name);
    if (mode === "append" && f.ownPending === 0) {
      const start = f.arenaEnd;
      reserve(f, start + len);
      f.arena.set(len === bytes.length ? bytes : bytes.subarray(0, len), start);
      f.arenaEnd = start + len;
      f.pending.push({ mode, start, len, bytes: undefined });
    } else {
      f.ownPending++;
      f.pending.push({ mode, start: 0, len, bytes: bytes.slice(0, len) });
    }
  }

  /** What the running process sees: durable bytes with its pending writes applied. */
  read(name: string): Uint8Array {
    const f = this.files.get(name);
    if (!f) return new Uint8Array(0);
    let chunks: Uint8Array[] = [f.arena.subarray(0, f.arenaEnd)];
    for (const w of f.pending) {
      if (w.bytes === undefined) continue; // already inside arena[0, arenaEnd)
      chunks = w.mode === "replace" ? [w.bytes] : [...chunks, w.bytes];
    }
    return concat(chunks);
  }

  /** Only what survived: what a crash would leave. */
  readDurable(name: string): Uint8Array {
    const f = this.files.get(name);
    return f ? f.arena.slice(0, f.durableLen) : new Uint8Array(0);
  }

  exists(name: string): boolean {
    const f = this.files.get(name);
    return f !== undefined && (f.durableLen > 0 || f.pending.length > 0);
  }

  /** Files in name order (deterministic). */
  list(): string[] {
    return [...this.files.keys()].sort();
  }

  unsyncedWrites(name: string): number {
    return this.files.get(name)?.pending.length ?? 0;
  }

  /** Makes the file's writes so far durable after a profile latency; calls done(ok). */
  fsync(name: string, done: (ok: boolean) => void): void {
    this.queue.push({ file: name, writesCovered: this.file(name).pending.length, done });
    this.serviceNext();
  }

  private serviceNext(): void {
    if (this.inService || this.stalled || this.queue.length === 0) return;
    const request = this.queue.shift()!;
    const f = this.file(request.file);
    let bytes = 0;
    for (let i = 0; i < request.writesCovered; i++) bytes += f.pending[i]!.len;
    let latencyUs = drawFsyncLatencyUs(this.profile, this.rng);
    if (this.hooks.nowUs() < this.slowUntilUs) latencyUs = Math.round(latencyUs * this.slowFactor + this.slowAddUs);
    this.hooks.onFsyncStart?.(request.file, bytes);
    const handle = this.hooks.schedule(latencyUs, () => this.complete(request, latencyUs));
    this.inService = { request, handle };
  }

  private complete(request: FsyncRequest, latencyUs: number): void {
    if (this.stalled) {
      // A stalled device completes nothing, not even the flush already under way.
      this.heldCompletion = () => this.complete(request, latencyUs);
      return;
    }
    this.inService = undefined;
    const ok = this.fsyncErrorsPending === 0;
    if (!ok) this.fsyncErrorsPending--;
    if (ok) {
      const f = this.file(request.file);
      const n = request.writesCovered;
      for (let i = 0; i < n; i++) applyDurable(f, f.pending[i]!, f.pending[i]!.len);
      // Usually every pending write was covered: drop them without a spliced copy.
      if (n === f.pending.length) f.pending.length = 0;
      else f.pending.splice(0, n);
      // Later fsyncs queued for this file covered writes by count: shift them down.
      for (const q of this.queue) if (q.file === request.file) q.writesCovered = Math.max(0, q.writesCovered - n);
    }
    this.fsyncCount++;
    this.fsyncLatencyTotalUs += latencyUs;
    if (this.fsyncLatenciesUs.length < 1_000_000) this.fsyncLatenciesUs.push(latencyUs);
    this.hooks.onFsyncEnd?.(request.file, latencyUs, ok);
    if (this.hooks.runDone) this.hooks.runDone(request.done, ok);
    else request.done(ok);
    this.serviceNext();
  }

  /**
   * The process died: queued fsyncs never complete, unsynced writes are lost. With
   * "tear-last", the first unsynced append of each file lands partially (a torn write).
   */
  crash(mode: CrashMode): void {
    if (this.inService) this.inService.handle.cancelled = true;
    this.inService = undefined;
    this.heldCompletion = undefined;
    this.queue.length = 0;
    for (const name of this.list()) {
      const f = this.files.get(name)!;
      const first = f.pending[0];
      if (mode === "tear-last" && first && first.mode === "append" && first.len > 1) {
        applyDurable(f, first, this.rng.int(1, first.len));
      }
      f.pending = [];
      f.ownPending = 0;
      f.arenaEnd = f.durableLen;
    }
  }

  // Faults --------------------------------------------------------------------------

  /** fsyncs starting before untilUs take latency × factor + addUs. */
  slowFsync(factor: number, addUs: number, untilUs: number): void {
    assert(factor >= 1 && addUs >= 0, "slow fsync must slow down");
    this.slowFactor = factor;
    this.slowAddUs = addUs;
    this.slowUntilUs = untilUs;
  }

  /** No fsync completes until release(). */
  stall(): void {
    this.stalled = true;
  }

  release(): void {
    this.stalled = false;
    const held = this.heldCompletion;
    this.heldCompletion = undefined;
    if (held) held();
    else this.serviceNext();
  }

  /** Fsync errors injected but not yet hit are dropped (the fault ends). */
  clearFsyncErrors(): void {
    this.fsyncErrorsPending = 0;
  }

  /** The next `count` fsyncs fail. */
  failFsyncs(count: number): void {
    this.fsyncErrorsPending += count;
  }
}

/** Grows the arena (doubling) to hold n bytes, keeping what it holds. */
function reserve(f: DiskFile, n: number): void {
  if (n <= f.arena.length) return;
  let cap = f.arena.length * 2;
  while (cap < n) cap *= 2;
  const a = new Uint8Array(cap);
  a.set(f.arena.subarray(0, f.arenaEnd));
  f.arena = a;
}

/**
 * The first `len` bytes of pending write w become durable (all of it at fsync; a prefix
 * when a crash tears it). Pending writes become durable in order, so an in-arena append
 * always starts exactly at durableLen, and when a write with its own bytes becomes
 * durable no in-arena append is left before it.
 */
function applyDurable(f: DiskFile, w: PendingWrite, len: number): void {
  if (w.bytes === undefined) {
    assert(w.start === f.durableLen, () => `in-arena write at ${w.start} does not follow the durable ${f.durableLen} bytes`);
    f.durableLen += len;
    return;
  }
  f.ownPending--;
  if (w.mode === "replace") f.durableLen = 0;
  reserve(f, f.durableLen + len);
  f.arena.set(w.bytes.subarray(0, len), f.durableLen);
  f.durableLen += len;
  f.arenaEnd = f.durableLen;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!.slice();
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
