import { describe, expect, it } from "vitest";
import type { CanaryBug } from "../canary";
import type { WatchResponse } from "./api";
import { compact, del, put, txn } from "./request_scripts";
import { LocalServer } from "./local";
import { KvServer } from "./server";
import { ERR_WATCH_DUPLICATE_ID, ERR_WATCH_EMPTY_RANGE } from "./watch";

const local = (bugs: CanaryBug[] = []) => new LocalServer({ bugs: new Set(bugs) });
const evs = (rs: WatchResponse[]) => rs.flatMap((r) => r.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}${e.prevKv ? ` prev=${e.prevKv.value}` : ""}`));
const kinds = (rs: WatchResponse[]) => rs.map((r) => (r.created ? "created" : r.canceled ? `canceled(${r.compactRevision})` : r.events.length ? `events@${r.header.revision}` : `progress@${r.header.revision}`));

describe("watch", () => {
  it("startRevision 0 = from the next revision; one response per revision, in order", () => {
    const s = local();
    s.request(put("a", "0"));
    s.server.watch({ key: "a", rangeEnd: "c" });
    s.request(put("a", "1"));
    s.request(txn([], [put("b", "1"), put("z", "1"), del("a")]));
    const rs = s.server.drainWatchResponses();
    expect(kinds(rs)).toEqual(["created", "events@3", "events@4"]);
    expect(rs[0]!.header.revision).toBe(2);
    expect(evs(rs)).toEqual(["PUT a@3", "PUT b@4", "DELETE a@4"]);
  });

  it("a start revision in the past replays history inclusively, then goes live", () => {
    const s = local();
    s.request(put("a", "1")); // 2
    s.request(put("a", "2")); // 3
    s.request(del("a")); // 4
    s.server.watch({ key: "a", startRevision: 3, prevKv: true });
    s.request(put("a", "3")); // 5: a create, so no prevKv
    const rs = s.server.drainWatchResponses();
    expect(evs(rs)).toEqual(["PUT a@3 prev=1", "DELETE a@4 prev=2", "PUT a@5"]);
  });

  it.each([
    ["NOPUT", ["DELETE a@4"]],
    ["NODELETE", ["PUT a@2", "PUT a@3"]],
  ] as const)("filter %s", (filter, want) => {
    const s = local();
    s.server.watch({ key: "a", filters: [filter] });
    s.request(put("a", "1"));
    s.request(put("a", "2"));
    s.request(del("a"));
    expect(evs(s.server.drainWatchResponses())).toEqual(want);
  });

  it("a compacted start revision is canceled with the compaction revision", () => {
    const s = local();
    s.request(put("a", "1"));
    s.request(put("a", "2"));
    s.request(compact(3));
    s.server.watch({ key: "a", startRevision: 2 });
    s.request(put("a", "3"));
    const rs = s.server.drainWatchResponses();
    expect(kinds(rs)).toEqual(["created", "canceled(3)"]);
  });

  it("canary watch-skip-on-compact: the watch silently resumes after the compaction", () => {
    const s = local(["watch-skip-on-compact"]);
    s.request(put("a", "1"));
    s.request(put("a", "2"));
    s.request(put("a", "3"));
    s.request(compact(3));
    s.server.watch({ key: "a", startRevision: 2 });
    const rs = s.server.drainWatchResponses();
    expect(kinds(rs)).toEqual(["created", "events@4"]);
    expect(evs(rs)).toEqual(["PUT a@4"]);
  });

  it("progress on request queues behind undelivered events and carries the current revision", () => {
    const s = local();
    s.server.watch({ key: "a" });
    s.server.drainWatchResponses();
    s.request(put("a", "1"));
    s.request(put("b", "1"));
    s.server.requestWatchProgress();
    expect(kinds(s.server.drainWatchResponses())).toEqual(["events@2", "progress@3"]);
  });

  it("canary progress-notify-ahead: the progress overtakes pending events", () => {
    const s = local(["progress-notify-ahead"]);
    s.server.watch({ key: "a" });
    s.server.drainWatchResponses();
    s.request(put("a", "1"));
    s.request(put("b", "1"));
    s.server.requestWatchProgress();
    expect(kinds(s.server.drainWatchResponses())).toEqual(["progress@3", "events@2"]);
  });

  it("progress requested for one watcher goes to that watcher only, and to no cancelled one", () => {
    const s = local();
    const a = s.server.watch({ key: "a" });
    const b = s.server.watch({ key: "b" });
    s.server.drainWatchResponses();
    s.request(put("b", "1"));
    s.server.requestWatchProgress(b);
    expect(s.server.drainWatchResponses().map((r) => [r.watchId, kinds([r])[0]])).toEqual([[b, "events@2"], [b, "progress@2"]]);
    s.server.cancelWatch(a);
    s.server.drainWatchResponses();
    s.server.requestWatchProgress(a);
    expect(s.server.drainWatchResponses()).toEqual([]);
  });

  it("the periodic tick notifies only progressNotify watchers", () => {
    const s = local();
    const a = s.server.watch({ key: "a", progressNotify: true });
    s.server.watch({ key: "b" });
    s.server.drainWatchResponses();
    s.server.watchProgressTick();
    const rs = s.server.drainWatchResponses();
    expect(rs.map((r) => [r.watchId, kinds([r])[0]])).toEqual([[a, "progress@1"]]);
  });

  it("cancel stops events; ids are assigned from 0 and a taken id is refused", () => {
    const s = local();
    expect(s.server.watch({ key: "a" })).toBe(0);
    expect(s.server.watch({ key: "a" })).toBe(1);
    s.server.watch({ key: "a", watchId: 1 });
    expect(s.server.cancelWatch(0)).toBe(true);
    expect(s.server.cancelWatch(0)).toBe(false);
    s.request(put("a", "1"));
    const rs = s.server.drainWatchResponses();
    // etcd answers a refused create under watch ID -1 (checked against etcd 3.4).
    expect(rs[2]).toMatchObject({ watchId: -1, created: true, canceled: true, cancelReason: ERR_WATCH_DUPLICATE_ID });
    expect(rs.filter((r) => r.events.length > 0).map((r) => r.watchId)).toEqual([1]);
  });

  it("a range whose end is not after its key is refused at once; a \\0 end (from the key on) is not", () => {
    const s = local();
    expect(s.server.watch({ key: "d", rangeEnd: "c", startRevision: 1 })).toBe(-1);
    expect(s.server.watch({ key: "d", rangeEnd: "d" })).toBe(-1);
    expect(s.server.watch({ key: "d", rangeEnd: "\0" })).toBe(0);
    s.request(put("e", "1"));
    const rs = s.server.drainWatchResponses();
    const refusal = { watchId: -1, created: true, canceled: true, cancelReason: ERR_WATCH_EMPTY_RANGE, events: [] };
    expect(rs.slice(0, 2)).toMatchObject([refusal, refusal]);
    expect(rs.slice(2).map((r) => [r.watchId, kinds([r])[0]])).toEqual([[0, "created"], [0, "events@2"]]);
  });

  it("drain(max) hands out responses oldest first", () => {
    const s = local();
    s.server.watch({ key: "a" });
    s.request(put("a", "1"));
    s.request(put("a", "2"));
    expect(kinds(s.server.drainWatchResponses(2))).toEqual(["created", "events@2"]);
    expect(kinds(s.server.drainWatchResponses())).toEqual(["events@3"]);
  });

  it("after a snapshot restore, watchers catch up on the revisions they missed", () => {
    const leader = local();
    const follower = new KvServer();
    follower.watch({ key: "a", rangeEnd: "\0" });
    leader.request(put("a", "1"));
    leader.request(put("b", "1"));
    follower.restore(leader.server.snapshot(), 0);
    expect(evs(follower.drainWatchResponses())).toEqual(["PUT a@2", "PUT b@3"]);
  });

  it("after a restore whose compaction revision is the watch's start, the event at that revision is still delivered", () => {
    // As at creation (and in etcd), a watch may start at the compaction revision: each key's
    // record as of it survives compaction. Found by a campaign: a kubernetes controller's
    // cache lacked the election key created at revision 2, its follower's snapshot being
    // compacted at 2 (scenarios/watch-restore-compacted.test.ts).
    const leader = local();
    const follower = new KvServer();
    follower.watch({ key: "a", rangeEnd: "\0", startRevision: 2 });
    leader.request(put("a", "1")); // 2
    leader.request(put("b", "1")); // 3
    leader.request(compact(2));
    leader.request(put("c", "1")); // 4
    follower.restore(leader.server.snapshot(), 0);
    const rs = follower.drainWatchResponses();
    expect(kinds(rs)).toEqual(["created", "events@4"]);
    expect(evs(rs)).toEqual(["PUT a@2", "PUT b@3", "PUT c@4"]);
  });
});

describe("watch prevKv of a key one txn writes twice", () => {
  // etcd reads a watch event's prevKv at modRevision - 1: the store before the txn. A
  // watcher that is live when the txn applies and one catching up from history afterwards
  // must see the same events. Both request shapes below pass etcd 3.4's checkIntervals.
  const cases = [
    { name: "sibling nested txns put then delete the key", before: put("a", "old"), watched: "a", request: txn([], [txn([], [put("a", "new")]), txn([], [del("a")])]), want: ["PUT a@3 prev=old", "DELETE a@3 prev=old"] },
    { name: "a put then a from-key delete over it", before: put("b", "old"), watched: "b", request: txn([], [put("b", "new"), del("a", { rangeEnd: "\0" })]), want: ["PUT b@3 prev=old", "DELETE b@3 prev=old"] },
    { name: "a key absent before the txn: no prevKv on its delete", before: put("z", "1"), watched: "a", request: txn([], [txn([], [put("a", "new")]), txn([], [del("a")])]), want: ["PUT a@3", "DELETE a@3"] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = local();
      expect(s.request(c.before)).toMatchObject({ header: { revision: 2 } });
      const live = s.server.watch({ key: c.watched, prevKv: true });
      expect(s.request(c.request)).not.toHaveProperty("error");
      const catchingUp = s.server.watch({ key: c.watched, prevKv: true, startRevision: 3 });
      const rs = s.server.drainWatchResponses();
      expect(evs(rs.filter((r) => r.watchId === catchingUp))).toEqual(c.want);
      expect(evs(rs.filter((r) => r.watchId === live))).toEqual(c.want);
    });
  }
});
