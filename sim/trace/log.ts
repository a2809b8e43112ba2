// The run's trace: every event is folded into an incremental 64-bit hash (the run's
// identity, see hash.ts), and serialized to an NDJSON line only when a sink wants it (the
// CLI writes a file). Events are kept in memory only on request (tests, self-checks).
import { TraceHasher } from "./hash";
import type { TraceEvent, TraceHeader } from "./types";

export type TraceSink = (line: string) => void;

export class TraceLog {
  private readonly hasher = new TraceHasher();
  private digest: string | undefined;
  /** Events recorded (header excluded). */
  count = 0;
  private readonly countsByType = new Map<string, number>();
  private readonly keep: TraceEvent[] | undefined;
  private readonly observers: ((event: TraceEvent) => void)[] = [];

  constructor(
    header: TraceHeader,
    private readonly sink?: TraceSink,
    /** Keep events in memory too (tests, checks that read the trace after the run). */
    keepEvents = false,
  ) {
    this.keep = keepEvents ? [] : undefined;
    this.hasher.record(header);
    this.sink?.(JSON.stringify(header) + "\n");
  }

  /** Observers see every event as it is recorded (elections, checks computed online). */
  observe(fn: (event: TraceEvent) => void): void {
    this.observers.push(fn);
  }

  record(event: TraceEvent): void {
    if (this.digest !== undefined) throw new Error("trace already finished");
    for (let i = 0; i < this.observers.length; i++) this.observers[i]!(event);
    this.count++;
    this.countsByType.set(event.type, (this.countsByType.get(event.type) ?? 0) + 1);
    this.keep?.push(event);
    this.hasher.record(event);
    this.sink?.(JSON.stringify(event) + "\n");
  }

  /** Events kept in memory (only when constructed with keepEvents). */
  get events(): readonly TraceEvent[] {
    return this.keep ?? [];
  }

  countOf(type: TraceEvent["type"]): number {
    return this.countsByType.get(type) ?? 0;
  }

  /** The run's trace hash (16 hex digits, see hash.ts) over every record, header included. Ends the trace. */
  finish(): string {
    if (this.digest === undefined) this.digest = this.hasher.digest();
    return this.digest;
  }
}
