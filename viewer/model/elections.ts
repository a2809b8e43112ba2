// Elections derived from role and vote events. One row per term in which some node stood
// as candidate or became leader. "Time without leader" runs from when the previous leader
// stopped leading (stepped down or crashed; the trace start for the first election), or
// from the first candidacy if that came earlier (a partitioned leader keeps believing it
// leads), until this term's leader appears; split-vote retries count against the winner.
import type { NodeId, TraceEvent } from "../../sim/trace/types";

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
  /** Time without a leader before this one won; null when nobody won. */
  leaderlessUs: number | null;
  /** Event index of the winning role event (or the first candidacy), for jumping there. */
  eventIndex: number;
}

export function deriveElections(events: readonly TraceEvent[], traceStartUs = 0): Election[] {
  const byTerm = new Map<number, Election>();
  const get = (term: number, tUs: number, eventIndex: number): Election => {
    let e = byTerm.get(term);
    if (!e) {
      e = { term, startUs: tUs, endUs: null, candidates: [], votes: [], winner: null, leaderlessUs: null, eventIndex };
      byTerm.set(term, e);
    }
    return e;
  };
  events.forEach((ev, i) => {
    if (ev.type === "role" && ev.role === "candidate") {
      const e = get(ev.term, ev.tUs, i);
      if (!e.candidates.includes(ev.node)) e.candidates.push(ev.node);
    } else if (ev.type === "role" && ev.role === "leader") {
      const e = get(ev.term, ev.tUs, i);
      // Only the first leader of a term counts (Raft allows one; a second would be a finding shown in the list).
      if (e.winner === null) {
        e.winner = ev.node;
        e.endUs = ev.tUs;
        e.eventIndex = i;
      }
      if (!e.candidates.includes(ev.node)) e.candidates.push(ev.node);
    } else if (ev.type === "vote") {
      get(ev.term, ev.tUs, i).votes.push({ voter: ev.node, candidate: ev.candidate, granted: ev.granted, tUs: ev.tUs });
    }
  });
  // When each term's leader stopped leading (stepped down or crashed): the cluster is
  // leaderless from then, even before anyone's election timeout fires.
  const lostUs = new Map<number, number>();
  const leaderOfTerm = new Map<number, NodeId>();
  for (const e of byTerm.values()) if (e.winner !== null) leaderOfTerm.set(e.term, e.winner);
  for (const ev of events) {
    for (const [term, leader] of leaderOfTerm) {
      if (lostUs.has(term) || ev.tUs <= (byTerm.get(term)!.endUs ?? Infinity)) continue;
      const steppedDown = ev.type === "role" && ev.node === leader && (ev.role !== "leader" || ev.term !== term);
      const crashed = ev.type === "fault" && /crash|kill|stop|power/i.test(ev.fault) && ev.nodes.includes(leader);
      if (steppedDown || crashed) lostUs.set(term, ev.tUs);
    }
  }
  const elections = [...byTerm.values()].filter((e) => e.candidates.length > 0 || e.winner !== null).sort((a, b) => a.startUs - b.startUs || a.term - b.term);
  let roundStartUs: number | null = null;
  let previous: Election | null = null;
  for (const e of elections) {
    if (roundStartUs === null) {
      const lost = previous ? lostUs.get(previous.term) : traceStartUs;
      roundStartUs = lost !== undefined ? Math.min(lost, e.startUs) : e.startUs;
    }
    if (e.winner !== null && e.endUs !== null) {
      e.leaderlessUs = e.endUs - roundStartUs;
      roundStartUs = null;
      previous = e;
    }
  }
  return elections;
}
