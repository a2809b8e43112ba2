// The Cluster and Maintenance API end to end on the simulated world: a client sends each
// request through the client protocol to a member, which answers locally or proposes a
// Raft conf change on the leader.
import { describe, expect, it } from "vitest";
import {
  ERR_LEARNER_NOT_READY, ERR_MEMBER_BAD_URLS, ERR_PEER_URL_EXIST, ERR_MEMBER_NOT_FOUND, ERR_MEMBER_NOT_LEARNER,
  ERR_TOO_MANY_LEARNERS, ERR_UNHEALTHY,
} from "../../core/server/api";
import { peerUrl } from "../../core/server/cluster";
import { restoreCluster, summarizeSnapshot } from "./restore";
import { stateHashOf } from "./state_hash";
import { cluster } from "./cluster.testkit";

const ids = (r: { members: { ID: number; isLearner: boolean }[] }) => r.members.map((m) => (m.isLearner ? `${m.ID}L` : `${m.ID}`));

describe("member list and status", () => {
  it("a follower answers member list and status locally; status names the leader and term", () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    c.ok(lead, { type: "put", key: "a", value: "1" });
    c.run(300); // a backend commit
    const list = c.ok(follower, { type: "memberList" });
    expect(ids(list)).toEqual(["1", "2", "3"]);
    expect(list.header.memberId).toBe(follower);
    const status = c.ok(follower, { type: "status" });
    expect(status.header.memberId).toBe(follower);
    expect(status.leader).toBe(lead);
    expect(status.raftTerm).toBe(c.system.host(lead)!.status().term);
    expect(status.header.revision).toBe(2);
    expect(status.raftAppliedIndex).toBe(c.system.node(follower)!.server.appliedIndex());
    expect(status.raftIndex).toBeGreaterThanOrEqual(status.raftAppliedIndex);
    expect(status.dbSize).toBeGreaterThan(0);
    expect(status.isLearner).toBe(false);
  });
});

describe("member add / promote", () => {
  it("adds a learner, which catches up and is promoted to a voter; etcd's errors on the way", () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    for (let i = 0; i < 20; i++) c.ok(lead, { type: "put", key: `k${i % 4}`, value: `${i}` });
    expect(c.error(lead, { type: "memberAdd", peerURLs: ["http://somewhere:2380"] })).toBe(ERR_MEMBER_BAD_URLS);
    expect(c.error(lead, { type: "memberAdd", peerURLs: [peerUrl(2)] })).toBe(ERR_PEER_URL_EXIST);
    // Sent to a follower: "not leader" sends the client on to the leader.
    const added = c.ok(follower, { type: "memberAdd", peerURLs: [peerUrl(4)], isLearner: true });
    expect(added.member).toMatchObject({ ID: 4, isLearner: true, peerURLs: [peerUrl(4)] });
    expect(ids(added)).toEqual(["1", "2", "3", "4L"]);
    expect(c.error(lead, { type: "memberAdd", peerURLs: [peerUrl(5)], isLearner: true })).toBe(ERR_TOO_MANY_LEARNERS);
    // Not started yet: its log is empty, so it is not in sync.
    expect(c.error(lead, { type: "memberPromote", ID: 4 })).toBe(ERR_LEARNER_NOT_READY);
    expect(c.error(lead, { type: "memberPromote", ID: 2 })).toBe(ERR_MEMBER_NOT_LEARNER);
    expect(c.error(lead, { type: "memberPromote", ID: 9 })).toBe(ERR_MEMBER_NOT_FOUND);
    // Start the member's process (etcd --initial-cluster-state existing) and let it catch up.
    c.world.addNode(4, c.system.factory(4));
    c.world.node(4).start();
    c.run(2_000);
    expect(c.system.node(4)!.server.currentRevision()).toBe(c.system.node(lead)!.server.currentRevision());
    const learnerStatus = c.ok(4, { type: "status" });
    expect(learnerStatus).toMatchObject({ isLearner: true, leader: lead });
    expect(ids(c.ok(4, { type: "memberList" }))).toEqual(["1", "2", "3", "4L"]);
    const promoted = c.ok(follower, { type: "memberPromote", ID: 4 });
    expect(ids(promoted)).toEqual(["1", "2", "3", "4"]);
    c.run(500);
    expect(ids(c.ok(4, { type: "memberList" }))).toEqual(["1", "2", "3", "4"]);
    expect(c.system.host(c.leader())!.status().confState.voters).toEqual([1, 2, 3, 4]);
    expect(c.ok(4, { type: "status" }).isLearner).toBe(false);
  });

  it("refuses to add a member while a voter is unreachable (unhealthy cluster)", () => {
    const c = cluster();
    const lead = c.leader();
    const down = [1, 2, 3].find((id) => id !== lead)!;
    c.world.crash(down);
    c.run(3_000); // longer than the 2 s the leader counts a silent peer as active
    expect(c.error(lead, { type: "memberAdd", peerURLs: [peerUrl(4)] })).toBe(ERR_UNHEALTHY);
    const live = [1, 2, 3].find((id) => id !== lead && id !== down)!;
    // Removing the other live voter would leave 1 of 2 active: refused too.
    expect(c.error(lead, { type: "memberRemove", ID: live })).toBe(ERR_UNHEALTHY);
    // Removing the member that is down is fine.
    expect(ids(c.ok(lead, { type: "memberRemove", ID: down }))).toEqual([1, 2, 3].filter((id) => id !== down).map(String));
  });
});

