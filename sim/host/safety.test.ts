// The safety monitor's vote rule (Raft §5.2, Figure 2): a server votes for at most one
// candidate per term, a candidate for itself, and remembers the vote across crashes. The
// monitor reads votes off the wire: vote requests (a candidate's own vote) and granted
// vote responses. Pre-votes are not votes: nothing is persisted for them.
import { describe, expect, it } from "vitest";
import type { Message, MessageType } from "../../core/raft/types";
import type { RaftHost } from "./node_host";
import { SafetyBreach, SafetyMonitor } from "./safety";

/** The monitor reads only the host's id on vote traffic. */
const host = (id: number) => ({ id }) as unknown as RaftHost;
const msg = (type: MessageType, from: number, to: number, term: number, reject = false): Message => ({ type, from, to, term, reject });

describe("SafetyMonitor: one vote per term (§5.2)", () => {
  it("a voter granting two candidates in one term is a violation", () => {
    const m = new SafetyMonitor();
    m.onSend(host(3), msg("vote-resp", 3, 1, 4));
    m.onSend(host(3), msg("vote-resp", 3, 2, 4));
    expect(m.violations).toEqual([{ property: "vote-once", message: "node 3 voted for 1 and for 2 in term 4" }]);
  });

  it("a candidate that grants another candidate its vote in its own term is a violation", () => {
    const m = new SafetyMonitor();
    m.onSend(host(2), msg("vote", 2, 1, 7));
    m.onSend(host(2), msg("vote", 2, 3, 7));
    m.onSend(host(2), msg("vote-resp", 2, 1, 7));
    expect(m.violations.map((v) => v.message)).toEqual(["node 2 voted for 2 and for 1 in term 7"]);
  });

  it("repeated grants to the same candidate, rejections, pre-votes and later terms are fine", () => {
    const m = new SafetyMonitor();
    m.onSend(host(3), msg("vote-resp", 3, 1, 4));
    m.onSend(host(3), msg("vote-resp", 3, 1, 4)); // a duplicated request answered again
    m.onSend(host(3), msg("vote-resp", 3, 2, 4, true)); // refused
    m.onSend(host(3), msg("pre-vote-resp", 3, 2, 4)); // a pre-vote for the same term
    m.onSend(host(3), msg("vote-resp", 3, 2, 5)); // the next term
    m.onSend(host(1), msg("vote-resp", 1, 2, 4)); // another voter
    expect(m.violations).toEqual([]);
  });

  it("stops the run at the double vote with stopOnViolation", () => {
    const m = new SafetyMonitor();
    m.stopOnViolation = true;
    m.onSend(host(5), msg("vote-resp", 5, 4, 3));
    expect(() => m.onSend(host(5), msg("vote-resp", 5, 1, 3))).toThrow(SafetyBreach);
  });
});

describe("SafetyMonitor: a linearizable read sees what was committed before it was asked (thesis §6.4)", () => {
  /** A follower in term 1 whose log holds every index, as onCommit reads it. */
  const committer = (id: number) => ({ id, rn: { raft: { role: "follower", term: 1, log: { snapIndex: 0, term: () => 1 } } } }) as unknown as RaftHost;

  it("a read answered below the commit index reached before it was asked is a violation", () => {
    const m = new SafetyMonitor();
    m.onCommit(committer(2), 1, 7);
    const asked = m.onReadAsked();
    m.onCommit(committer(3), 8, 9); // later commits do not raise the bar of an earlier read
    m.onReadAnswered(host(1), 7, asked);
    expect(m.violations).toEqual([]);
    m.onReadAnswered(host(1), 6, asked);
    expect(m.violations).toEqual([{ property: "read-index", message: "node 1 answered a read at index 6, but index 7 was committed before the read was asked" }]);
  });
});

describe("SafetyMonitor: a leader commits only what a quorum holds on stable storage (Figure 2)", () => {
  const conf = { voters: [1, 2, 3], votersOutgoing: [], learners: [] };
  const entry = (index: number, term: number) => ({ index, term, type: "normal" as const, data: new Uint8Array() });
  /** A leader of term 2 whose log holds indexes 1..5 of term 2, committing under {1, 2, 3}. */
  const leader = { id: 1, rn: { raft: { role: "leader", term: 2, conf, commitConf: conf, log: { snapIndex: 0, term: (i: number) => (i <= 5 ? 2 : undefined) } } } } as unknown as RaftHost;

  it("a commit the leader alone has fsynced is a violation; with one follower's fsync it is not", () => {
    const m = new SafetyMonitor();
    m.onDurable(host(1), [entry(1, 2), entry(2, 2), entry(3, 2)], undefined);
    m.onDurable(host(2), [entry(1, 2), entry(2, 2)], undefined);
    m.onCommit(leader, 1, 3);
    expect(m.violations.map((v) => v.property)).toEqual(["commit-durable"]);
    expect(m.violations[0]!.message).toBe("leader 1 of term 2 committed index 3@2, on stable storage only on 1 of voters [1,2,3]");
    m.onDurable(host(2), [entry(3, 2)], undefined);
    m.onCommit(leader, 1, 3);
    expect(m.violations.length).toBe(1);
  });

  it("a rewrite from an earlier index replaces the suffix: an entry of another term there does not count", () => {
    const m = new SafetyMonitor();
    m.onDurable(host(1), [entry(1, 2), entry(2, 2), entry(3, 2)], undefined);
    m.onDurable(host(3), [entry(1, 2), entry(2, 2), entry(3, 2), entry(4, 2)], undefined);
    m.onDurable(host(3), [entry(3, 1)], undefined); // index 3 rewritten with term 1, 4 gone
    m.onCommit(leader, 1, 3);
    expect(m.violations.map((v) => v.message)).toEqual(["leader 1 of term 2 committed index 3@2, on stable storage only on 1 of voters [1,2,3]"]);
  });
});

describe("SafetyMonitor: a leader is elected by a quorum's votes in its term (§5.2)", () => {
  const conf = { voters: [1, 2, 3, 4], votersOutgoing: [], learners: [] };
  /** Node 1 as it reports itself leader of term 5, elected under {1, 2, 3, 4}. */
  const winner = { id: 1, rn: { raft: { role: "leader", term: 5, conf, electionConf: conf, log: { committed: 0, snapIndex: 0, term: () => undefined } } } } as unknown as RaftHost;

  it("two grants of four voters (the candidate's own and one more) is a violation; three is not", () => {
    const m = new SafetyMonitor();
    m.onSend(host(1), msg("vote", 1, 2, 5));
    m.onSend(host(2), msg("vote-resp", 2, 1, 5));
    m.onSend(host(3), msg("vote-resp", 3, 1, 4)); // a grant of the term before does not count
    m.onSend(host(4), msg("pre-vote-resp", 4, 1, 5)); // nor does a pre-vote
    m.onRole(winner, "leader", 5);
    expect(m.violations).toEqual([{ property: "vote-quorum", message: "node 1 became leader of term 5 with votes granted in that term only by 1, 2 of voters [1,2,3,4]" }]);
    const ok = new SafetyMonitor();
    ok.onSend(host(2), msg("vote-resp", 2, 1, 5));
    ok.onSend(host(4), msg("vote-resp", 4, 1, 5));
    ok.onRole(winner, "leader", 5);
    expect(ok.violations).toEqual([]);
  });
});
