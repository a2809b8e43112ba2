import { describe, expect, it } from "vitest";
import { Disk, DISK_PROFILES, drawFsyncLatencyUs } from "./disk";
import { RngStreams } from "./rng";
import { Scheduler } from "./scheduler";

function setup(profile = DISK_PROFILES.ssd!) {
  const s = new Scheduler();
  const disk = new Disk(profile, new RngStreams(5).stream("disk"), { nowUs: () => s.nowUs, schedule: (d, fn) => s.after(d, fn) });
  return { s, disk };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A framed record: 4-byte length, payload, 4-byte additive checksum. */
function frame(payload: string): Uint8Array {
  const p = bytes(payload);
  const out = new Uint8Array(p.length + 8);
  new DataView(out.buffer).setUint32(0, p.length);
  out.set(p, 4);
  new DataView(out.buffer).setUint32(4 + p.length, p.reduce((a, b) => (a * 31 + b) >>> 0, 7));
  return out;
}

function readFrames(data: Uint8Array): { records: string[]; tornTail: boolean } {
  const records: string[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 4 > data.length) return { records, tornTail: true };
    const len = new DataView(data.buffer, data.byteOffset).getUint32(at);
    if (at + 8 + len > data.length) return { records, tornTail: true };
    const p = data.slice(at + 4, at + 4 + len);
    const sum = new DataView(data.buffer, data.byteOffset).getUint32(at + 4 + len);
    if (sum !== p.reduce((a, b) => (a * 31 + b) >>> 0, 7)) return { records, tornTail: true };
    records.push(text(p));
    at += 8 + len;
  }
  return { records, tornTail: false };
}

