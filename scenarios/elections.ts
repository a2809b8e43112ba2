// The run summary's elections: each new leader, and since when the cluster had gone without
// a usable one (sim/trace/elections.ts says how that is judged; the viewer shows the same).
import { ElectionTracker } from "../sim/trace/elections";
import type { TraceEvent } from "../sim/trace/types";

export interface Election {
  term: number;
  leader: number;
  /** When the cluster lost its previous leader (ms, virtual): see sim/trace/elections.ts. */
  startMs: number;
  /** When the winner became leader. */
  endMs: number;
}

export class RunElections {
  /** The event types elections are judged from (none of the hot ones a run records most). */
  static readonly TYPES: readonly TraceEvent["type"][] = ["role", "vote", "fault"];
  private readonly tracker = new ElectionTracker(0);

  /** Sees the types in TYPES, and maybe others (it ignores those). */
  observe(event: TraceEvent): void {
    if (event.type === "role" || event.type === "vote" || event.type === "fault") this.tracker.observe(event, 0);
  }

  get elections(): Election[] {
    const won = this.tracker.elections.filter((e) => e.winner !== null && e.leaderlessSinceUs !== null);
    return won.sort((a, b) => a.endUs! - b.endUs!).map((e) => ({ term: e.term, leader: e.winner!, startMs: us2ms(e.leaderlessSinceUs!), endMs: us2ms(e.endUs!) }));
  }
}

function us2ms(us: number): number {
  return Math.round(us / 100) / 10;
}