describe("member remove", () => {
  it("removes the leader: it stops itself, the rest elect a new leader and serve writes", () => {
    const c = cluster();
    const lead = c.leader();
    c.ok(lead, { type: "put", key: "x", value: "before" });
    expect(c.error(lead, { type: "memberRemove", ID: 42 })).toBe(ERR_MEMBER_NOT_FOUND);
    const removed = c.ok(lead, { type: "memberRemove", ID: lead });
    const rest = [1, 2, 3].filter((id) => id !== lead);
    expect(ids(removed)).toEqual(rest.map(String));
    c.run(3_000);
    const next = c.leader();
    expect(rest).toContain(next);
    expect(c.system.host(next)!.status().confState).toMatchObject({ voters: rest, votersOutgoing: [] });
    // As etcd's server does once it applies its own removal ("permanently removed").
    expect(c.world.node(lead).status).toBe("down");
    const put = c.ok(next, { type: "put", key: "x", value: "after" });
    expect(put.header.revision).toBe(3);
    expect(ids(c.ok(rest[1]!, { type: "memberList" }))).toEqual(rest.map(String));
    // Restarted, it refuses to start (etcd: "the member has been permanently removed").
    c.world.restart(lead);
    c.run(500);
    expect(c.world.node(lead).status).toBe("down");
    const reasons = c.world.trace.events.filter((e) => e.type === "fault" && e.fault === "fail-stop" && e.nodes[0] === lead).map((e) => (e as { detail?: string }).detail);
    // It leads on after its removal commits (etcd's stop delay), and its next heartbeat to a
    // member that applied the removal is answered "removed", as etcd's peer transport does:
    // that stops it before the delay runs out.
    expect(reasons).toEqual(["the member has been permanently removed from the cluster", "permanently removed from the cluster: refusing to start"]);
  });
  it("a removed follower that crashes before recording its removal applies it again on restart, and stops", () => {
    const c = cluster();
    const lead = c.leader();
    const gone = [1, 2, 3].find((id) => id !== lead)!;
    // Crash it the moment it starts syncing its removal mark, so the mark is lost.
    let crashAt: number | undefined;
    c.world.trace.observe((e) => {
      if (e.type === "fsync-start" && e.node === gone && e.file === "removed" && crashAt === undefined) {
        crashAt = e.tUs;
        c.world.scheduler.at(e.tUs, () => c.world.crash(gone));
      }
    }, ["fsync-start"]);
    c.ok(lead, { type: "memberRemove", ID: gone });
    c.run(500);
    expect(crashAt).toBeDefined();
    expect(c.world.node(gone).disk.readDurable("removed").length).toBe(0);
    // On restart its whole log replays in one Ready, removal included: it must still stop.
    c.world.restart(gone);
    c.run(3_000);
    expect(c.world.node(gone).status).toBe("down");
    const reasons = c.world.trace.events.filter((e) => e.type === "fault" && e.fault === "fail-stop" && e.nodes[0] === gone).map((e) => (e as { detail?: string }).detail);
    expect(reasons).toEqual(["removed from the cluster"]);
    expect(c.world.node(gone).disk.readDurable("removed").length).toBeGreaterThan(0);
  });
  it("a leader that commits its own removal has it on disk before the commit index: a crash at the commit keeps its wait", () => {
    // Its commit index in the WAL makes a restart apply the removal; without the
    // removed-while-leading record it would count as a plain removed member and stop, though
    // C_new may not have heard (see RaftHost.recordRemovalCommittedHere).
    const c = cluster();
    const lead = c.leader();
    const raft = () => c.system.host(lead)!.rn.raft;
    let crashAt: number | undefined;
    let removal = 0;
    c.world.trace.observe((e) => {
      if (e.type !== "commit" || e.node !== lead || crashAt !== undefined) return;
      removal = raft().ownRemovalCommittedAt;
      if (removal === 0 || e.index < removal) return;
      // The WAL fsync carrying the new commit index has just completed; crash right after.
      crashAt = e.tUs;
      c.world.scheduler.at(e.tUs, () => c.world.crash(lead));
    }, ["commit"]);
    c.ask(lead, { type: "memberRemove", ID: lead });
    expect(crashAt).toBeDefined();
    expect(removal).toBeGreaterThan(0);
    expect(new TextDecoder().decode(c.world.node(lead).disk.readDurable("removed-while-leading"))).toBe(String(removal));
    c.world.restart(lead);
    c.run(1);
    expect(c.world.node(lead).status).toBe("up");
    expect(raft().removedWhileLeadingAt()).toBe(removal);
    expect(raft().removedAt()).toBe(removal);
  });
  it("a member removed while cut off is turned away by members restarted from a snapshot that covers its removal", () => {
    // Their logs no longer hold the entries that added and removed it: the snapshot carries
    // who was ever a member, as etcd's backend keeps removed member IDs.
    const c = cluster(3, 7, { snapshotEntries: 4 });
    const lead = c.leader();
    const [gone, other] = [1, 2, 3].filter((id) => id !== lead) as [number, number];
    c.world.isolate(gone);
    c.ask(lead, { type: "memberRemove", ID: gone });
    for (let i = 0; i < 12; i++) c.ok(lead, { type: "put", key: "k", value: `${i}` });
    c.run(500);
    for (const id of [lead, other]) {
      expect(c.system.host(id)!.rn.raft.log.snapIndex).toBeGreaterThan(0);
      c.world.crash(id);
      c.world.restart(id);
    }
    c.run(2_000);
    expect(c.world.node(gone).status).toBe("up");
    c.world.heal();
    c.run(5_000);
    expect(c.world.node(gone).status).toBe("down");
    const reasons = c.world.trace.events.filter((e) => e.type === "fault" && e.fault === "fail-stop" && e.nodes[0] === gone).map((e) => (e as { detail?: string }).detail);
    expect(reasons).toEqual(["the member has been permanently removed from the cluster"]);
  });
  it("a learner removed while it was down dials the members it knows on restart, is turned away, and stops", () => {
    // A learner sends no Raft message of its own, so only its transport's dial can tell it
    // (etcd's peer answers 410 Gone); without one it would serve its clients timeouts for ever.
    const c = cluster();
    const lead = c.leader();
    c.ok(lead, { type: "memberAdd", peerURLs: [peerUrl(4)], isLearner: true });
    c.world.addNode(4, c.system.factory(4));
    c.world.node(4).start();
    c.run(2_000);
    expect(c.system.host(4)!.rn.raft.conf.learners).toEqual([4]);
    c.world.crash(4);
    c.ok(lead, { type: "memberRemove", ID: 4 });
    c.world.restart(4);
    c.run(500);
    expect(c.world.node(4).status).toBe("up");
    c.run(3_000);
    expect(c.world.node(4).status).toBe("down");
    const reasons = c.world.trace.events.filter((e) => e.type === "fault" && e.fault === "fail-stop" && e.nodes[0] === 4).map((e) => (e as { detail?: string }).detail);
    expect(reasons).toEqual(["the member has been permanently removed from the cluster"]);
    // The members still in the cluster never dial: they hear their leader.
    const dials = c.world.trace.events.filter((e) => e.type === "send" && e.msgType === "stream-dial");
    expect(dials.length).toBeGreaterThan(0);
    expect(new Set(dials.map((e) => (e as { from: number }).from))).toEqual(new Set([4]));
  });
});

