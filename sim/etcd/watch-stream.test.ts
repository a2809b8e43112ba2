// A watch stream's requests and answers end to end on the simulated world.
// - WatchProgressRequest: a watcher asks the member that holds its stream, and the member
//   answers on that stream, after the events it has not sent yet, with its current revision:
//   every event up to that revision has been sent.
// - Fragments: a watcher that asks for them gets a large response split into consecutive
//   messages (all but the last flagged), each under the member's limit.
// - WatchCancelRequest: a client closing a stream gets the cancel answer, then nothing more,
//   and a create for that stream arriving after the cancel opens nothing.
// - Streams that require a leader (clientv3's WithRequireLeader): refused by a member with
//   no leader, and cancelled with "no leader" after 3 election timeouts without one.
import { describe, expect, it } from "vitest";
import { MSG_WATCH_CANCEL, MSG_WATCH_CREATE, MSG_WATCH_PROGRESS, MSG_WATCH_RESPONSE, type WatchCancelMsg, type WatchCreateMsg, type WatchProgressMsg } from "../../core/client/protocol";
import type { WatchCreateRequest } from "../../core/server/api";
import { FragmentJoiner, watchResponseBytes } from "../../core/server/watch_fragment";
import { cluster } from "./cluster.testkit";
import type { WatchStreamMsg } from "./node";

const WATCH_CLIENT_ID = 91;

function watchClient(c: ReturnType<typeof cluster>, extra: Partial<WatchCreateRequest> = {}) {
  const received: WatchStreamMsg[] = [];
  c.world.network.register(WATCH_CLIENT_ID, (_from, msgType, payload) => {
    if (msgType !== MSG_WATCH_RESPONSE) return;
    // In stream order (seq), as the workload's watchers read it: messages may overtake.
    const m = payload as WatchStreamMsg;
    const at = received.findIndex((r) => r.watcherId === m.watcherId && r.seq > m.seq);
    received.splice(at < 0 ? received.length : at, 0, m);
  });
  const send = (member: number, type: string, msg: WatchCreateMsg | WatchProgressMsg | WatchCancelMsg) => c.world.network.send(WATCH_CLIENT_ID, member, type, msg, { bytes: 64, stream: true });
  return {
    received,
    create: (member: number, watcherId: number, key: string, requireLeader?: boolean) => send(member, MSG_WATCH_CREATE, { clientId: WATCH_CLIENT_ID, watcherId, request: { key, rangeEnd: `${key}\xff`, ...extra }, ...(requireLeader ? { requireLeader } : {}) }),
    progress: (member: number, watcherId: number) => send(member, MSG_WATCH_PROGRESS, { clientId: WATCH_CLIENT_ID, watcherId }),
    cancel: (member: number, watcherId: number) => send(member, MSG_WATCH_CANCEL, { clientId: WATCH_CLIENT_ID, watcherId }),
    progressOf: (watcherId: number) => received.filter((r) => r.watcherId === watcherId && !r.response.created && r.response.events.length === 0),
  };
}

describe("watch progress requests", () => {
  it("a follower answers on the asking stream only, with its current revision, after every event", () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    const w = watchClient(c);
    w.create(follower, 1, "a");
    w.create(follower, 2, "b");
    c.run(200);
    for (let i = 0; i < 3; i++) c.ok(lead, { type: "put", key: `a${i}`, value: "v" });
    const last = c.ok(lead, { type: "put", key: "c", value: "v" }).header.revision as number;
    c.run(200);
    // Neither watch asked for periodic progress: nothing yet.
    expect(w.progressOf(1)).toEqual([]);
    w.progress(follower, 1);
    c.run(200);
    const answers = w.progressOf(1);
    expect(answers.map((r) => r.response.header.revision)).toEqual([last]);
    const order = w.received.filter((r) => r.watcherId === 1).map((r) => (r.response.events.length > 0 ? `events@${r.response.header.revision}` : r.response.created ? "created" : `progress@${r.response.header.revision}`));
    expect(order).toEqual(["created", `events@${last - 3}`, `events@${last - 2}`, `events@${last - 1}`, `progress@${last}`]);
    // The other stream on the same member was not asked.
    expect(w.progressOf(2)).toEqual([]);
  });

  it("a member that does not hold the stream answers nothing", () => {
    const c = cluster();
    const lead = c.leader();
    const [m1, m2] = [1, 2, 3].filter((id) => id !== lead) as [number, number];
    const w = watchClient(c);
    w.create(m1, 1, "a");
    c.run(200);
    w.progress(m2, 1); // the stream lives on m1
    w.progress(m1, 9); // no such watcher
    c.run(500);
    expect(w.progressOf(1)).toEqual([]);
    expect(w.received.some((r) => r.watcherId === 9)).toBe(false);
  });
});

