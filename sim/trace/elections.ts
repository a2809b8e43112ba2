// Elections as a trace shows them: one row per term in which a node stood as candidate or
// became leader, and for each new leader how long the cluster had gone without a usable one.
// The CLI's run summary and the viewer's elections panel both read this, so they agree.
//
// "Without a usable leader" starts at the first sign the previous leader lost its authority:
// - it stepped down (a role event), or crashed or fail-stopped (a fault naming it);
// - or a fault cut it off from a quorum or paused it (isolate, a partition that leaves it in
//   a minority, pause). Such a leader keeps believing it leads, and with check-quorum it
//   steps down only an election timeout later, so its step-down alone would hide most of
//   the outage. If the fault is undone (heal, resume) before anyone else wins, it was an
//   outage without an election, and it is forgotten.
// Before the first leader the cluster is leaderless since the trace starts. When nothing in
// the trace explains a leader change, the winning term's first candidacy is the start.
import { classifyFault, isOneWayCut, parseGroups } from "./fault_kinds";
import type { NodeId, TraceEvent } from "./types";

export interface ElectionVote {
  voter: NodeId;
  candidate: NodeId;
  granted: boolean;
  tUs: number;
}

export interface Election {
  term: number;
  /** First candidacy for this term (or the leader's appearance if no candidacy was traced). */
  startUs: number;
  /** When the winner became leader; null for a term that elected nobody. */
  endUs: number | null;
  candidates: NodeId[];
  votes: ElectionVote[];
  winner: NodeId | null;
  /** When the cluster lost its previous leader; null unless this election made a new leader. */
  leaderlessSinceUs: number | null;
  /** endUs − leaderlessSinceUs; null unless this election made a new leader. */
  leaderlessUs: number | null;
  /** Event index of the winning role event (or the first candidacy), for jumping there. */
  eventIndex: number;
}

/** A fault that may have cost the leader its authority, undone by `undoneBy`. */
interface Suspicion {
  sinceUs: number;
  undoneBy: "pause" | "partition";
}

export class ElectionTracker {
  private readonly byTerm = new Map<number, Election>();
  /** The newest leader the trace has shown, while it still leads. */
  private leader: { node: NodeId; term: number } | null = null;
  /** Highest term that made a leader so far. */
  private leaderTermMax = 0;
  /** When the last leader stepped down or crashed; the trace start before the first one. */
  private lostUs: number | null;
  private suspicion: Suspicion | null = null;

  constructor(traceStartUs = 0) {
    this.lostUs = traceStartUs;
  }

  observe(ev: TraceEvent, eventIndex: number): void {
    if (ev.type === "role") this.onRole(ev, eventIndex);
    else if (ev.type === "vote") this.get(ev.term, ev.tUs, eventIndex).votes.push({ voter: ev.node, candidate: ev.candidate, granted: ev.granted, tUs: ev.tUs });
    else if (ev.type === "fault") this.onFault(ev);
  }

  /** Every term with a candidacy or a leader, in order of its start. */
  get elections(): Election[] {
    return [...this.byTerm.values()].filter((e) => e.candidates.length > 0 || e.winner !== null).sort((a, b) => a.startUs - b.startUs || a.term - b.term);
  }

  private get(term: number, tUs: number, eventIndex: number): Election {
    let e = this.byTerm.get(term);
    if (!e) {
      e = { term, startUs: tUs, endUs: null, candidates: [], votes: [], winner: null, leaderlessSinceUs: null, leaderlessUs: null, eventIndex };
      this.byTerm.set(term, e);
    }
    return e;
  }

  private onRole(ev: Extract<TraceEvent, { type: "role" }>, eventIndex: number): void {
    if (ev.role === "candidate") {
      const e = this.get(ev.term, ev.tUs, eventIndex);
      if (!e.candidates.includes(ev.node)) e.candidates.push(ev.node);
      return;
    }
    if (ev.role === "leader") {
      const e = this.get(ev.term, ev.tUs, eventIndex);
      if (!e.candidates.includes(ev.node)) e.candidates.push(ev.node);
      // Only the first leader of a term counts (Raft allows one; a second is a safety finding).
      if (e.winner !== null) return;
      e.winner = ev.node;
      e.endUs = ev.tUs;
      e.eventIndex = eventIndex;
      if (ev.term <= this.leaderTermMax) return; // a stale term's leader: no new leader for the cluster
      const since = Math.min(this.lostUs ?? Infinity, this.suspicion?.sinceUs ?? Infinity, e.startUs);
      e.leaderlessSinceUs = since;
      e.leaderlessUs = ev.tUs - since;
      this.leader = { node: ev.node, term: ev.term };
      this.leaderTermMax = ev.term;
      this.lostUs = null;
      this.suspicion = null;
      return;
    }
    // Any other role of the current leader's node means it no longer leads.
    if (this.leader && ev.node === this.leader.node) this.loseLeader(ev.tUs);
  }

  private onFault(ev: Extract<TraceEvent, { type: "fault" }>): void {
    const { kind, ends } = classifyFault(ev.fault);
    if (ends) {
      // The fault that cut the leader off is undone while it still leads: no election came of it.
      const undone = this.suspicion && this.leader && this.suspicion.undoneBy === kind && (kind === "partition" || ev.nodes.length === 0 || ev.nodes.includes(this.leader.node));
      if (undone) this.suspicion = null;
      return;
    }
    if (!this.leader || !ev.nodes.includes(this.leader.node)) return;
    if (kind === "crash") this.loseLeader(ev.tUs);
    else if (kind === "pause") this.suspect(ev.tUs, "pause");
    else if (kind === "partition" && !isOneWayCut(ev.fault) && this.inMinority(this.leader.node, ev)) this.suspect(ev.tUs, "partition");
  }

  /** Whether a partition event leaves `node` on a side without a majority of the named nodes. */
  private inMinority(node: NodeId, ev: Extract<TraceEvent, { type: "fault" }>): boolean {
    const groups = parseGroups(ev.detail);
    if (!groups) return true; // isolate {node}: the named node is alone
    const total = groups.reduce((n, g) => n + g.length, 0);
    const own = groups.find((g) => g.includes(node));
    return own !== undefined && own.length * 2 <= total;
  }

  private suspect(tUs: number, undoneBy: Suspicion["undoneBy"]): void {
    if (!this.suspicion) this.suspicion = { sinceUs: tUs, undoneBy };
  }

  private loseLeader(tUs: number): void {
    this.lostUs ??= tUs;
    this.leader = null;
  }
}

/** Elections of a whole event list (the viewer's batch form). */
export function deriveElections(events: readonly TraceEvent[], traceStartUs = 0): Election[] {
  const tracker = new ElectionTracker(traceStartUs);
  events.forEach((ev, i) => tracker.observe(ev, i));
  return tracker.elections;
}
