// The Cluster API's rules against a real etcd 3.4: one script of member requests runs on a
// single-member etcd (through its JSON gateway) and, for the same situation, through
// raftsim's checks (core/server/cluster.ts); errors must match word for word. etcd's member
// IDs are random and its peer URLs real, so each step names both sides' arguments.
// Skips loudly when etcd is not installed. Run alone: npm run test:etcd
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EtcdProcess, HAVE_ETCD, skipReason } from "./etcd_process.testkit";
import { checkMemberAdd, checkMemberPromote, checkMemberRemove, membersOf, peerUrl, type MemberConf, type PeerView } from "../core/server/cluster";

const SKIP_REASON = skipReason("the Cluster API conformance suite");

type Json = Record<string, unknown>;

const etcd = new EtcdProcess("m1", 100);
const post = (p: string, body: unknown): Promise<Json> => etcd.post(p, body);

/** raftsim's side: member 1 leads, in touch with everyone started; `learner` never started. */
function view(conf: MemberConf, learnerStarted = false): PeerView {
  const never = new Set(learnerStarted ? [] : conf.learners);
  return {
    self: 1,
    conf,
    started: (id) => !never.has(id),
    active: (id) => !never.has(id),
    match: (id) => (never.has(id) ? 0 : 10),
  };
}

const outcome = (r: Json): string => (typeof r.error === "string" ? r.error : "ok");
const ours = (r: string | undefined | { error: string } | { id: number }): string => (r === undefined ? "ok" : typeof r === "string" ? r : "error" in r ? r.error : "ok");

describe.skipIf(!HAVE_ETCD)("Cluster API conformance with real etcd", () => {
  beforeAll(() => etcd.start(), 30_000);
  afterAll(() => etcd.stop());

  it("member add / remove / promote give etcd's answers, step by step", async () => {
    const status = await post("/v3/maintenance/status", {});
    const self = String(status.leader);
    for (const field of ["version", "dbSize", "leader", "raftIndex", "raftTerm", "raftAppliedIndex"]) expect(status, `etcd status has ${field}`).toHaveProperty(field);
    const one: MemberConf = { voters: [1], votersOutgoing: [], learners: [] };
    const withLearner: MemberConf = { voters: [1], votersOutgoing: [], learners: [2] };
    const rows: string[] = [];
    const compare = (step: string, etcd: Json, sim: string) => {
      rows.push(`${step}: etcd "${outcome(etcd)}" / raftsim "${sim}"`);
      expect(sim, step).toBe(outcome(etcd));
    };

    compare("remove an unknown ID", await post("/v3/cluster/member/remove", { ID: "12345" }), ours(checkMemberRemove(view(one), 99)));
    compare("promote an unknown ID", await post("/v3/cluster/member/promote", { ID: "12345" }), ours(checkMemberPromote(view(one), 99)));
    compare("add with an invalid peer URL", await post("/v3/cluster/member/add", { peerURLs: ["notaurl"], isLearner: true }), ours(checkMemberAdd(view(one), { peerURLs: ["notaurl"], isLearner: true })));
    compare("add with no peer URL", await post("/v3/cluster/member/add", { peerURLs: [], isLearner: true }), ours(checkMemberAdd(view(one), { peerURLs: [], isLearner: true })));
    compare("add the member itself again", await post("/v3/cluster/member/add", { peerURLs: [etcd.peerUrl], isLearner: true }), ours(checkMemberAdd(view(one), { peerURLs: [peerUrl(1)], isLearner: true })));
    compare("remove the only voter", await post("/v3/cluster/member/remove", { ID: self }), ours(checkMemberRemove(view(one), 1)));
    compare("promote a voter", await post("/v3/cluster/member/promote", { ID: self }), ours(checkMemberPromote(view(one), 1)));

    // A learner that never starts: adding it keeps the quorum; etcd allows one.
    const added = await post("/v3/cluster/member/add", { peerURLs: ["http://127.0.0.1:1"], isLearner: true });
    compare("add a learner", added, ours(checkMemberAdd(view(one), { peerURLs: [peerUrl(2)], isLearner: true })));
    const learnerId = String((added.member as Json).ID);
    const list = await post("/v3/cluster/member/list", {});
    const etcdFlags = (list.members as Json[]).map((m) => m.isLearner === true).sort();
    expect(etcdFlags, "member list: one voter and one learner").toEqual(membersOf(withLearner).map((m) => m.isLearner).sort());
    compare("add a second learner", await post("/v3/cluster/member/add", { peerURLs: ["http://127.0.0.1:2"], isLearner: true }), ours(checkMemberAdd(view(withLearner), { peerURLs: [peerUrl(3)], isLearner: true })));
    compare("promote a learner that is not in sync", await post("/v3/cluster/member/promote", { ID: learnerId }), ours(checkMemberPromote(view(withLearner), 2)));
    compare("remove the learner", await post("/v3/cluster/member/remove", { ID: learnerId }), ours(checkMemberRemove(view(withLearner), 2)));
    const after = await post("/v3/cluster/member/list", {});
    expect((after.members as Json[]).length).toBe(1);
    console.log(`Cluster API vs etcd ${String(status.version)}: ${rows.length} steps, all matched\n  ${rows.join("\n  ")}`);
  }, 30_000);
});

if (!HAVE_ETCD) {
  describe("Cluster API conformance with real etcd (unavailable)", () => {
    it.skip(SKIP_REASON, () => {});
  });
}
