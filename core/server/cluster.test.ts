// etcd's strict reconfiguration rules, table-driven against a member's view of its peers.
import { describe, expect, it } from "vitest";
import {
  ERR_LEARNER_NOT_READY, ERR_MEMBER_BAD_URLS, ERR_PEER_URL_EXIST, ERR_MEMBER_NOT_ENOUGH_STARTED, ERR_MEMBER_NOT_FOUND,
  ERR_MEMBER_NOT_LEARNER, ERR_NOT_LEADER, ERR_TOO_MANY_LEARNERS, ERR_UNHEALTHY,
} from "./api";
import { checkMemberAdd, checkMemberPromote, checkMemberRemove, memberIdFromPeerUrl, membersOf, peerUrl, type PeerView } from "./cluster";

interface ViewSpec {
  voters: number[];
  learners?: number[];
  outgoing?: number[];
  /** Peers never heard from. */
  neverStarted?: number[];
  /** Peers heard from, but not recently. */
  inactive?: number[];
  /** Match indexes (leader only); absent = not the leader. */
  match?: Record<number, number>;
}

function view(s: ViewSpec): PeerView {
  const never = new Set(s.neverStarted ?? []);
  const inactive = new Set(s.inactive ?? []);
  return {
    self: 1,
    conf: { voters: s.voters, votersOutgoing: s.outgoing ?? [], learners: s.learners ?? [] },
    started: (id) => !never.has(id),
    active: (id) => !never.has(id) && !inactive.has(id),
    match: (id) => (s.match ? (s.match[id] ?? 0) : undefined),
  };
}

describe("member list", () => {
  it("lists voters and learners by ID with peer URLs that name them", () => {
    const members = membersOf({ voters: [3, 1, 2], votersOutgoing: [4], learners: [5] });
    expect(members.map((m) => [m.ID, m.isLearner])).toEqual([[1, false], [2, false], [3, false], [5, true]]);
    expect(members[0]!.peerURLs).toEqual([peerUrl(1)]);
    expect(memberIdFromPeerUrl(peerUrl(42))).toBe(42);
    for (const bad of ["http://n0:2380", "http://n4:2379", "https://n4:2380", "n4", ""]) expect(memberIdFromPeerUrl(bad)).toBeUndefined();
  });
});

describe("member add", () => {
  const cases: [string, ViewSpec, { peerURLs: string[]; isLearner?: boolean }, string | number][] = [
    ["a voter to a healthy cluster", { voters: [1, 2, 3] }, { peerURLs: [peerUrl(4)] }, 4],
    ["a learner to a healthy cluster", { voters: [1, 2, 3] }, { peerURLs: [peerUrl(4)], isLearner: true }, 4],
    ["bad peer URL", { voters: [1, 2, 3] }, { peerURLs: ["http://example:2380"] }, ERR_MEMBER_BAD_URLS],
    ["no peer URL", { voters: [1, 2, 3] }, { peerURLs: [] }, ERR_MEMBER_BAD_URLS],
    ["peer URLs naming two members", { voters: [1, 2, 3] }, { peerURLs: [peerUrl(4), peerUrl(5)] }, ERR_MEMBER_BAD_URLS],
    ["an existing voter", { voters: [1, 2, 3] }, { peerURLs: [peerUrl(2)] }, ERR_PEER_URL_EXIST],
    ["an existing learner", { voters: [1, 2, 3], learners: [4] }, { peerURLs: [peerUrl(4)] }, ERR_PEER_URL_EXIST],
    ["a second learner", { voters: [1, 2, 3], learners: [4] }, { peerURLs: [peerUrl(5)], isLearner: true }, ERR_TOO_MANY_LEARNERS],
    ["a voter while a learner exists", { voters: [1, 2, 3], learners: [4] }, { peerURLs: [peerUrl(5)] }, 5],
    // 1 of 3 voters started: the grown cluster of 4 needs 3 started.
    ["a voter when too few started", { voters: [1, 2, 3], neverStarted: [2, 3] }, { peerURLs: [peerUrl(4)] }, ERR_MEMBER_NOT_ENOUGH_STARTED],
    ["a second voter to a single-member cluster", { voters: [1] }, { peerURLs: [peerUrl(2)] }, 2],
    ["a learner when too few started (no quorum rule for learners)", { voters: [1, 2, 3], neverStarted: [3] }, { peerURLs: [peerUrl(4)], isLearner: true }, ERR_UNHEALTHY],
    ["a voter while a voter is down", { voters: [1, 2, 3], inactive: [3] }, { peerURLs: [peerUrl(4)] }, ERR_UNHEALTHY],
  ];
  for (const [name, spec, req, want] of cases) {
    it(name, () => {
      const r = checkMemberAdd(view(spec), req);
      expect("error" in r ? r.error : r.id).toBe(want);
    });
  }
});

