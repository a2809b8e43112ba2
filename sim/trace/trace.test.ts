import { describe, expect, it } from "vitest";
import { buildRaftWorld } from "../host/testkit";
import { HOT_FIELDS, traceHashOfRecords } from "./hash";
import { TraceLog } from "./log";
import { parseTrace, TraceFormatError } from "./reader";
import { TRACE_FORMAT_VERSION, type TraceHeader } from "./types";

const header: TraceHeader = { type: "header", formatVersion: TRACE_FORMAT_VERSION, seed: 1, scenario: "t", config: {} };

describe("trace", () => {
  it("writes NDJSON that reads back, and the records read back hash to the run's hash", () => {
    const lines: string[] = [];
    const log = new TraceLog(header, (l) => lines.push(l));
    log.record({ tUs: 5, type: "note", text: "hello" });
    log.record({ tUs: 9, type: "fault", fault: "crash", nodes: [2] });
    log.record({ tUs: 9, type: "send", msgId: 1, from: 1, to: 2, msgType: "app", term: 2, bytes: undefined, detail: undefined });
    const hash = log.finish();
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    const text = lines.join("");
    const parsed = parseTrace(text);
    expect(parsed.header.seed).toBe(1);
    expect(parsed.events.map((e) => e.type)).toEqual(["note", "fault", "send"]);
    expect(traceHashOfRecords([parsed.header, ...parsed.events])).toBe(hash);
  });

  it("a whole run's trace file re-hashes to the hash the run printed", () => {
    const lines: string[] = [];
    const { world, system } = buildRaftWorld({ seed: 4, nodes: 3, traceSink: (l) => lines.push(l) });
    world.scheduler.runUntil(1_500_000);
    system.leader()?.propose(new Uint8Array([1, 2, 3]), () => undefined);
    world.crash(system.leader()!.id);
    world.scheduler.runUntil(4_000_000);
    const hash = world.trace.finish();
    const parsed = parseTrace(lines.join(""));
    expect(new Set(parsed.events.map((e) => e.type))).toEqual(new Set(["send", "deliver", "drop", "fsync-start", "fsync-end", "commit", "apply", "role", "vote", "fault", "node-state"]));
    expect(traceHashOfRecords([parsed.header, ...parsed.events])).toBe(hash);
  });

  it("the typed entry points (no record objects) hash a run exactly as record() does", () => {
    const run = (keepTrace: boolean) => {
      const { world, system } = buildRaftWorld({ seed: 6, nodes: 3, keepTrace });
      world.scheduler.runUntil(1_500_000);
      system.leader()?.propose(new Uint8Array([4, 5]), () => undefined);
      world.scheduler.runUntil(2_500_000);
      return { hash: world.trace.finish(), world };
    };
    const fast = run(false);
    const objects = run(true);
    expect(fast.hash).toBe(objects.hash);
    expect(traceHashOfRecords([{ type: "header", formatVersion: TRACE_FORMAT_VERSION, seed: 6, scenario: "raft", config: { nodes: 3 } }, ...objects.world.trace.events])).toBe(fast.hash);
    for (const type of ["send", "deliver", "fsync-start", "fsync-end", "commit", "apply", "role"] as const) {
      expect(fast.world.trace.countOf(type), type).toBe(objects.world.trace.events.filter((e) => e.type === type).length);
      expect(fast.world.trace.countOf(type), type).toBeGreaterThan(0);
    }
  });

  it("the int32 fast paths of the hot types hash exactly the words of the general encoding", () => {
    // A word-at-a-time reference of hash.ts's encoding for hot records whose numbers are
    // plain int32s: TAG_RECORD, the hot tag, then each field in HOT_FIELDS order.
    const TAG = 0x7f000000;
    const ref = (hot: number, words: number[]) => {
      let a = 0x9747b28c | 0;
      let b = 0x5bd1e995 | 0;
      const all = [TAG + 0x0b, TAG + 0x80 + hot, ...words];
      for (const k of all) {
        const x = Math.imul(a ^ k, 0x01000193);
        a = x ^ (x >>> 15);
        const y = Math.imul((b + k) | 0, 0x5bd1e995);
        b = (y << 13) | (y >>> 19);
      }
      const fm = (h: number) => {
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        return (h ^ (h >>> 16)) >>> 0;
      };
      let fa = fm(a ^ all.length);
      let fb = fm(b ^ Math.imul(all.length, 0x27d4eb2f));
      fa = fm(fa ^ fb);
      fb = fm((fb + fa) | 0);
      return fa.toString(16).padStart(8, "0") + fb.toString(16).padStart(8, "0");
    };
    const str = (s: string) => {
      const w = [(TAG + 0x07) ^ s.length];
      for (let i = 0; i < s.length; i += 2) w.push(s.charCodeAt(i) | (i + 1 < s.length ? s.charCodeAt(i + 1) << 16 : 0));
      return w;
    };
    const UNDEF = TAG + 0x01;
    for (const msgType of ["app", "app-resp", "heartbeat"]) {
      expect(traceHashOfRecords([{ tUs: 2_000_123, type: "send", msgId: 77, from: 1, to: 3, msgType, term: 4, bytes: 188 }])).toBe(ref(0, [2_000_123, 77, 1, 3, ...str(msgType), 4, 188, UNDEF]));
      expect(traceHashOfRecords([{ tUs: 2_000_400, type: "deliver", msgId: 77, from: 1, to: 3, msgType, sentUs: 2_000_123 }])).toBe(ref(1, [2_000_400, 77, 1, 3, ...str(msgType), 2_000_123]));
    }
    expect(traceHashOfRecords([{ tUs: 9, type: "commit", node: 2, index: 40, term: 3 }])).toBe(ref(4, [9, 2, 40, 3]));
    expect(traceHashOfRecords([{ tUs: 9, type: "apply", node: 2, index: 40 }])).toBe(ref(5, [9, 2, 40, UNDEF]));
  });

  it("a different event gives a different hash", () => {
    const a = new TraceLog(header);
    a.record({ tUs: 5, type: "note", text: "a" });
    const b = new TraceLog(header);
    b.record({ tUs: 5, type: "note", text: "b" });
    expect(a.finish()).not.toBe(b.finish());
  });

  it("every field of every hot record type changes the hash; key order does not", () => {
    const samples: Record<keyof typeof HOT_FIELDS, Record<string, unknown>> = {
      send: { tUs: 10, msgId: 3, from: 1, to: 2, msgType: "app", term: 4, bytes: 100, detail: "d" },
      deliver: { tUs: 10, msgId: 3, from: 1, to: 2, msgType: "app", sentUs: 7 },
      drop: { tUs: 10, msgId: 3, from: 1, to: 2, msgType: "app", reason: "loss" },
      "fsync-start": { tUs: 10, node: 1, file: "raft.wal", bytes: 40 },
      "fsync-end": { tUs: 10, node: 1, file: "raft.wal", latencyUs: 800, ok: true },
      commit: { tUs: 10, node: 1, index: 5, term: 2 },
      apply: { tUs: 10, node: 1, index: 5, revision: 9 },
    };
    for (const [type, fields] of Object.entries(samples)) {
      expect(Object.keys(fields).sort()).toEqual([...HOT_FIELDS[type as keyof typeof HOT_FIELDS]].sort());
      const base = traceHashOfRecords([{ type, ...fields }]);
      const reversed = Object.fromEntries(Object.entries({ type, ...fields }).reverse());
      expect(traceHashOfRecords([reversed])).toBe(base);
      for (const [k, v] of Object.entries(fields)) {
        const changed = typeof v === "number" ? v + 1 : typeof v === "boolean" ? !v : `${String(v)}x`;
        expect(traceHashOfRecords([{ type, ...fields, [k]: changed }]), `${type}.${k}`).not.toBe(base);
        const without: Record<string, unknown> = { type, ...fields };
        delete without[k];
        if (k !== "tUs") expect(traceHashOfRecords([without]), `${type} without ${k}`).not.toBe(base);
      }
    }
  });

  it("other records hash by their JSON value: nesting, order and omitted fields count as JSON counts them", () => {
    const h = (r: object) => traceHashOfRecords([r]);
    const base = { tUs: 1, type: "client-invoke", client: 1, opId: 2, op: "put", input: { key: "k", value: [1, 2.5, null, "x"] } };
    expect(h(base)).toBe(h(JSON.parse(JSON.stringify(base))));
    expect(h({ ...base, node: undefined })).toBe(h(base));
    expect(h({ ...base, input: { key: "k", value: [1, 2.5, null, "y"] } })).not.toBe(h(base));
    expect(h({ ...base, input: { value: [1, 2.5, null, "x"], key: "k" } })).not.toBe(h(base));
    expect(h({ ...base, input: { key: "k", value: [1, 2.5, "x"] } })).not.toBe(h(base));
    expect(h({ ...base, opId: 2 ** 40 })).not.toBe(h({ ...base, opId: 2 ** 40 + 1 }));
    expect(h({ ...base, input: { key: "k", value: [1, NaN] } })).toBe(h({ ...base, input: { key: "k", value: [1, null] } }));
    expect(traceHashOfRecords([base, base])).not.toBe(h(base));
  });

  const bad: [string, string, RegExp][] = [
    ["empty", "", /:1: expected a header line/],
    ["truncated line", JSON.stringify(header) + "\n" + '{"tUs":1,"type":"no', /:2: expected one JSON object per line/],
    ["unknown type", JSON.stringify(header) + "\n" + '{"tUs":1,"type":"bogus"}', /:2: expected an event with a known "type"/],
    ["missing time", JSON.stringify(header) + "\n" + '{"type":"note","text":"x"}', /:2: expected "tUs"/],
    ["time goes back", JSON.stringify(header) + "\n" + '{"tUs":5,"type":"note","text":""}\n{"tUs":4,"type":"note","text":""}', /:3: expected time order/],
    ["wrong version", JSON.stringify({ ...header, formatVersion: 99 }), /:1: expected trace format version 1/],
    ["no header", '{"tUs":1,"type":"note","text":""}', /:1: expected a header record/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects a malformed trace (${name}) naming the line`, () => {
      expect(() => parseTrace(text, "t.ndjson")).toThrow(TraceFormatError);
      expect(() => parseTrace(text, "t.ndjson")).toThrow(message);
    });
  }
});
