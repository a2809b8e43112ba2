// Elections as seen in the trace: from the moment a node starts campaigning (or the
// cluster starts) until a leader emerges. Derived only from "role" events.
import type { TraceEvent } from "../sim/trace/types";

export interface Election {
  term: number;
  leader: number;
  /** When the cluster was last seen without a usable leader (ms, virtual). */
  startMs: number;
  /** When the winner became leader. */
  endMs: number;
}

export class ElectionTracker {
  readonly elections: Election[] = [];
  private leaderTerm = -1;
  /** Time the current leaderless stretch began, or undefined while a leader is known. */
  private leaderlessSinceUs: number | undefined = 0;
  private readonly leaders = new Map<number, number>(); // node -> term it leads

  observe(event: TraceEvent): void {
    if (event.type !== "role") return;
    if (event.role === "leader") {
      this.leaders.set(event.node, event.term);
      if (event.term > this.leaderTerm) {
        this.elections.push({ term: event.term, leader: event.node, startMs: us2ms(this.leaderlessSinceUs ?? event.tUs), endMs: us2ms(event.tUs) });
        this.leaderTerm = event.term;
      }
      this.leaderlessSinceUs = undefined;
      return;
    }
    if (this.leaders.has(event.node)) this.leaders.delete(event.node);
    if ((event.role === "candidate" || event.role === "pre-candidate") && this.leaderlessSinceUs === undefined) {
      this.leaderlessSinceUs = event.tUs;
    }
  }
}

function us2ms(us: number): number {
  return Math.round(us / 100) / 10;
}
