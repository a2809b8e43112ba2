// Is the cluster catching a voter up? A voter added while the log is long (worse with tiny
// appends and a slow disk) can leave the quorum waiting on it: nothing new commits until it
// holds the log (thesis §4.2.1: why new servers should join without a vote, as etcd's
// learners do). So can a leader that was cut off from its quorum without check-quorum: it
// went on appending the proposals it was given, and after the heal a new write commits only
// once a quorum holds that backlog too. Either cluster is at work, not stuck, and the
// liveness check waits on while the same leader keeps moving voters that are behind its
// log's end forward.
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
  /** The leader's last log index: a write proposed now goes after it. */
  last: number;
  /** Sum of the match indexes of the voters behind the leader's last index. */
  backlogMatch: number;
  /** How many voters are behind the leader's last index (one behind its commit index is too). */
  backlogBehind: number;
}

export function catchUpMark(system: EtcdSystem): CatchUpMark | undefined {
  const host = system.leader();
  if (!host) return undefined;
  const raft = host.rn.raft;
  const committed = raft.log.committed;
  // Not the commit index: seed 159 with 2 members at 12 rounds, run 8208. The leader, cut off
  // for 26 s without check-quorum, had appended its clients' writes all along; after the heal
  // its one follower (matched up to the commit index) took them one entry per append, four
  // in flight, on an HDD, and the probe's write waited behind them past the bound.
  const last = raft.log.lastIndex();
  let behindMatch = 0;
  let behind = 0;
  let backlogMatch = 0;
  let backlogBehind = 0;
  for (const id of new Set([...raft.conf.voters, ...raft.conf.votersOutgoing])) {
    if (id === raft.id) continue;
    const match = raft.prs.get(id)?.match ?? 0;
    if (match < committed) {
      behindMatch += match;
      behind++;
    }
    if (match < last) {
      backlogMatch += match;
      backlogBehind++;
    }
  }
  return { leader: raft.id, term: raft.term, committed, behindMatch, behind, last, backlogMatch, backlogBehind };
}

/** Whether the leader has voters to catch up: behind its commit index, or behind the end of its log. */
export function catchingUp(mark: CatchUpMark | undefined): boolean {
  return mark !== undefined && (mark.behind > 0 || mark.backlogBehind > 0);
}

/**
 * Progress between two marks: the same leader in the same term, and its commit index moved, or
 * a voter behind it (or behind the end of its log) caught up, or those behind moved up. A
 * leader change, or a step with none of these, is not.
 */
export function caughtUpSome(before: CatchUpMark | undefined, after: CatchUpMark | undefined): boolean {
  if (!before || !after || before.leader !== after.leader || before.term !== after.term) return false;
  if (after.committed > before.committed || after.behind < before.behind || after.backlogBehind < before.backlogBehind) return true;
  return (after.behind > 0 && after.behindMatch > before.behindMatch) || (after.backlogBehind > 0 && after.backlogMatch > before.backlogMatch);
}
