// Follower reactions (Raft §5.3 AppendEntries receiver, §7 InstallSnapshot receiver,
// thesis §3.10 TimeoutNow, §6.4 reads forwarded to the leader).
import type { Message } from "./types";
import { NONE } from "./types";
import type { Raft } from "./raft";

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case "app":
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleAppend(m);
      return;
    case "heartbeat":
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleHeartbeat(m);
      return;
    case "snap":
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleSnapshot(m);
      return;
    case "timeout-now":
      // The leader asks us to start an election now, skipping pre-vote and the lease
      // check so that the transfer cannot be refused by peers still hearing the old leader.
      if (r.promotable()) r.step({ type: "hup", from: r.id, to: r.id, term: 0, context: "transfer" });
      return;
    case "read-index":
      // Passed on as it came: the leader answers whoever asked (etcd-io/raft keeps the
      // sender), not this node, which would drop an answer to a read it did not ask.
      if (r.lead !== NONE) r.send({ type: "read-index", to: r.lead, context: m.context, term: 0, from: m.from });
      return;
    case "read-index-resp":
      if (m.context !== undefined) r.readStates.push({ index: m.index!, context: m.context });
      return;
    case "transfer-leader":
      // Its sender is the transferee: passed on as it came.
      if (r.lead !== NONE) r.send({ type: "transfer-leader", to: r.lead, from: m.from });
      return;
    default:
      return;
  }
}
