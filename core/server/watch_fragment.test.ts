import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WatchEvent, WatchResponse } from "./api";
import { FragmentJoiner, fragmentWatchResponse, watchEventBytes, watchResponseBytes } from "./watch_fragment";

const kv = (key: string, value: string, rev: number) => ({ key, value, createRevision: rev, modRevision: rev, version: 1, lease: 0 });
const put = (key: string, value: string, rev: number): WatchEvent => ({ type: "PUT", kv: kv(key, value, rev) });
const resp = (events: WatchEvent[], revision = 9): WatchResponse => ({ header: { revision }, watchId: 3, created: false, canceled: false, compactRevision: 0, cancelReason: "", events });

describe("watch response sizes (protobuf wire size)", () => {
  it("counts an event as etcd encodes it", () => {
    // kv: key "a" (3) + create_revision 5 (2) + mod_revision 5 (2) + version 1 (2) + value "xy" (4) = 13;
    // event: type PUT omitted + kv (1 + 1 + 13) = 15; as a repeated field: 1 + 1 + 15 = 17.
    expect(watchEventBytes(put("a", "xy", 5))).toBe(17);
    // DELETE (type 1: 2 bytes) with an empty value and a prevKv.
    const del: WatchEvent = { type: "DELETE", kv: { key: "a", value: "", createRevision: 0, modRevision: 6, version: 0, lease: 0 }, prevKv: kv("a", "xy", 5) };
    expect(watchEventBytes(del)).toBe(1 + 1 + (2 + (1 + 1 + 5) + (1 + 1 + 13)));
  });

  it("counts varints by their length: 127 takes one byte, 128 two", () => {
    expect(watchEventBytes(put("a", "", 128)) - watchEventBytes(put("a", "", 127))).toBe(2);
  });
});

describe("fragmentWatchResponse", () => {
  it("leaves a response under the limit, or of one event, whole", () => {
    const r = resp([put("a", "1", 9), put("b", "1", 9)]);
    expect(fragmentWatchResponse(r, watchResponseBytes(r) + 1)).toEqual([r]);
    const one = resp([put("a", "x".repeat(5_000), 9)]);
    expect(fragmentWatchResponse(one, 100)).toEqual([one]);
  });

  it("splits at the limit, flags all parts but the last, and keeps the header", () => {
    const events = Array.from({ length: 10 }, (_, i) => put(`k${i}`, "v".repeat(40), 9));
    const parts = fragmentWatchResponse(resp(events), 200);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((p) => p.fragment)).toEqual([...parts.slice(1).map(() => true), false]);
    for (const p of parts) {
      expect(p.header.revision).toBe(9);
      expect(p.events.length).toBeGreaterThan(0);
      if (p.events.length > 1) expect(watchResponseBytes({ ...p, fragment: true })).toBeLessThan(200);
    }
    expect(parts.flatMap((p) => p.events)).toEqual(events);
  });

  it("property: joined fragments give back the response; every part with two events or more is under the limit", () => {
    const eventArb = fc.record({ key: fc.string({ minLength: 1, maxLength: 8 }), value: fc.string({ maxLength: 300 }), rev: fc.integer({ min: 1, max: 100_000 }) }).map(({ key, value, rev }) => put(key, value, rev));
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), fc.integer({ min: 1, max: 3_000 }), (events, limit) => {
        const r = resp(events);
        const parts = fragmentWatchResponse(r, limit);
        const joiner = new FragmentJoiner();
        const out = parts.map((p) => joiner.push(p));
        expect(out.slice(0, -1).every((o) => o === undefined)).toBe(true);
        expect(out.at(-1)).toEqual(r);
        for (const p of parts) if (p.events.length > 1) expect(watchResponseBytes({ ...p, fragment: true })).toBeLessThan(limit);
        // Greedy: a part could not have taken the next part's first event.
        for (let i = 0; i + 1 < parts.length; i++) {
          const grown = { ...parts[i]!, events: [...parts[i]!.events, parts[i + 1]!.events[0]!], fragment: true };
          expect(watchResponseBytes(grown)).toBeGreaterThanOrEqual(limit);
        }
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });
});

describe("FragmentJoiner", () => {
  it("refuses a fragment continued by another watch or revision", () => {
    const j = new FragmentJoiner();
    j.push({ ...resp([put("a", "1", 9)]), fragment: true });
    expect(j.partial).toBe(true);
    expect(() => j.push(resp([put("b", "1", 10)], 10))).toThrow(/continues watch 3 at 9/);
  });
});
