// (Pre-)candidate reactions (Raft §5.2 elections, thesis §9.6 pre-vote). A message from a
// leader of our term means we lost: follow it. Vote counts need a quorum of every
// configuration in effect (joint consensus, thesis §4.3).
import type { Message } from "./types";
import { NONE } from "./types";
import type { Raft } from "./raft";

export function stepCandidate(r: Raft, m: Message): void {
  const myResp = r.role === "pre-candidate" ? "pre-vote-resp" : "vote-resp";
  switch (m.type) {
    case "app":
      r.becomeFollower(m.term, m.from);
      r.handleAppend(m);
      return;
    case "heartbeat":
      r.becomeFollower(m.term, m.from);
      r.handleHeartbeat(m);
      return;
    case "snap":
      r.becomeFollower(m.term, m.from);
      r.handleSnapshot(m);
      return;
    case "vote-resp":
    case "pre-vote-resp": {
      if (m.type !== myResp) return;
      const res = r.poll(m.from, !m.reject);
      if (res === "won") {
        if (r.role === "pre-candidate") r.campaign("vote");
        else {
          r.becomeLeader();
          r.bcastAppend();
        }
      } else if (res === "lost") {
        r.becomeFollower(r.term, NONE);
      }
      return;
    }
    default:
      return;
  }
}
