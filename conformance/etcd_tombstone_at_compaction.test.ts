import { describe, expect, it } from "vitest";
import type { WatchResponse } from "../core/server/api";
import { dropsTombstoneAtCompaction, withoutTombstonesAt } from "./etcd_tombstone_at_compaction";

const response = (events: WatchResponse["events"], created = false): WatchResponse => ({ header: { revision: 5 }, watchId: 0, created, canceled: false, compactRevision: 0, cancelReason: "", events });
const del = (key: string, modRevision: number) => ({ type: "DELETE" as const, kv: { key, modRevision, createRevision: 0, version: 0, value: "", lease: 0 } });
const put = (key: string, modRevision: number) => ({ type: "PUT" as const, kv: { key, modRevision, createRevision: modRevision, version: 1, value: "x", lease: 0 } });

describe("etcd-io/etcd#18089 on etcd releases without the fix", () => {
  it("applies to etcd 3.4.23 and older, not to other releases", () => {
    expect(dropsTombstoneAtCompaction("3.4.23")).toBe(true);
    expect(dropsTombstoneAtCompaction("3.4.9")).toBe(true);
    expect(dropsTombstoneAtCompaction("3.4.33")).toBe(false);
    expect(dropsTombstoneAtCompaction("3.5.15")).toBe(false);
    expect(dropsTombstoneAtCompaction("")).toBe(false);
  });
  it("leaves out only deletes at the compaction revision, and only for a watch that starts there", () => {
    const rs = [response([], true), response([del("a", 3), put("b", 4)]), response([del("c", 3)]), response([del("b", 5)])];
    const out = withoutTombstonesAt(rs, 3, 3);
    expect(out.leftOut).toBe(2);
    expect(out.responses.map((r) => r.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`))).toEqual([[], ["PUT b@4"], ["DELETE b@5"]]);
    expect(withoutTombstonesAt(rs, 4, 3).leftOut).toBe(0);
    expect(withoutTombstonesAt(rs, 3, 0).leftOut).toBe(0);
  });
});