describe("watch cancel requests", () => {
  const kinds = (w: ReturnType<typeof watchClient>, watcherId: number) =>
    w.received.filter((r) => r.watcherId === watcherId).map((r) => (r.response.canceled ? "canceled" : r.response.created ? "created" : r.response.events.length > 0 ? "events" : "progress"));

  it("a closed stream gets the cancel answer, then no events, no progress", () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    const w = watchClient(c, { progressNotify: true });
    w.create(follower, 1, "a");
    w.create(follower, 2, "a");
    c.run(200);
    c.ok(lead, { type: "put", key: "a1", value: "v" });
    c.run(200);
    w.cancel(follower, 1);
    c.run(200);
    const upToCancel = kinds(w, 1);
    expect(upToCancel.filter((k) => k !== "progress")).toEqual(["created", "events", "canceled"]);
    expect(upToCancel[upToCancel.length - 1]).toBe("canceled");
    c.ok(lead, { type: "put", key: "a2", value: "v" });
    w.progress(follower, 1);
    c.run(3_000); // periodic progress notifications come every 5 ticks
    expect(kinds(w, 1)).toEqual(upToCancel);
    // The other stream on the member is served as before.
    const other = kinds(w, 2);
    expect(other.filter((k) => k === "events")).toHaveLength(2);
    expect(other.indexOf("progress", other.lastIndexOf("events"))).toBeGreaterThan(0);
  });

  it("a create that arrives after its stream's cancel opens nothing", () => {
    const c = cluster();
    const lead = c.leader();
    const w = watchClient(c, { progressNotify: true });
    w.cancel(lead, 1);
    c.run(200);
    w.create(lead, 1, "a");
    c.ok(lead, { type: "put", key: "a1", value: "v" });
    c.run(3_000);
    expect(kinds(w, 1)).toEqual([]);
  });
});

describe("streams that require a leader", () => {
  const ELECTION_TIMEOUT_MS = 1_000; // the testkit's: 10 ticks of 100 ms
  const endings = (w: ReturnType<typeof watchClient>, watcherId: number) => w.received.filter((r) => r.watcherId === watcherId && r.response.canceled).map((r) => r.response.cancelReason);
  /** A cluster with a leader, one of its followers, and a client watching with progress notifications. */
  const atFollower = () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    return { c, follower, w: watchClient(c, { progressNotify: true }) };
  };

  it("a member cut off from the leader cancels them after 3 election timeouts without one, and refuses new ones at once", () => {
    const { c, follower, w } = atFollower();
    w.create(follower, 1, "a", true);
    w.create(follower, 2, "a");
    c.run(200);
    c.world.isolate(follower); // from the members only: the client still reaches it
    // It loses its leader after an election timeout (it campaigns in vain), then 3 checks.
    c.run(3 * ELECTION_TIMEOUT_MS);
    expect(endings(w, 1)).toEqual([]);
    c.run(2 * ELECTION_TIMEOUT_MS);
    expect(endings(w, 1)).toEqual(["etcdserver: no leader"]);
    // A stream without the requirement is served on, stale as the member is.
    expect(endings(w, 2)).toEqual([]);
    const progressAfter = w.received.filter((r) => r.watcherId === 2 && !r.response.created && r.response.events.length === 0);
    expect(progressAfter.length).toBeGreaterThan(0);
    // A new stream that requires a leader is refused at once; one that does not is opened.
    w.create(follower, 3, "a", true);
    w.create(follower, 4, "a");
    c.run(200);
    expect(endings(w, 3)).toEqual(["etcdserver: no leader"]);
    expect(w.received.filter((r) => r.watcherId === 4).map((r) => r.response.created)).toEqual([true]);
  });

  it("a member that keeps its leader keeps them; a short loss does not end them", () => {
    const { c, follower, w } = atFollower();
    w.create(follower, 1, "a", true);
    c.run(6 * ELECTION_TIMEOUT_MS);
    // Cut off for less than 3 election timeouts past losing the leader, then healed.
    c.world.isolate(follower);
    c.run(2 * ELECTION_TIMEOUT_MS);
    c.world.heal();
    c.run(6 * ELECTION_TIMEOUT_MS);
    expect(endings(w, 1)).toEqual([]);
    c.ok(c.leader(), { type: "put", key: "a1", value: "v" });
    c.run(500);
    expect(w.received.some((r) => r.watcherId === 1 && r.response.events.some((e) => e.kv.key === "a1"))).toBe(true);
  });
});

describe("watch fragments", () => {
  const LIMIT_BYTES = 300;

  it("a large response comes in fragments under the limit, joined they are the whole revision", () => {
    const c = cluster(3, 7, { watchFragmentBytes: LIMIT_BYTES });
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    const w = watchClient(c, { fragment: true, prevKv: true });
    w.create(follower, 1, "a");
    c.run(200);
    const puts = Array.from({ length: 12 }, (_, i) => ({ type: "put" as const, key: `a${i}`, value: "v".repeat(30) }));
    const rev = c.ok(lead, { type: "txn", compare: [], success: puts, failure: [] }).header.revision as number;
    c.run(300);
    const parts = w.received.filter((r) => r.response.events.length > 0).map((r) => r.response);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((p) => p.fragment === true)).toEqual([...parts.slice(1).map(() => true), false]);
    for (const p of parts) {
      expect(p.header.revision).toBe(rev);
      expect(watchResponseBytes({ ...p, fragment: true })).toBeLessThan(LIMIT_BYTES);
    }
    const joiner = new FragmentJoiner();
    const whole = parts.map((p) => joiner.push(p)).at(-1)!;
    expect(whole.events.map((e) => e.kv.key)).toEqual(puts.map((p) => p.key));
  });

  it("a watcher that did not ask gets the response whole, over the limit", () => {
    const c = cluster(3, 7, { watchFragmentBytes: LIMIT_BYTES });
    const lead = c.leader();
    const w = watchClient(c);
    w.create(lead, 1, "a");
    c.run(200);
    const puts = Array.from({ length: 12 }, (_, i) => ({ type: "put" as const, key: `a${i}`, value: "v".repeat(30) }));
    c.ok(lead, { type: "txn", compare: [], success: puts, failure: [] });
    c.run(300);
    const parts = w.received.filter((r) => r.response.events.length > 0).map((r) => r.response);
    expect(parts.map((p) => [p.events.length, p.fragment ?? false])).toEqual([[12, false]]);
    expect(watchResponseBytes(parts[0]!)).toBeGreaterThan(LIMIT_BYTES);
  });
});
