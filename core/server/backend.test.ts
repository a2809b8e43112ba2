import { describe, expect, it } from "vitest";
import { NO_BUGS } from "../canary";
import { BackendCorruptError, backendLayout, decodeBackend, encodeBackend, encodeConsistentIndex, stateChecksum } from "./backend";
import { compact, del, grant, put } from "./request_scripts";
import { LocalServer } from "./local";
import { KvServer } from "./server";

function busyServer(): LocalServer {
  const s = new LocalServer();
  for (const op of [grant(3, 60), put("a", "1", { lease: 3 }), put("b", "ü\u{1F600}"), put("a", "2"), del("b"), put("c", "x"), compact(4)]) s.request(op);
  return s;
}

describe("backend image", () => {
  it("round-trips the whole state with the consistent index inside", () => {
    const s = busyServer();
    const state = s.server.snapshot();
    const back = decodeBackend(encodeBackend(state));
    expect(back).toEqual(state);
    expect(back.consistentIndex).toBe(7);
    const restored = new KvServer();
    restored.restore(back, 0);
    expect(restored.query({ key: "\0", rangeEnd: "\0" })).toEqual(s.server.query({ key: "\0", rangeEnd: "\0" }));
  });

  it("is deterministic: the same state encodes to the same bytes", () => {
    expect(encodeBackend(busyServer().server.snapshot())).toEqual(encodeBackend(busyServer().server.snapshot()));
  });

  it("stateChecksum agrees for equal states and differs after one more write", () => {
    const a = busyServer();
    const b = busyServer();
    expect(stateChecksum(a.server.snapshot())).toBe(stateChecksum(b.server.snapshot()));
    b.request(put("d", "1"));
    expect(stateChecksum(a.server.snapshot())).not.toBe(stateChecksum(b.server.snapshot()));
  });

  it("detects a flipped bit, truncation and a foreign file", () => {
    const img = encodeBackend(busyServer().server.snapshot());
    for (const i of [0, 7, 20, img.length - 1]) {
      const bad = img.slice();
      bad[i]! ^= 0x10;
      expect(() => decodeBackend(bad)).toThrow(BackendCorruptError);
    }
    expect(() => decodeBackend(img.subarray(0, img.length - 3))).toThrow(BackendCorruptError);
    expect(() => decodeBackend(encodeConsistentIndex(5))).toThrow(BackendCorruptError);
  });

  it("the split layout (consistent-index-not-atomic canary) keeps the index in its own file", () => {
    expect(backendLayout(NO_BUGS)).toBe("atomic");
    expect(backendLayout(new Set(["consistent-index-not-atomic"]))).toBe("split");
    const state = busyServer().server.snapshot();
    const db = encodeBackend(state, { withoutConsistentIndex: true });
    expect(decodeBackend(db, encodeConsistentIndex(state.consistentIndex))).toEqual(state);
    // The two files can disagree: an index file written ahead of the image claims entries the data lacks.
    expect(decodeBackend(db, encodeConsistentIndex(99)).consistentIndex).toBe(99);
    expect(decodeBackend(db).consistentIndex).toBe(0);
    const idx = encodeConsistentIndex(12);
    idx[6]! ^= 1;
    expect(() => decodeBackend(db, idx)).toThrow(BackendCorruptError);
  });
});
