import { describe, expect, it } from "vitest";
import { BackendCorruptError, decodeBackend } from "./backend";
import { BackendWriter } from "./backend_writer";
import { compact, del, grant, put, revoke } from "./request_scripts";
import { LocalServer } from "./local";

/** A file as the disk would hold it after these writes became durable. */
function applyWrites(file: Uint8Array, w: { bytes: Uint8Array; mode: "replace" | "append" }): Uint8Array {
  if (w.mode === "replace") return w.bytes.slice();
  const out = new Uint8Array(file.length + w.bytes.length);
  out.set(file);
  out.set(w.bytes, file.length);
  return out;
}

describe("backend delta commits", () => {
  it("an image plus appended deltas decodes to the server's state at every commit", () => {
    const s = new LocalServer();
    const writer = new BackendWriter("atomic");
    let file: Uint8Array = new Uint8Array(0);
    const modes: string[] = [];
    const steps = [
      [grant(7, 60), put("a", "1", { lease: 7 })],
      [put("b", "2"), put("a", "3")],
      [del("b")],
      [],
      [revoke(7), put("c", "ü\u{1F600}")],
      [compact(5)],
      [put("d", "4")],
    ];
    for (const ops of steps) {
      for (const op of ops) s.request(op);
      const w = writer.next(s.server);
      modes.push(w.mode);
      file = applyWrites(file, w);
      expect(decodeBackend(file)).toEqual(s.server.snapshot());
    }
    // The first commit and the one after the compaction write an image; the rest append.
    expect(modes, JSON.stringify(modes)).toEqual(["replace", "append", "append", "append", "append", "replace", "append"]);
  });

  it("a delta torn by a crash is ignored (the WAL replays from the last whole frame); a damaged whole frame is corruption", () => {
    const s = new LocalServer();
    const writer = new BackendWriter("atomic");
    s.request(put("a", "1"));
    let file = applyWrites(new Uint8Array(0), writer.next(s.server));
    s.request(put("b", "2"));
    file = applyWrites(file, writer.next(s.server));
    const atSecond = s.server.snapshot();
    s.request(put("c", "3"));
    const third = writer.next(s.server);
    expect(third.mode).toBe("append");
    for (const cut of [1, 9, 10, third.bytes.length - 1]) {
      const torn = applyWrites(file, { bytes: third.bytes.subarray(0, cut), mode: "append" });
      expect(decodeBackend(torn)).toEqual(atSecond);
    }
    const whole = applyWrites(file, third);
    const base = whole.length - third.bytes.length;
    for (const i of [0, 5, 12, third.bytes.length - 1]) {
      const bad = whole.slice();
      bad[base + i]! ^= 0x04;
      expect(() => decodeBackend(bad), `flip at ${i}`).toThrow(BackendCorruptError);
    }
  });

  it("writes an image again after a restore, in the split layout, and when the deltas outgrow the image", () => {
    const s = new LocalServer();
    const restored = new BackendWriter("atomic");
    s.request(put("a", "1"));
    expect(restored.next(s.server).mode).toBe("replace");
    s.request(put("a", "2"));
    expect(restored.next(s.server).mode).toBe("append");
    restored.stateReplaced();
    expect(restored.next(s.server).mode).toBe("replace");

    const split = new BackendWriter("split");
    expect(split.next(s.server).mode).toBe("replace");
    s.request(put("a", "3"));
    expect(split.next(s.server).mode).toBe("replace");

    const growing = new BackendWriter("atomic", 0);
    let file = applyWrites(new Uint8Array(0), growing.next(s.server));
    const modes: string[] = [];
    for (let i = 0; i < 40; i++) {
      s.request(put(`k${i}`, "v".repeat(50)));
      const w = growing.next(s.server);
      modes.push(w.mode);
      file = applyWrites(file, w);
    }
    expect(modes).toContain("replace");
    expect(decodeBackend(file)).toEqual(s.server.snapshot());
    expect(growing.imagesWritten + growing.deltasWritten).toBe(41);
  });
});