describe("snapshot save and restore", () => {
  it("a member's snapshot restores into a fresh cluster with the same keys, revision and state hash", () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    for (let i = 0; i < 30; i++) c.ok(lead, { type: "put", key: `key${i % 7}`, value: `v${i}` });
    c.ok(lead, { type: "deleteRange", key: "key3" });
    const lease = c.ok(lead, { type: "leaseGrant", TTL: 60, ID: 0 });
    c.ok(lead, { type: "put", key: "leased", value: "l", lease: lease.ID });
    c.run(200); // the follower applies everything
    const snap = c.ok(follower, { type: "snapshot" });
    expect(snap.remainingBytes).toBe(0);
    const image = new Uint8Array(Buffer.from(snap.blob, "base64"));
    const summary = summarizeSnapshot(image);
    const source = c.system.node(follower)!.server;
    expect(summary).toMatchObject({ revision: source.currentRevision(), keys: 7, leases: 1, consistentIndex: source.appliedIndex(), stateHash: stateHashOf(source.snapshot()) });

    const restored = restoreCluster({ image, nodes: 3, seed: 11 });
    expect(restored.error).toBeUndefined();
    expect(restored.ok).toBe(true);
    expect(restored.revision).toBe(summary.revision);
    expect(restored.keys).toBe(7);
    expect(Object.values(restored.stateHashes)).toEqual([summary.stateHash, summary.stateHash, summary.stateHash]);
    // The restored cluster takes new writes from the next revision on.
    const r = restored.system.node(restored.leader!)!.server;
    expect(r.query({ key: "key1" })).toMatchObject({ kvs: [{ key: "key1", value: "v29" }] });
    expect(r.leaseIds()).toEqual([lease.ID]);
  });

  it("a damaged snapshot is refused before any member starts", () => {
    const c = cluster();
    const lead = c.leader();
    c.ok(lead, { type: "put", key: "a", value: "1" });
    const image = new Uint8Array(Buffer.from(c.ok(lead, { type: "snapshot" }).blob, "base64"));
    image[20] = image[20]! ^ 0xff;
    expect(() => restoreCluster({ image, nodes: 1, seed: 1 })).toThrow(/checksum/);
  });
});
