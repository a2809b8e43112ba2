// Is the cluster catching a voter up? A voter added while the log is long (worse with tiny
// appends and a slow disk) can leave the quorum waiting on it: nothing new commits until it
// holds the log (thesis §4.2.1: why new servers should join without a vote, as etcd's
// learners do). That cluster is at work, not stuck, and the liveness check waits on while
// the same leader keeps moving voters that are behind its commit index forward.
import type { EtcdSystem } from "../sim/etcd/system";
import type { NodeId } from "../sim/trace/types";

/** What the leader knows of its voters' catch-up, at one moment. */
export interface CatchUpMark {
  leader: NodeId;
  term: number;
  committed: number;
  /** Sum of the match indexes of the voters behind the commit index. */
  behindMatch: number;
  /** How many voters are behind the commit index. */
  behind: number;
}

export function catchUpMark(system: EtcdSystem): CatchUpMark | undefined {
  const host = system.leader();
  if (!host) return undefined;
  const raft = host.rn.raft;
  const committed = raft.log.committed;
  let behindMatch = 0;
  let behind = 0;
  for (const id of new Set([...raft.conf.voters, ...raft.conf.votersOutgoing])) {
    if (id === raft.id) continue;
    const match = raft.prs.get(id)?.match ?? 0;
    if (match >= committed) continue;
    behindMatch += match;
    behind++;
  }
  return { leader: raft.id, term: raft.term, committed, behindMatch, behind };
}

/**
 * Progress between two marks: the same leader in the same term, and its commit index moved, or
 * a voter behind it caught up, or those behind moved up. A leader change, or a step with none
 * of these, is not.
 */
export function caughtUpSome(before: CatchUpMark | undefined, after: CatchUpMark | undefined): boolean {
  if (!before || !after || before.leader !== after.leader || before.term !== after.term) return false;
  if (after.committed > before.committed || after.behind < before.behind) return true;
  return after.behind > 0 && after.behindMatch > before.behindMatch;
}