describe("Disk", () => {
  it("reads see buffered writes; only fsynced writes survive a crash", () => {
    const { s, disk } = setup();
    disk.write("wal", bytes("a"));
    let synced = false;
    disk.fsync("wal", (ok) => (synced = ok));
    disk.write("wal", bytes("b")); // after the fsync call: not covered by it
    expect(text(disk.read("wal"))).toBe("ab");
    s.runUntilIdle();
    expect(synced).toBe(true);
    expect(text(disk.readDurable("wal"))).toBe("a");
    disk.crash("drop-unsynced");
    expect(text(disk.read("wal"))).toBe("a");
  });

  it("a write with a length takes only that prefix of the buffer, appended or replacing", () => {
    const { s, disk } = setup();
    const buf = bytes("abcdef");
    disk.write("wal", buf, "append", 2);
    disk.write("wal", buf, "append", 3);
    expect(text(disk.read("wal"))).toBe("ababc");
    disk.fsync("wal", () => undefined);
    s.runUntilIdle();
    disk.write("wal", buf, "replace", 1);
    disk.write("wal", buf, "append", 4);
    buf[0] = "z".charCodeAt(0); // the disk kept its own copy
    expect(text(disk.read("wal"))).toBe("aabcd");
    disk.fsync("wal", () => undefined);
    s.runUntilIdle();
    expect(text(disk.readDurable("wal"))).toBe("aabcd");
    expect(() => disk.write("wal", buf, "append", 7)).toThrow();
  });

  it("an unsynced write is gone after a crash, and an in-flight fsync never completes", () => {
    const { s, disk } = setup();
    disk.write("f", bytes("x"));
    let called = false;
    disk.fsync("f", () => (called = true));
    disk.crash("drop-unsynced");
    s.runUntilIdle();
    expect(called).toBe(false);
    expect(disk.read("f").length).toBe(0);
  });

  it("matches a plain model over random appends, replaces, fsyncs and crashes (the arena keeps file semantics)", () => {
    for (let seed = 0; seed < 30; seed++) {
      const { s, disk } = setup(DISK_PROFILES.nvme!);
      const pick = new RngStreams(seed + 100).stream("ops");
      // The model: durable text, and pending writes in order.
      let durable = "";
      let pending: { mode: "append" | "replace"; text: string }[] = [];
      const visible = () => pending.reduce((acc, w) => (w.mode === "replace" ? w.text : acc + w.text), durable);
      for (let step = 0; step < 60; step++) {
        const op = pick.int(0, 10);
        if (op < 5) {
          const mode = op === 0 ? "replace" : "append";
          const t = `${step}:${"x".repeat(pick.int(1, 300))};`;
          const buf = bytes(t);
          disk.write("f", buf, mode);
          buf.fill(0); // the disk copied the bytes: the caller may reuse its buffer
          pending.push({ mode, text: t });
        } else if (op < 8) {
          const covered = pending.length;
          disk.fsync("f", () => {});
          s.runUntilIdle();
          for (const w of pending.splice(0, covered)) durable = w.mode === "replace" ? w.text : durable + w.text;
        } else if (op === 8) {
          disk.crash("drop-unsynced");
          pending = [];
        } else {
          const first = pending[0];
          disk.crash("tear-last");
          const after = text(disk.readDurable("f"));
          if (first?.mode === "append" && first.text.length > 1) {
            expect(after.startsWith(durable)).toBe(true);
            const torn = after.slice(durable.length);
            expect(torn.length).toBeGreaterThanOrEqual(1);
            expect(torn.length).toBeLessThan(first.text.length);
            expect(first.text.startsWith(torn)).toBe(true);
            durable = after;
          }
          pending = [];
        }
        expect(text(disk.read("f")), `seed ${seed} step ${step}`).toBe(visible());
        expect(text(disk.readDurable("f")), `seed ${seed} step ${step}`).toBe(durable);
      }
    }
  });

  it("a torn write is detectable by its checksum", () => {
    let tornSeen = 0;
    for (let seed = 0; seed < 20; seed++) {
      const s = new Scheduler();
      const disk = new Disk(DISK_PROFILES.nvme!, new RngStreams(seed).stream("d"), { nowUs: () => s.nowUs, schedule: (d, fn) => s.after(d, fn) });
      disk.write("wal", frame("first record"));
      disk.fsync("wal", () => {});
      s.runUntilIdle();
      disk.write("wal", frame("second record, long enough to tear"));
      disk.crash("tear-last");
      const { records, tornTail } = readFrames(disk.read("wal"));
      expect(records).toEqual(["first record"]);
      expect(tornTail).toBe(true);
      tornSeen++;
    }
    expect(tornSeen).toBe(20);
  });

  it("one fsync at a time: queued fsyncs wait for the one in service", () => {
    const { s, disk } = setup(DISK_PROFILES.hdd!);
    const done: number[] = [];
    for (let i = 0; i < 5; i++) {
      disk.write(`f${i}`, bytes("x"));
      disk.fsync(`f${i}`, () => done.push(s.nowUs));
    }
    s.runUntilIdle();
    expect(done.length).toBe(5);
    for (let i = 1; i < 5; i++) expect(done[i]! - done[i - 1]!).toBeGreaterThanOrEqual(DISK_PROFILES.hdd!.fsyncMinUs);
  });

  it("stall holds completions until release; fsync errors report failure; slow fsync multiplies latency", () => {
    const { s, disk } = setup(DISK_PROFILES.nvme!);
    disk.stall();
    let ok: boolean | undefined;
    disk.write("f", bytes("x"));
    disk.fsync("f", (r) => (ok = r));
    s.runUntil(10_000_000);
    expect(ok).toBeUndefined();
    disk.release();
    s.runUntilIdle();
    expect(ok).toBe(true);
    disk.failFsyncs(1);
    disk.fsync("f", (r) => (ok = r));
    s.runUntilIdle();
    expect(ok).toBe(false);
    disk.slowFsync(100, 1_000, s.nowUs + 1_000_000);
    const before = s.nowUs;
    disk.fsync("f", () => {});
    s.runUntilIdle();
    expect(s.nowUs - before).toBeGreaterThanOrEqual(DISK_PROFILES.nvme!.fsyncMinUs * 100 + 1_000);
  });

  for (const name of ["nvme", "ssd", "hdd"]) {
    it(`fsync latency over 10k draws matches ${name}'s stated median and p99 within 10%`, () => {
      const profile = DISK_PROFILES[name]!;
      const rng = new RngStreams(42).stream(`lat-${name}`);
      const xs = Array.from({ length: 10_000 }, () => drawFsyncLatencyUs(profile, rng)).sort((a, b) => a - b);
      const median = xs[5_000]!;
      const p99 = xs[9_900]!;
      expect(Math.abs(median - profile.fsyncMedianUs) / profile.fsyncMedianUs).toBeLessThan(0.1);
      expect(Math.abs(p99 - profile.fsyncP99Us) / profile.fsyncP99Us).toBeLessThan(0.1);
    });
  }
});
