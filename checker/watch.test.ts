import { describe, expect, it } from "vitest";
import type { KeyValue } from "./models/etcd-types";
import { checkWatches, type StoreEvent, type WatcherHistory, type WatchEvent, type WatchResponse, type WatchRule } from "./watch";

const kv = (key: string, value: string, createRevision: number, modRevision: number, version: number): KeyValue => ({ key, value, createRevision, modRevision, version, lease: 0 });
const del = (key: string, rev: number): KeyValue => ({ key, value: "", createRevision: 0, modRevision: rev, version: 0, lease: 0 });

// The store: a created, b created, a updated, a deleted, a recreated + b updated in one txn, c created.
const STORE: StoreEvent[] = [
  { revision: 2, type: "PUT", kv: kv("a", "1", 2, 2, 1) },
  { revision: 3, type: "PUT", kv: kv("b", "1", 3, 3, 1) },
  { revision: 4, type: "PUT", kv: kv("a", "2", 2, 4, 2) },
  { revision: 5, type: "DELETE", kv: del("a", 5) },
  { revision: 6, type: "PUT", kv: kv("a", "3", 6, 6, 1) },
  { revision: 6, type: "PUT", kv: kv("b", "2", 3, 6, 2) },
  { revision: 7, type: "PUT", kv: kv("c", "1", 7, 7, 1) },
];

const put = (k: KeyValue, prevKv?: KeyValue): WatchEvent => (prevKv ? { type: "PUT", kv: k, prevKv } : { type: "PUT", kv: k });
const resp = (revision: number, events: WatchEvent[]): WatchResponse => ({ revision, events });

/** A correct watcher on [a, c) from revision 2 with prevKv and progress notifications. */
function goodResponses(): WatchResponse[] {
  return [
    resp(2, [put(kv("a", "1", 2, 2, 1))]),
    resp(3, [put(kv("b", "1", 3, 3, 1))]),
    resp(4, [put(kv("a", "2", 2, 4, 2), kv("a", "1", 2, 2, 1))]),
    resp(5, [{ type: "DELETE", kv: del("a", 5), prevKv: kv("a", "2", 2, 4, 2) }]),
    resp(6, [put(kv("a", "3", 6, 6, 1)), put(kv("b", "2", 3, 6, 2), kv("b", "1", 3, 3, 1))]),
    { revision: 7, events: [], progressNotify: true },
  ];
}
const watcher = (responses: WatchResponse[], over: Partial<WatcherHistory["request"]> = {}): WatcherHistory => ({ id: 1, request: { key: "a", rangeEnd: "c", startRevision: 2, prevKv: true, progressNotify: true, ...over }, responses });
const rules = (w: WatcherHistory): WatchRule[] => [...new Set(checkWatches([w], STORE).violations.map((v) => v.rule))].sort();

