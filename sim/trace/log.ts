// The run's trace: every event is serialized once to an NDJSON line, fed to a streaming
// SHA-256 (the run's identity) and handed to an optional sink (the CLI writes a file).
import { createHash, type Hash } from "node:crypto";
import type { TraceEvent, TraceHeader } from "./types";

export type TraceSink = (line: string) => void;

export class TraceLog {
  private readonly hash: Hash = createHash("sha256");
  private digest: string | undefined;
  /** Events recorded (header excluded). */
  count = 0;
  private readonly countsByType = new Map<string, number>();
  private readonly keep: TraceEvent[] | undefined;

  constructor(
    header: TraceHeader,
    private readonly sink?: TraceSink,
    /** Keep events in memory too (tests, checks that read the trace after the run). */
    keepEvents = false,
  ) {
    this.keep = keepEvents ? [] : undefined;
    this.writeLine(JSON.stringify(header));
  }

  private readonly observers: ((event: TraceEvent) => void)[] = [];

  /** Observers see every event as it is recorded (elections, checks computed online). */
  observe(fn: (event: TraceEvent) => void): void {
    this.observers.push(fn);
  }

  record(event: TraceEvent): void {
    if (this.digest !== undefined) throw new Error("trace already finished");
    for (const fn of this.observers) fn(event);
    this.count++;
    this.countsByType.set(event.type, (this.countsByType.get(event.type) ?? 0) + 1);
    this.keep?.push(event);
    this.writeLine(JSON.stringify(event));
  }

  /** Events kept in memory (only when constructed with keepEvents). */
  get events(): readonly TraceEvent[] {
    return this.keep ?? [];
  }

  countOf(type: TraceEvent["type"]): number {
    return this.countsByType.get(type) ?? 0;
  }

  /** Hex SHA-256 over every line written (header included). Ends the trace. */
  finish(): string {
    if (this.digest === undefined) this.digest = this.hash.digest("hex");
    return this.digest;
  }

  private writeLine(line: string): void {
    this.hash.update(line);
    this.hash.update("\n");
    this.sink?.(line + "\n");
  }
}
