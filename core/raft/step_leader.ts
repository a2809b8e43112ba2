// Leader reactions (Raft §5.3 replication, §6.2 check-quorum liveness, thesis §6.4 reads,
// §3.10 leader transfer). Votes and term changes are handled before we get here.
import type { Message } from "./types";
import type { Raft } from "./raft";
import type { Progress } from "./progress";

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case "beat":
      r.bcastHeartbeat(undefined);
      return;
    case "read-index":
      r.handleReadIndexRequest(m);
      return;
    case "transfer-leader":
      if (m.from !== r.id && r.conf.voters.includes(m.from)) r.stepTransferLeader(m.from);
      return;
    case "app-resp":
      onAppendResponse(r, m);
      return;
    case "heartbeat-resp": {
      const pr = r.prs.get(m.from);
      if (!pr) return;
      pr.recentActive = true;
      noteCommitKnown(r, pr, m);
      if (m.leaseTick !== undefined && m.leaseTick > pr.ackedLeaseTick) pr.ackedLeaseTick = m.leaseTick;
      // A heartbeat reply is the signal to retry a stalled probe (etcd's MsgHeartbeatResp).
      pr.probeSent = false;
      // The follower is alive but our pipeline is full: appends were lost on the way (etcd
      // learns this from the transport's ReportUnreachable). Fall back to probing.
      if (pr.state === "replicate" && pr.inflights.full()) pr.becomeProbe();
      if (pr.match < r.log.lastIndex()) r.maybeSendAppend(m.from, true);
      if (m.context) r.ackRead(m.from, m.context);
      return;
    }
    default:
      return; // stale responses from our candidacy, timeout-now to a leader, ...
  }
}

function onAppendResponse(r: Raft, m: Message): void {
  const pr = r.prs.get(m.from);
  if (!pr) return;
  pr.recentActive = true;
  noteCommitKnown(r, pr, m);
  if (m.reject) {
    // Fast backtracking: jump to the follower's hint, then skip our own entries whose
    // term is above the follower's term at that index (thesis §5.3 optimisation).
    let probe = m.rejectHint!;
    if ((m.logTerm ?? 0) > 0) probe = r.log.findConflictByTerm(m.rejectHint!, m.logTerm!).index;
    if (pr.maybeDecrTo(m.index!, probe)) {
      if (pr.state === "replicate") pr.becomeProbe();
      r.maybeSendAppend(m.from, true);
    }
    return;
  }
  if (m.index === undefined) return; // a bare term notification from a stale node
  const wasPaused = pr.isPaused();
  if (pr.maybeUpdate(m.index)) {
    if (pr.state === "probe") pr.becomeReplicate();
    else if (pr.state === "snapshot" && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === "replicate") pr.inflights.freeLE(m.index);
    if (r.maybeCommit()) r.bcastAppend();
    else if (wasPaused) r.maybeSendAppend(m.from, true);
    while (r.maybeSendAppend(m.from, false)) {
      // keep the pipeline full up to the in-flight limit
    }
    if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
      r.sendTimeoutNow(m.from);
    }
    r.maybeStepDownRemoved();
  } else if (pr.state === "replicate") {
    pr.inflights.freeLE(m.index);
  }
}

/** Responses carry the follower's commit index; a removed leader waits on them (Raft.removalSettled). */
function noteCommitKnown(r: Raft, pr: Progress, m: Message): void {
  if (m.commit === undefined || m.commit <= pr.commitKnown) return;
  pr.commitKnown = m.commit;
  r.maybeStepDownRemoved();
}
