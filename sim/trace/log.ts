// The run's trace: every event is folded into an incremental 64-bit hash (the run's
// identity, see hash.ts), and serialized to an NDJSON line only when a sink wants it (the
// CLI writes a file). Events are kept in memory only on request (tests, self-checks).
//
// The hot record types (message send/deliver/drop, fsync, commit, apply: nearly every
// record of a run) also have typed entry points (send(), deliver(), ...): when no sink,
// observer or keep list needs the record as an object, they hash its fields directly and
// allocate nothing. The hash is the same either way.
import { TraceHasher } from "./hash";
import type { DropReason, NodeId, TraceEvent, TraceHeader } from "./types";

export type TraceSink = (line: string) => void;

/** Counter slots of the hot types (countOf without a Map lookup per record). */
const HOT_SLOT: Partial<Record<TraceEvent["type"], number>> = { send: 0, deliver: 1, drop: 2, "fsync-start": 3, "fsync-end": 4, commit: 5, apply: 6 };
const SLOT_SEND = 0;
const SLOT_DELIVER = 1;
const SLOT_DROP = 2;
const SLOT_FSYNC_START = 3;
const SLOT_FSYNC_END = 4;
const SLOT_COMMIT = 5;
const SLOT_APPLY = 6;

export class TraceLog {
  private readonly hasher = new TraceHasher();
  private digest: string | undefined;
  /** Events recorded (header excluded). */
  count = 0;
  private readonly hotCounts = new Float64Array(7);
  private readonly countsByType = new Map<string, number>();
  private readonly keep: TraceEvent[] | undefined;
  private readonly observers: ((event: TraceEvent) => void)[] = [];
  /** Whether records must be built as objects (a sink, an observer or the keep list wants them). */
  private wantObjects: boolean;

  constructor(
    header: TraceHeader,
    private readonly sink?: TraceSink,
    /** Keep events in memory too (tests, checks that read the trace after the run). */
    keepEvents = false,
  ) {
    this.keep = keepEvents ? [] : undefined;
    this.wantObjects = sink !== undefined || keepEvents;
    this.hasher.record(header);
    this.sink?.(JSON.stringify(header) + "\n");
  }

  /**
   * Observers see events as they are recorded (elections, checks computed online). One that
   * names the types it wants, none of them hot, leaves the hot records unbuilt: it may still
   * be shown them (when something else wants objects), so it must filter by type itself.
   */
  observe(fn: (event: TraceEvent) => void, types?: readonly TraceEvent["type"][]): void {
    this.observers.push(fn);
    if (types === undefined || types.some((t) => HOT_SLOT[t] !== undefined)) this.wantObjects = true;
  }

  record(event: TraceEvent): void {
    this.begin();
    for (let i = 0; i < this.observers.length; i++) this.observers[i]!(event);
    const slot = HOT_SLOT[event.type];
    if (slot !== undefined) this.hotCounts[slot]!++;
    else this.countsByType.set(event.type, (this.countsByType.get(event.type) ?? 0) + 1);
    this.keep?.push(event);
    this.hasher.record(event);
    this.sink?.(JSON.stringify(event) + "\n");
  }

  // Typed entry points of the hot types: the same record as record({ type, ... }).

  send(tUs: number, msgId: number, from: NodeId, to: NodeId, msgType: string, term: number | undefined, bytes: number | undefined, detail: string | undefined): void {
    // One object shape for every send (absent fields stay undefined; JSON omits them).
    if (this.wantObjects) return this.record({ tUs, type: "send", msgId, from, to, msgType, term, bytes, detail });
    this.begin();
    this.hotCounts[SLOT_SEND]!++;
    this.hasher.sendFields(tUs, msgId, from, to, msgType, term, bytes, detail);
  }

  deliver(tUs: number, msgId: number, from: NodeId, to: NodeId, msgType: string, sentUs: number): void {
    if (this.wantObjects) return this.record({ tUs, type: "deliver", msgId, from, to, msgType, sentUs });
    this.begin();
    this.hotCounts[SLOT_DELIVER]!++;
    this.hasher.deliverFields(tUs, msgId, from, to, msgType, sentUs);
  }

  drop(tUs: number, msgId: number, from: NodeId, to: NodeId, msgType: string, reason: DropReason): void {
    if (this.wantObjects) return this.record({ tUs, type: "drop", msgId, from, to, msgType, reason });
    this.begin();
    this.hotCounts[SLOT_DROP]!++;
    this.hasher.dropFields(tUs, msgId, from, to, msgType, reason);
  }

  fsyncStart(tUs: number, node: NodeId, file: string, bytes: number): void {
    if (this.wantObjects) return this.record({ tUs, type: "fsync-start", node, file, bytes });
    this.begin();
    this.hotCounts[SLOT_FSYNC_START]!++;
    this.hasher.fsyncStartFields(tUs, node, file, bytes);
  }

  fsyncEnd(tUs: number, node: NodeId, file: string, latencyUs: number, ok: boolean): void {
    if (this.wantObjects) return this.record({ tUs, type: "fsync-end", node, file, latencyUs, ok });
    this.begin();
    this.hotCounts[SLOT_FSYNC_END]!++;
    this.hasher.fsyncEndFields(tUs, node, file, latencyUs, ok);
  }

  commit(tUs: number, node: NodeId, index: number, term: number): void {
    if (this.wantObjects) return this.record({ tUs, type: "commit", node, index, term });
    this.begin();
    this.hotCounts[SLOT_COMMIT]!++;
    this.hasher.commitFields(tUs, node, index, term);
  }

  /** An apply record; `revision` undefined is left out of the record (as JSON would). */
  apply(tUs: number, node: NodeId, index: number, revision: number | undefined): void {
    if (this.wantObjects) return this.record(revision === undefined ? { tUs, type: "apply", node, index } : { tUs, type: "apply", node, index, revision });
    this.begin();
    this.hotCounts[SLOT_APPLY]!++;
    this.hasher.applyFields(tUs, node, index, revision);
  }

  private begin(): void {
    if (this.digest !== undefined) throw new Error("trace already finished");
    this.count++;
  }

  /** Events kept in memory (only when constructed with keepEvents). */
  get events(): readonly TraceEvent[] {
    return this.keep ?? [];
  }

  countOf(type: TraceEvent["type"]): number {
    const slot = HOT_SLOT[type];
    return slot !== undefined ? this.hotCounts[slot]! : (this.countsByType.get(type) ?? 0);
  }

  /**
   * The hash of every record so far (as finish() would give now), without ending the trace:
   * a run's hash before its checks record their verdicts (see RunResult.runHash).
   */
  digestSoFar(): string {
    return this.digest ?? this.hasher.digest();
  }

  /** The run's trace hash (16 hex digits, see hash.ts) over every record, header included. Ends the trace. */
  finish(): string {
    if (this.digest === undefined) this.digest = this.hasher.digest();
    return this.digest;
  }
}