describe("watch rules", () => {
  it("a correct watcher passes", () => {
    const result = checkWatches([watcher(goodResponses())], STORE);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.events).toBe(6);
  });

  it("ordered: events going back in revision", () => {
    const r = goodResponses();
    [r[1], r[2]] = [r[2]!, r[1]!];
    expect(rules(watcher(r))).toContain("ordered");
  });

  it("unique: an event delivered twice", () => {
    const r = goodResponses();
    r.splice(3, 0, r[2]!);
    expect(rules(watcher(r))).toEqual(["unique"]);
  });

  it("atomic: a revision split across responses, or cut short", () => {
    const split = goodResponses();
    split.splice(4, 1, resp(6, [split[4]!.events[0]!]), resp(6, [split[4]!.events[1]!]));
    expect(rules(watcher(split))).toEqual(["atomic"]);
    const cut = goodResponses();
    cut[4] = resp(6, [cut[4]!.events[0]!]);
    expect(rules(watcher(cut))).toEqual(["atomic"]);
  });

  it("bookmarkable: a progress notification before an event it covers", () => {
    const r = goodResponses();
    r.splice(2, 0, { revision: 4, events: [], progressNotify: true });
    expect(rules(watcher(r))).toEqual(["bookmarkable"]);
    const late = goodResponses();
    late.splice(3, 0, { revision: 3, events: [], progressNotify: true });
    expect(rules(watcher(late))).toEqual(["bookmarkable"]);
  });

  it("reliable: a gap between the first and last event", () => {
    const r = goodResponses();
    r.splice(1, 1);
    expect(rules(watcher(r))).toEqual(["reliable"]);
    // A gap only a bookmark reveals: the last event delivered is at 5, the bookmark says 7.
    const tail = goodResponses();
    tail.splice(4, 1);
    expect(rules(watcher(tail))).toEqual(["reliable"]);
  });

  it("resumable: a watch from revision 2 that starts later", () => {
    const r = goodResponses();
    r.shift();
    expect(rules(watcher(r))).toEqual(["resumable"]);
    // ...but a watch cancelled because its start was compacted owes nothing.
    expect(rules(watcher([{ revision: 7, events: [], canceled: true, compactRevision: 4 }], { startRevision: 1 }))).toEqual([]);
  });

  it("matchesStore: an event that differs from the store", () => {
    const r = goodResponses();
    r[2] = resp(4, [put(kv("a", "WRONG", 2, 4, 2), kv("a", "1", 2, 2, 1))]);
    expect(rules(watcher(r))).toEqual(["matchesStore"]);
  });

  it("isCreate: an update claimed as a creation, and a creation as an update", () => {
    const r = goodResponses();
    r[2] = resp(4, [{ ...r[2]!.events[0]!, isCreate: true }]);
    expect(rules(watcher(r))).toEqual(["isCreate"]);
    const recreate = goodResponses();
    recreate[4] = resp(6, [{ ...recreate[4]!.events[0]!, isCreate: false }, recreate[4]!.events[1]!]);
    expect(rules(watcher(recreate))).toEqual(["isCreate"]);
  });

  it("prevKv: wrong, missing, or present when not requested", () => {
    const wrong = goodResponses();
    wrong[2] = resp(4, [put(kv("a", "2", 2, 4, 2), kv("a", "0", 2, 2, 1))]);
    expect(rules(watcher(wrong))).toEqual(["prevKv"]);
    const missing = goodResponses();
    missing[3] = resp(5, [{ type: "DELETE", kv: del("a", 5) }]);
    expect(rules(watcher(missing))).toEqual(["prevKv"]);
    expect(rules(watcher(goodResponses(), { prevKv: false }))).toEqual(["prevKv"]);
  });

  it("filter: a filtered event type, or a key out of range", () => {
    expect(rules(watcher(goodResponses(), { filters: ["NODELETE"] }))).toEqual(["filter"]);
    const noDeletes = goodResponses().filter((r) => r.events.every((e) => e.type !== "DELETE"));
    expect(rules(watcher(noDeletes, { filters: ["NODELETE"] }))).toEqual([]);
    const outOfRange = goodResponses();
    outOfRange[5] = resp(7, [put(kv("c", "1", 7, 7, 1))]);
    expect(rules(watcher(outOfRange))).toEqual(["filter"]);
  });

  it("compaction: a tombstone at the start revision is never excused; a compacted prevKv only by a compaction above it", () => {
    // A watch resumed at revision 5, where the store was compacted: the DELETE of a at 5 must
    // still come (etcd-io/etcd#18089; etcd before #18274 dropped it).
    const fromFive = (responses: WatchResponse[]) => watcher(responses, { startRevision: 5 });
    const withoutTombstone = [resp(7, [put(kv("a", "3", 6, 6, 1)), put(kv("b", "2", 3, 6, 2), kv("b", "1", 3, 3, 1))])];
    for (const compactRevisions of [[], [5], [4]]) {
      expect(checkWatches([fromFive(withoutTombstone)], STORE, { compactRevisions }).violations.map((v) => v.rule)).toEqual(["resumable"]);
    }
    // b's previous version (revision 3) is compacted away by a compaction at 6.
    const noPrev = [resp(5, [{ type: "DELETE", kv: del("a", 5), prevKv: kv("a", "2", 2, 4, 2) }]), resp(7, [put(kv("a", "3", 6, 6, 1)), put(kv("b", "2", 3, 6, 2))])];
    expect(checkWatches([fromFive(noPrev)], STORE).violations.map((v) => v.rule)).toEqual(["prevKv"]);
    expect(checkWatches([fromFive(noPrev)], STORE, { compactRevisions: [6] }).ok).toBe(true);
    expect(checkWatches([fromFive(noPrev)], STORE, { compactRevisions: [5] }).ok).toBe(false);
  });

  it("prevKv: a whole history's prevKv comes from replaying it, not from the store's claim; past a gap the claim is used", () => {
    // The store says a's delete at 5 had prevKv "1" (stale): a watcher told the same is wrong.
    const staleClaim = STORE.map((e) => (e.revision === 5 ? { ...e, prevKv: kv("a", "1", 2, 2, 1) } : e));
    const echoed = goodResponses();
    echoed[3] = resp(5, [{ type: "DELETE", kv: del("a", 5), prevKv: kv("a", "1", 2, 2, 1) }]);
    expect(checkWatches([watcher(echoed)], staleClaim).violations.map((v) => v.rule)).toEqual(["prevKv"]);
    expect(checkWatches([watcher(goodResponses())], staleClaim).ok).toBe(true);
    // A history with revision 3 missing: past the gap the replay cannot know, so the store's
    // recorded prevKv is what the watcher is held to.
    const gap = staleClaim.filter((e) => e.revision !== 3);
    const fromFour = (responses: WatchResponse[]) => watcher(responses, { startRevision: 4, key: "a", rangeEnd: "b" });
    expect(checkWatches([fromFour([echoed[2]!, echoed[3]!])], gap).violations).toEqual([]);
  });

  it("resumable from now: a watch from now delivers every matching event after its created response's revision", () => {
    // Created at revision 3: a's update at 4 must come; one created at 4 may start at 5.
    const fromNow = (createdRevision: number | undefined, responses: WatchResponse[]): WatcherHistory => ({ id: 1, request: { key: "a", rangeEnd: "c", prevKv: true }, ...(createdRevision !== undefined ? { createdRevision } : {}), responses });
    const afterFour = goodResponses().slice(3); // the delete at 5 onwards
    expect(checkWatches([fromNow(3, afterFour)], STORE).violations.map((v) => [v.rule, v.revision])).toEqual([["resumable", 4]]);
    expect(checkWatches([fromNow(4, afterFour)], STORE).ok).toBe(true);
    expect(checkWatches([fromNow(undefined, afterFour)], STORE).ok).toBe(true); // without it, from the first event
  });

  it("compacted: a cancel names a compaction that happened, and a revision the watch still needed", () => {
    const cancelled = (compactRevision: number): WatchResponse => ({ revision: 7, events: [], canceled: true, compactRevision });
    // From revision 2, the events up to 3 delivered, then cancelled for a compaction at 5.
    const upToThree = [...goodResponses().slice(0, 2), cancelled(5)];
    expect(checkWatches([watcher(upToThree)], STORE, { compactRevisions: [5] }).ok).toBe(true);
    // No compaction at 5 at all.
    expect(checkWatches([watcher(upToThree)], STORE, { compactRevisions: [] }).violations.map((v) => v.rule)).toEqual(["compacted"]);
    // Events up to 4 delivered: the watch needs 5 next, which a compaction at 5 keeps.
    const upToFour = [...goodResponses().slice(0, 3), cancelled(5)];
    expect(checkWatches([watcher(upToFour)], STORE, { compactRevisions: [5] }).violations.map((v) => v.rule)).toEqual(["compacted"]);
  });
});