describe("member remove", () => {
  const cases: [string, ViewSpec, number, string | undefined][] = [
    ["a follower of a healthy cluster", { voters: [1, 2, 3] }, 2, undefined],
    ["itself (the leader) from a healthy cluster", { voters: [1, 2, 3] }, 1, undefined],
    ["an unknown member", { voters: [1, 2, 3] }, 9, ERR_MEMBER_NOT_FOUND],
    ["a learner, whatever the health", { voters: [1, 2, 3], learners: [4], inactive: [2, 3] }, 4, undefined],
    ["a member that is down (not in the active quorum)", { voters: [1, 2, 3], inactive: [3] }, 3, undefined],
    ["a live member while another is down", { voters: [1, 2, 3], inactive: [3] }, 2, ERR_UNHEALTHY],
    ["a live member of 5 while one is down", { voters: [1, 2, 3, 4, 5], inactive: [5] }, 2, undefined],
    ["a live member of 5 while two are down", { voters: [1, 2, 3, 4, 5], inactive: [4, 5] }, 2, ERR_UNHEALTHY],
    // Without 2, members 1, 3, 4 remain and only 1 ever started: fewer than a quorum of 3.
    ["when the rest never started", { voters: [1, 2, 3, 4], neverStarted: [3, 4] }, 2, ERR_MEMBER_NOT_ENOUGH_STARTED],
    ["the last voter", { voters: [1] }, 1, ERR_MEMBER_NOT_ENOUGH_STARTED],
  ];
  for (const [name, spec, id, want] of cases) it(name, () => expect(checkMemberRemove(view(spec), id)).toBe(want));
});

describe("member promote", () => {
  const leader = { 1: 100, 2: 100, 3: 100 };
  const cases: [string, ViewSpec, number, string | undefined][] = [
    ["a learner in sync", { voters: [1, 2, 3], learners: [4], match: { ...leader, 4: 95 } }, 4, undefined],
    ["a learner exactly at 90 %", { voters: [1, 2, 3], learners: [4], match: { ...leader, 4: 90 } }, 4, undefined],
    ["a learner behind", { voters: [1, 2, 3], learners: [4], match: { ...leader, 4: 89 } }, 4, ERR_LEARNER_NOT_READY],
    ["a voter", { voters: [1, 2, 3], learners: [4], match: leader }, 2, ERR_MEMBER_NOT_LEARNER],
    ["an unknown member", { voters: [1, 2, 3], match: leader }, 7, ERR_MEMBER_NOT_FOUND],
    ["on a follower (only the leader knows the learner's progress)", { voters: [1, 2, 3], learners: [4] }, 4, ERR_NOT_LEADER],
    // 4 voters after promotion need 3 started; only 1 + the learner count.
    ["when too few voters started", { voters: [1, 2, 3], learners: [4], neverStarted: [2, 3], match: { 1: 100, 4: 100 } }, 4, ERR_MEMBER_NOT_ENOUGH_STARTED],
  ];
  for (const [name, spec, id, want] of cases) it(name, () => expect(checkMemberPromote(view(spec), id)).toBe(want));
});
